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

import asyncio
import contextlib
import logging
import re
from collections import deque
from collections.abc import Callable, Sequence

from bot.config import Settings
from bot.errors import PlaylistUnavailable, ProviderDown
from bot.features.cache import FeatureCache, Features
from bot.http import HttpClient, HttpError
from bot.model import ProgressCallback, Track, no_progress
from bot.tasks import TASKS_PER_REQUEST

log = logging.getLogger(__name__)

VERSION = 1
STAGE = "Audio features (Deezer)"
#: Found features are written to the cache every this many.
SAVE_EVERY = 25
#: Requests in flight for lookups that go on after the answer.
BACKGROUND_LANES = 1
#: (cache source, key): ("deezer", Deezer track id) or ("isrc", ISRC).
Key = tuple[str, str]
DEEZER_TRACK_URL = re.compile(r"deezer\.com/(?:[a-z]{2}(?:-[a-z]{2})?/)?track/(\d+)")


def deezer_track_id(track: Track) -> str | None:
    """The Deezer id in the track's link, if it is a Deezer track."""
    match = DEEZER_TRACK_URL.search(track.url)
    return match.group(1) if match else None


def track_key(track: Track) -> Key | None:
    """How to look a track up, or None when it needs no lookup (it has features) or has
    no way to be looked up (neither a Deezer link nor an ISRC)."""
    if track.audio is not None or track.preview_features is not None:
        return None
    did = deezer_track_id(track)
    if did:
        return ("deezer", did)
    return ("isrc", track.isrc) if track.isrc else None


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


class _Fill:
    """Per-track lookups of ``keys``, a few lanes at a time, saved to the cache as they come.

    ``lanes`` may shrink while it runs (the answer has gone; the rest fills the cache
    in the background without crowding out other requests to Deezer).
    """

    def __init__(self, provider: DeezerFeatures, keys: list[Key], lanes: int) -> None:
        self.provider = provider
        self.queue = deque(keys)
        self.lanes = lanes
        self.asked: set[Key] = set()
        self.found: dict[Key, Features] = {}
        self.unsaved: dict[Key, Features] = {}
        self.progress: Callable[[], None] = lambda: None

    async def run(self) -> None:
        try:
            async with asyncio.TaskGroup() as group:
                for lane in range(self.lanes):
                    group.create_task(self._lane(lane))
        except* ProviderDown as errors:
            log.warning("Deezer tempo/loudness skipped: %s", errors.exceptions[0])
        finally:
            try:
                await self.save()
            except Exception:  # a closed or full cache must not turn into a failed answer
                log.warning("could not cache Deezer tempo/loudness", exc_info=True)

    async def _lane(self, lane: int) -> None:
        while self.queue and lane < self.lanes:
            key = self.queue.popleft()
            values = await self.provider.look_up(key)
            self.asked.add(key)
            if values:
                self.found[key] = self.unsaved[key] = values
            self.progress()
            if len(self.unsaved) >= SAVE_EVERY:
                await self.save()

    async def save(self) -> None:
        """Write what was found since the last save to the feature cache."""
        cache = self.provider.cache
        if cache is None or not self.unsaved:
            return
        batch, self.unsaved = self.unsaved, {}
        for source in {s for s, _ in batch}:
            values = {key: v for (s, key), v in batch.items() if s == source}
            await cache.put_features(source, values, self.provider.name, VERSION)


