"""Feature providers: each fills in features for tracks that do not have them yet."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

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
