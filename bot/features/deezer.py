"""Tempo and loudness from Deezer's ``/track/{id}`` (``bpm``, ``gain``), one call per track.

Only for tracks no better provider covered: no ``Track.audio`` and no preview features.
Deezer tracks are looked up by the id in their Deezer link; other tracks by ISRC
(``/track/isrc:{ISRC}``). ``bpm`` 0 means unknown and is left out.

Why these two go into ``Track.audio`` (the Spotify-scale family): ``bpm`` is beats per
minute, the unit of Spotify's ``tempo``, and ``gain`` is the track's loudness in
decibels, the unit of Spotify's ``loudness`` (both negative dB around -5 to -15 for
mastered pop). The other seven Spotify columns stay missing for these tracks and are
filled with the column median by the feature table, so a playlist mostly covered by
ReccoBeats keeps its full columns and a Deezer-only playlist clusters on tempo and
loudness plus metadata. The provider records ``audio_provider = "deezer"``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from bot.config import Settings
from bot.errors import PlaylistUnavailable, ProviderDown
from bot.features.cache import FeatureCache, Features, lookup
from bot.http import HttpClient, HttpError
from bot.model import ProgressCallback, Track, no_progress

log = logging.getLogger(__name__)

VERSION = 1
DEEZER_TRACK_URL = re.compile(r"deezer\.com/(?:[a-z]{2}(?:-[a-z]{2})?/)?track/(\d+)")


def deezer_track_id(track: Track) -> str | None:
    """The Deezer id in the track's link, if it is a Deezer track."""
    match = DEEZER_TRACK_URL.search(track.url)
    return match.group(1) if match else None


def bpm_gain(payload: object) -> Features:
    """``tempo`` from a positive ``bpm`` and ``loudness`` from a numeric ``gain``."""
    if not isinstance(payload, dict):
        return {}
    out: Features = {}
    bpm, gain = payload.get("bpm"), payload.get("gain")
    if isinstance(bpm, int | float) and not isinstance(bpm, bool) and bpm > 0:
        out["tempo"] = float(bpm)
    if isinstance(gain, int | float) and not isinstance(gain, bool):
        out["loudness"] = float(gain)
    return out


class DeezerFeatures:
    """FeatureProvider "deezer": tempo and loudness for tracks nothing better covered."""

    name = "deezer"
    family = "provider"
    #: Part of the feature-cache key and of the pipeline's cache variant.
    version = VERSION

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
    ) -> DeezerFeatures:
        return cls(
            http,
            api_base=settings.deezer_api_base,
            concurrency=settings.http_concurrency,
            cache=cache,
        )

    async def _one(self, path_key: str) -> Features:
        try:
            payload = await self.http.get_json(f"{self.api_base}/track/{path_key}")
        except (PlaylistUnavailable, HttpError):
            return {}  # Deezer does not know this track (error 800) or refused the id
        return bpm_gain(payload)

    async def _by_id(self, keys: list[str]) -> dict[str, Features]:
        out: dict[str, Features] = {}
        for key in keys:
            values = await self._one(key)
            if values:
                out[key] = values
        return out

    async def _by_isrc(self, keys: list[str]) -> dict[str, Features]:
        out: dict[str, Features] = {}
        for key in keys:
            values = await self._one(f"isrc:{key}")
            if values:
                out[key] = values
        return out

    async def enrich(
        self, tracks: Sequence[Track], progress: ProgressCallback = no_progress
    ) -> int:
        """Tempo/loudness for tracks without audio or preview features; how many got some."""
        todo: list[tuple[Track, str, str]] = []  # (track, cache source, id or ISRC)
        for track in tracks:
            if track.audio is not None or track.preview_features is not None:
                continue
            did = deezer_track_id(track)
            if did:
                todo.append((track, "deezer", did))
            elif track.isrc:
                todo.append((track, "isrc", track.isrc))
        found: dict[tuple[str, str], Features] = {}
        try:
            for source, fetch in (("deezer", self._by_id), ("isrc", self._by_isrc)):
                keys = [key for _, s, key in todo if s == source]
                if keys:
                    result = await lookup(
                        keys,
                        source=source,
                        provider=self.name,
                        version=VERSION,
                        cache=self.cache,
                        batch_size=1,
                        concurrency=self.concurrency,
                        fetch=fetch,
                        progress=progress,
                        stage="Audio features (Deezer)",
                    )
                    found.update({(source, k): v for k, v in result.items()})
        except ProviderDown as exc:
            log.warning("Deezer tempo/loudness skipped: %s", exc)
        count = 0
        for track, source, key in todo:
            values = found.get((source, key))
            if values:
                track.audio = dict(values)
                track.audio_provider = self.name
                count += 1
        return count
