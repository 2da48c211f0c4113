"""Audio features from ReccoBeats for tracks with a Spotify id (40 ids per call).

ReccoBeats answers only for tracks it knows and with its own ``id``, so results are
matched back by the Spotify id at the end of each ``href``, never by position; tracks
it lacks stay without features for the next provider. Failures after the HTTP
layer's retries leave the tracks to the next provider too.
"""

from __future__ import annotations

import logging

from yarl import URL

from bot.features.batch import SpotifyIdProvider, audio_values
from bot.features.cache import FeatureCache, Features
from bot.net.client import HttpClient, HttpError
from bot.settings.groups import FeatureSettings

log = logging.getLogger(__name__)

BATCH = 40
VERSION = 1


def spotify_id_of(href: object) -> str | None:
    """The Spotify track id at the end of an ``href`` like ``https://open.spotify.com/track/ID``."""
    if not isinstance(href, str) or not href:
        return None
    try:
        path = URL(href).path
    except ValueError:
        return None
    tail = path.rstrip("/").rsplit("/", 1)[-1]
    return tail or None


class ReccoBeatsFeatures(SpotifyIdProvider):
    """FeatureProvider "reccobeats": fills ``Track.audio`` for tracks with a Spotify id."""

    name = "reccobeats"
    version = VERSION
    batch_size = BATCH
    stage = "Audio features (ReccoBeats)"
    label = "ReccoBeats"

    def __init__(
        self,
        http: HttpClient,
        *,
        api_base: str,
        concurrency: int = 8,
        cache: FeatureCache | None = None,
    ) -> None:
        super().__init__(api_base=api_base, concurrency=concurrency, cache=cache)
        self.http = http

    @classmethod
    def from_settings(
        cls, features: FeatureSettings, http: HttpClient, cache: FeatureCache | None = None
    ) -> ReccoBeatsFeatures:
        return cls(
            http,
            api_base=features.reccobeats_api_base,
            concurrency=features.concurrency,
            cache=cache,
        )

    async def _batch(self, ids: list[str]) -> dict[str, Features]:
        try:
            payload = await self.http.get_json(
                f"{self.api_base}/audio-features", params={"ids": ",".join(ids)}
            )
        except HttpError as exc:
            log.warning("ReccoBeats refused a batch of %d ids: %s", len(ids), exc)
            return {}
        wanted = set(ids)
        out: dict[str, Features] = {}
        content = payload.get("content") if isinstance(payload, dict) else None
        for obj in content or ():
            if not isinstance(obj, dict):
                continue
            sid = spotify_id_of(obj.get("href"))
            if sid in wanted:
                values = audio_values(obj)
                if values:
                    out[sid] = values
        return out
