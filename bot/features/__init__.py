"""Feature providers: each fills in features for tracks that do not have them yet."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from bot.model import ProgressCallback, Track


class FeatureProvider(Protocol):
    """Adds audio features to tracks in place.

    ``family`` is "provider" for Spotify-scale audio features (``Track.audio``) and
    "preview" for locally computed ones (``Track.preview_features``). A provider may
    also have a ``last_note`` attribute: a sentence for the user about its last
    ``enrich`` call ('' when there is nothing to say), which the pipeline adds to the
    analysis note shown in the CLI summary and the bot's answer.
    """

    name: str
    family: str

    async def enrich(self, tracks: Sequence[Track], progress: ProgressCallback) -> int:
        """Fill features for the tracks still lacking them; return how many got some."""
        ...


@runtime_checkable
class BatchProvider(FeatureProvider, Protocol):
    """A provider asked batch by batch of ids while a playlist's pages arrive
    (:mod:`bot.features.stream`): Spotify and ReccoBeats (:mod:`bot.features.batch`)."""

    #: Ids per request.
    batch_size: int
    #: The progress stage users see.
    stage: str
    #: False once it knows it cannot answer: its progress is then not reported.
    enabled: bool


@runtime_checkable
class PrefetchingProvider(Protocol):
    """A provider that can start looking tracks up before the answer waits for them."""

    #: How many of the provider audio columns it fills: a feature stream hands it
    #: tracks only while so few columns could still place a track by sound.
    width: int

    def prefetch(self, tracks: Sequence[Track], answer: object = None) -> None:
        """Start the lookups of ``tracks``; calls with one ``answer`` token share a budget."""
        ...

    def cancel_prefetch(self, answer: object) -> None:
        """Stop the lookups started for ``answer``: nobody will wait for them."""
        ...


@runtime_checkable
class BudgetedProvider(Protocol):
    """A provider with a time budget per answer, telling what it left past it."""

    async def enrich_bounded(
        self, tracks: Sequence[Track], progress: ProgressCallback
    ) -> tuple[int, int]:
        """(tracks that got features, tracks left past the budget)."""
        ...

    def deferred_note(self, count: int) -> str:
        """The answer's sentence about ``count`` tracks left past the budget."""
        ...


@runtime_checkable
class VersionedProvider(Protocol):
    """A provider whose features change with its ``version`` (part of a cache variant)."""

    name: str
    version: int


@runtime_checkable
class ClosableProvider(Protocol):
    """A provider holding resources (e.g. a process pool) released by ``aclose``."""

    async def aclose(self) -> None:
        """Release what the provider holds; called once at shutdown."""
        ...


@runtime_checkable
class NotingProvider(Protocol):
    """A provider with a sentence for the user about its last ``enrich`` ("" for none)."""

    last_note: str
