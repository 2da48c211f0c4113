"""Providers that fill ``Track.audio`` by Spotify id, batch by batch: Spotify and ReccoBeats.

Both ask an ``/audio-features`` endpoint for a batch of ids and answer in Spotify's
scale. :class:`SpotifyIdProvider` holds what they share: which tracks to ask for, the
feature cache and the batching (:func:`bot.features.cache.lookup`), a provider that is
down leaving its tracks to the next one, and writing the answers into the tracks. A
subclass says how one batch is asked (``_batch``) and whether it can ask at all
(:meth:`SpotifyIdProvider.ready`). Both are :class:`~bot.features.BatchProvider`\\ s:
the pipeline asks them batch by batch while a playlist's pages arrive.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import ClassVar

from bot.errors import ProviderDown
from bot.features.cache import FeatureCache, Features, lookup
from bot.model import PROVIDER_AUDIO_FEATURES, ProgressCallback, Track, no_progress

log = logging.getLogger(__name__)


def audio_values(obj: dict[str, object]) -> Features:
    """The Spotify-scale columns of a features object, numbers only."""
    return {
        name: float(value)  # type: ignore[arg-type]
        for name in PROVIDER_AUDIO_FEATURES
        if isinstance(value := obj.get(name), int | float) and not isinstance(value, bool)
    }


class SpotifyIdProvider:
    """Fills ``Track.audio`` of tracks with a Spotify id, ``batch_size`` ids per request."""

    family = "provider"
    name: ClassVar[str]
    #: Part of the feature-cache key and of the pipeline's cache variant.
    version: ClassVar[int]
    #: Ids per request: the pipeline asks batch by batch while pages arrive.
    batch_size: ClassVar[int]
    #: The progress stage users see, e.g. "Audio features (ReccoBeats)".
    stage: ClassVar[str]
    #: The provider's name in log lines.
    label: ClassVar[str]

    def __init__(
        self, *, api_base: str, concurrency: int = 8, cache: FeatureCache | None = None
    ) -> None:
        self.api_base = api_base.rstrip("/")
        self.concurrency = concurrency
        self.cache = cache
        #: False once the provider knows it cannot answer (e.g. Spotify's 403): it is
        #: then not asked again, and a stream does not report its progress.
        self.enabled = True

    def ready(self) -> bool:
        """Whether asking can give anything at all."""
        return self.enabled

    async def _batch(self, ids: list[str]) -> dict[str, Features]:
        """Features of the ids of one batch that the provider knows."""
        raise NotImplementedError

    async def enrich(
        self, tracks: Sequence[Track], progress: ProgressCallback = no_progress
    ) -> int:
        """Features for tracks still lacking them; returns how many got some."""
        todo = [t for t in tracks if t.audio is None and t.spotify_id]
        if not todo or not self.ready():
            return 0
        try:
            found = await lookup(
                [t.spotify_id for t in todo if t.spotify_id],
                source="spotify",
                provider=self.name,
                version=self.version,
                cache=self.cache,
                batch_size=self.batch_size,
                concurrency=self.concurrency,
                fetch=self._batch,
                progress=progress,
                stage=self.stage,
            )
        except ProviderDown as exc:
            log.warning("%s audio features skipped: %s", self.label, exc)
            return 0
        count = 0
        for track in todo:
            values = found.get(track.spotify_id or "")
            if values:
                track.audio = dict(values)
                track.audio_provider = self.name
                count += 1
        return count