class DeezerFeatures:
    """FeatureProvider "deezer": tempo and loudness for tracks nothing better covered.

    One request per track at Deezer's rate (about 9 a second), so the lookups get
    ``budget`` seconds on the answer's path. With ``background`` (the bot) and a
    cache, what does not fit goes on in the background, one request at a time, into
    the feature cache, so the next answer is fuller; otherwise (the CLI, which exits)
    it stops at the budget. :meth:`enrich_bounded` says how many tracks were left.
    """

    name = "deezer"
    family = "provider"
    #: Part of the feature-cache key and of the pipeline's cache variant.
    version = VERSION
    #: What this provider's features are, for the answer's summary.
    columns = "tempo and loudness only"

    def __init__(
        self,
        http: HttpClient,
        *,
        api_base: str,
        concurrency: int = 8,
        cache: FeatureCache | None = None,
        budget: float | None = None,
        background: bool = False,
    ) -> None:
        self.http = http
        self.api_base = api_base.rstrip("/")
        self.concurrency = concurrency
        self.cache = cache
        self.budget = budget if budget is None or budget >= 0 else None
        self.background = background and cache is not None
        #: Keys some lookup (on an answer's path or in the background) is working on.
        self._filling: set[Key] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        http: HttpClient,
        cache: FeatureCache | None = None,
        *,
        background: bool = False,
    ) -> DeezerFeatures:
        return cls(
            http,
            api_base=settings.deezer_api_base,
            concurrency=settings.http_concurrency,
            cache=cache,
            budget=settings.deezer_track_budget_seconds,
            background=background,
        )

    async def look_up(self, key: Key) -> Features:
        """Tempo/loudness of one track by its Deezer id or ISRC (empty when unknown)."""
        source, value = key
        path = value if source == "deezer" else f"isrc:{value}"
        try:
            payload = await self.http.get_json(f"{self.api_base}/track/{path}")
        except (PlaylistUnavailable, HttpError):
            return {}  # Deezer does not know this track (error 800) or refused the id
        return bpm_gain(payload)

    async def _cached(self, keys: list[Key]) -> dict[Key, Features]:
        if self.cache is None:
            return {}
        found: dict[Key, Features] = {}
        for source in ("deezer", "isrc"):
            ids = [k for s, k in keys if s == source]
            if ids:
                got = await self.cache.get_features(source, ids, self.name, VERSION)
                found.update({(source, k): v for k, v in got.items() if v})
        return found

    async def enrich(
        self, tracks: Sequence[Track], progress: ProgressCallback = no_progress
    ) -> int:
        """Tempo/loudness for tracks without audio or preview features; how many got some."""
        count, _ = await self.enrich_bounded(tracks, progress)
        return count

    async def enrich_bounded(
        self, tracks: Sequence[Track], progress: ProgressCallback = no_progress
    ) -> tuple[int, int]:
        """Like :meth:`enrich`: (tracks that got features, tracks left past the budget)."""
        todo = [(t, k) for t in tracks if (k := track_key(t)) is not None]
        keys = list(dict.fromkeys(k for _, k in todo))
        found = await self._cached(keys)
        busy = {k for k in keys if k not in found and k in self._filling}
        fill = _Fill(
            self,
            [k for k in keys if k not in found and k not in busy],
            self.concurrency * TASKS_PER_REQUEST,
        )
        if keys:
            fill.progress = lambda: progress(STAGE, len(found) + len(fill.asked), len(keys))
            fill.progress()
        pending = set(fill.queue)
        if fill.queue:
            await self._run_within_budget(fill)
        found.update(fill.found)
        pending = busy | (pending - fill.asked)  # not answered yet, here or elsewhere
        count = deferred = 0
        for track, key in todo:
            values = found.get(key)
            if values:
                track.audio = dict(values)
                track.audio_provider = self.name
                count += 1
            elif key in pending:
                deferred += 1
        return count, deferred

    async def _run_within_budget(self, fill: _Fill) -> None:
        """Run ``fill`` for at most ``budget`` seconds; then background or stop."""
        keys = list(fill.queue)
        self._filling.update(keys)
        task = asyncio.get_running_loop().create_task(fill.run())
        task.add_done_callback(lambda _: self._filling.difference_update(keys))
        try:
            done, _ = await asyncio.wait({task}, timeout=self.budget)
        except asyncio.CancelledError:
            task.cancel()
            raise
        if done:
            task.result()
            return
        fill.progress = lambda: None
        if self.background:
            fill.lanes = BACKGROUND_LANES
            self._tasks.add(task)
            task.add_done_callback(self._background_done)
            log.info("Deezer tempo/loudness: %d tracks left to the background", len(fill.queue))
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    def _background_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background Deezer lookups failed", exc_info=task.exception())

    def deferred_note(self, count: int) -> str:
        """The answer's sentence about ``count`` tracks left past the budget."""
        noun = "track" if count == 1 else "tracks"
        if self.background:
            return (
                f"Deezer's tempo and loudness of {count:,} more {noun} are being looked up "
                "in the background: ask again in a few minutes for a fuller answer."
            )
        return (
            f"Deezer's tempo and loudness of {count:,} more {noun} were not looked up "
            f"within the {self.budget:g} s budget (DEEZER_TRACK_BUDGET_SECONDS)."
        )

    async def wait_background(self) -> None:
        """Wait until every background lookup has finished (tests, orderly shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        """Stop background lookups (before the cache they write to closes)."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
