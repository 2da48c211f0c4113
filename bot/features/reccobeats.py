"""Audio features from ReccoBeats for tracks with a Spotify id (40 ids per call).

ReccoBeats answers only for tracks it knows and with its own ``id``, so results are
matched back by the Spotify id at the end of each ``href``, never by position; tracks
it lacks stay without features for the next provider. Failures after the HTTP
layer's retries leave the tracks to the next provider too.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from yarl import URL

from bot.config import Settings
from bot.errors import ProviderDown
from bot.features.cache import FeatureCache, Features, lookup
from bot.features.spotify import audio_values
from bot.http import HttpClient, HttpError
from bot.model import ProgressCallback, Track, no_progress

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


class ReccoBeatsFeatures:
    """FeatureProvider "reccobeats": fills ``Track.audio`` for tracks with a Spotify id."""

    name = "reccobeats"
    family = "provider"
    #: Part of the feature-cache key and of the pipeline's cache variant.
    version = VERSION
    #: Ids per request: the pipeline asks batch by batch while pages arrive.
    batch_size = BATCH
    stage = "Audio features (ReccoBeats)"

    def __init__(
        self,
        http: HttpClient,
        *,
        api_base: str,
        concurrency: int = 8,
        cache: FeatureCache | None = None,
    ) -> None:
        self.http = http
        self.api_base = api_base.rstrip("/")
        self.concurrency = concurrency
        self.cache = cache

    @classmethod
    def from_settings(
        cls, settings: Settings, http: HttpClient, cache: FeatureCache | None = None
    ) -> ReccoBeatsFeatures:
        return cls(
            http,
            api_base=settings.reccobeats_api_base,
            concurrency=settings.http_concurrency,
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

    async def enrich(
        self, tracks: Sequence[Track], progress: ProgressCallback = no_progress
    ) -> int:
        """Features for tracks still lacking them; returns how many got some."""
        todo = [t for t in tracks if t.audio is None and t.spotify_id]
        if not todo:
            return 0
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
            log.warning("ReccoBeats audio features skipped: %s", exc)
            return 0
        count = 0
        for track in todo:
            values = found.get(track.spotify_id or "")
            if values:
                track.audio = dict(values)
                track.audio_provider = self.name
                count += 1
        return count
