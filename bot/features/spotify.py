"""Spotify's own audio features (``GET /audio-features``, 100 ids per call).

Only apps that had this endpoint before 2024-11-27 still get answers; every newer app
gets 403. The first 403 switches the provider off for the life of this object (the
process, in the bot) with one log line, so later playlists do not ask again. Other
failures (quota, outage after retries) leave the tracks to the next provider.
"""

from __future__ import annotations

import logging

from bot.features.batch import SpotifyIdProvider, audio_values
from bot.features.cache import FeatureCache, Features
from bot.net.client import HttpError
from bot.net.spotify_auth import SpotifyAuth
from bot.settings.groups import SpotifySettings

log = logging.getLogger(__name__)

BATCH = 100
VERSION = 1


class SpotifyFeatures(SpotifyIdProvider):
    """FeatureProvider "spotify": fills ``Track.audio`` for tracks with a Spotify id."""

    name = "spotify"
    version = VERSION
    batch_size = BATCH
    stage = "Audio features (Spotify)"
    label = "Spotify"

    def __init__(
        self,
        auth: SpotifyAuth,
        *,
        api_base: str,
        concurrency: int = 8,
        cache: FeatureCache | None = None,
    ) -> None:
        super().__init__(api_base=api_base, concurrency=concurrency, cache=cache)
        self.auth = auth

    @classmethod
    def from_settings(
        cls, spotify: SpotifySettings, auth: SpotifyAuth, cache: FeatureCache | None = None
    ) -> SpotifyFeatures:
        return cls(
            auth,
            api_base=spotify.api_base,
            concurrency=spotify.concurrency,
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

    def ready(self) -> bool:
        return self.enabled and self.auth.configured
