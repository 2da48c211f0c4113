"""Spotify's own audio features (``GET /audio-features``, 100 ids per call).

Only apps that had this endpoint before 2024-11-27 still get answers; every newer app
gets 403. The first 403 switches the provider off for the life of this object (the
process, in the bot) with one log line, so later playlists do not ask again. Other
failures (quota, outage after retries) leave the tracks to the next provider.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.config import Settings
from bot.errors import ProviderDown
from bot.features.cache import FeatureCache, Features, lookup
from bot.http import HttpError
from bot.model import PROVIDER_AUDIO_FEATURES, ProgressCallback, Track, no_progress
from bot.spotify_auth import SpotifyAuth

log = logging.getLogger(__name__)

BATCH = 100
VERSION = 1


def audio_values(obj: dict[str, object]) -> Features:
    """The Spotify-scale columns of a features object, numbers only."""
    return {
        name: float(value)  # type: ignore[arg-type]
        for name in PROVIDER_AUDIO_FEATURES
        if isinstance(value := obj.get(name), int | float) and not isinstance(value, bool)
    }


class SpotifyFeatures:
    """FeatureProvider "spotify": fills ``Track.audio`` for tracks with a Spotify id."""

    name = "spotify"
    family = "provider"
    #: Part of the feature-cache key and of the pipeline's cache variant.
    version = VERSION
    #: Ids per request: the pipeline asks batch by batch while pages arrive.
    batch_size = BATCH
    stage = "Audio features (Spotify)"

    def __init__(
        self,
        auth: SpotifyAuth,
        *,
        api_base: str,
        concurrency: int = 8,
        cache: FeatureCache | None = None,
    ) -> None:
        self.auth = auth
        self.api_base = api_base.rstrip("/")
        self.concurrency = concurrency
        self.cache = cache
        #: False once Spotify answered 403 (no access to audio features for this app).
        self.enabled = True

    @classmethod
    def from_settings(
        cls, settings: Settings, auth: SpotifyAuth, cache: FeatureCache | None = None
    ) -> SpotifyFeatures:
        return cls(
            auth,
            api_base=settings.spotify_api_base,
            concurrency=settings.http_concurrency,
            cache=cache,
        )

    async def _batch(self, ids: list[str]) -> dict[str, Features]:
        if not self.enabled:
            return {}
        try:
            payload = await self.auth.get(f"{self.api_base}/audio-features", {"ids": ",".join(ids)})
        except HttpError as exc:
            if exc.status == 403 and self.enabled:
                self.enabled = False
                log.info(
                    "Spotify audio features are not available to this app (HTTP 403); "
                    "not asking again in this process"
                )
            return {}
        out: dict[str, Features] = {}
        items = payload.get("audio_features") if isinstance(payload, dict) else None
        for obj in items or ():
            if isinstance(obj, dict) and isinstance(obj.get("id"), str) and obj["id"] in ids:
                values = audio_values(obj)
                if values:
                    out[obj["id"]] = values
        return out

    async def enrich(
        self, tracks: Sequence[Track], progress: ProgressCallback = no_progress
    ) -> int:
        """Features for tracks still lacking them; returns how many got some."""
        if not self.enabled or not self.auth.configured:
            return 0
        todo = [t for t in tracks if t.audio is None and t.spotify_id]
        try:
            found = await lookup(
                [t.spotify_id for t in todo if t.spotify_id],
                source="spotify",
                provider=self.name,
                version=VERSION,
                cache=self.cache,
                batch_size=BATCH,
                concurrency=self.concurrency,
                fetch=self._batch,
                progress=progress,
                stage=self.stage,
            )
        except ProviderDown as exc:
            log.warning("Spotify audio features skipped: %s", exc)
            return 0
        count = 0
        for track in todo:
            values = found.get(track.spotify_id or "")
            if values:
                track.audio = dict(values)
                track.audio_provider = self.name
                count += 1
        return count
