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
