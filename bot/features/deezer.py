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
import logging
import re
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence

from bot.errors import PlaylistUnavailable, ProviderDown
from bot.features.cache import FeatureCache, Features
from bot.model import ProgressCallback, Track, no_progress
from bot.net.client import HttpClient, HttpError
from bot.patience import waits_for_all
from bot.settings.groups import DeezerSettings
from bot.tasks import TASKS_PER_REQUEST, BackgroundTasks

log = logging.getLogger(__name__)

VERSION = 1
STAGE = "Audio features (Deezer)"
#: Found features are written to the cache every this many.
SAVE_EVERY = 25
#: Requests in flight for lookups that go on after the answer.
BACKGROUND_LANES = 1
#: Finished prefetch answers kept for the enrichment that follows.
MEMORY = 20_000
#: (cache source, key): ("deezer", Deezer track id) or ("isrc", ISRC).
Key = tuple[str, str]
DEEZER_TRACK_URL = re.compile(r"deezer\.com/(?:[a-z]{2}(?:-[a-z]{2})?/)?track/(\d+)")


def deezer_track_id(track: Track) -> str | None:
    """The Deezer id of the track: its own (a Deezer track's link) or its match's."""
    if track.deezer_id:
        return track.deezer_id
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

    It runs at full width until the answer waiting for it reaches ``deadline`` (loop
    time); then the provider either narrows it to one lane in the background or stops
    it (see ``_past_deadline``). A prefetch nobody waits for yet keeps its full width:
    it overlaps work the answer waits for anyway.
    """

    def __init__(
        self, provider: DeezerFeatures, keys: list[Key], lanes: int, deadline: float
    ) -> None:
        self.provider = provider
        self.keys = keys
        self.queue = deque(keys)
        self.lanes = lanes
        self.deadline = deadline
        self.asked: set[Key] = set()
        self.found: dict[Key, Features] = {}
        self.unsaved: dict[Key, Features] = {}
        self.progress: Callable[[], None] = lambda: None
        self.task: asyncio.Task[None] | None = None
        self.expired = False
        self.prefetch = False
        #: The answer token of a prefetch (see :meth:`DeezerFeatures.cancel_prefetch`).
        self.answer: object = None

    async def run(self, check_cache: bool) -> None:
        try:
            if check_cache:  # a prefetch: some may be cached already
                cached = await self.provider._cached(list(self.queue))
                self.found.update(cached)
                self.asked.update(cached)
                self.queue = deque(k for k in self.queue if k not in cached)
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
    ``budget`` seconds from when they start. With ``background`` (the bot) and a
    cache, what does not fit goes on in the background, one request at a time, into
    the feature cache, so the next answer is fuller; otherwise (the CLI, which exits)
    it stops at the budget. :meth:`enrich_bounded` says how many tracks were left.
    :meth:`prefetch` starts the lookups early, while a playlist's pages and other
    features are still arriving, for tracks sure to need them.
    """

    name = "deezer"
    family = "provider"
    #: Part of the feature-cache key and of the pipeline's cache variant.
    version = VERSION
    #: What this provider's features are, for the answer's summary.
    columns = "tempo and loudness only"
    #: How many of the provider audio columns it fills (tempo, loudness).
    width = 2

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
        #: The lookup (on an answer's path, early, or in the background) of each key.
        self._fills: dict[Key, _Fill] = {}
        self._tasks = BackgroundTasks()
        #: Answers of finished prefetches ({} = Deezer does not know the track), taken
        #: by the enrichment that follows; the oldest go beyond MEMORY entries.
        self._answered: OrderedDict[Key, Features] = OrderedDict()
        #: The shared deadline of each answer's prefetches (see :meth:`prefetch`).
        self._deadlines: weakref.WeakKeyDictionary[object, float] = weakref.WeakKeyDictionary()

    @classmethod
    def from_settings(
        cls,
        deezer: DeezerSettings,
        http: HttpClient,
        cache: FeatureCache | None = None,
        *,
        background: bool = False,
    ) -> DeezerFeatures:
        return cls(
            http,
            api_base=deezer.api_base,
            concurrency=deezer.concurrency,
            cache=cache,
            budget=deezer.track_budget_seconds,
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

    def _start(self, keys: list[Key], *, check_cache: bool, deadline: float | None = None) -> _Fill:
        """Start looking ``keys`` up, at full width until ``deadline`` (default: ``budget``
        seconds from now)."""
        loop = asyncio.get_running_loop()
        if deadline is None:
            budget = None if waits_for_all() else self.budget
            deadline = loop.time() + (float("inf") if budget is None else budget)
        fill = _Fill(self, keys, self.concurrency * TASKS_PER_REQUEST, deadline)
        fill.prefetch = check_cache
        for key in keys:
            self._fills[key] = fill
        fill.task = loop.create_task(fill.run(check_cache))
        self._tasks.add(fill.task)
        fill.task.add_done_callback(lambda task: self._finished(fill, task))
        return fill

    def _past_deadline(self, fill: _Fill) -> None:
        """The budget is spent: go on in the background (the bot) or stop (the CLI)."""
        assert fill.task is not None
        if fill.task.done() or fill.expired:
            return
        fill.expired = True
        fill.progress = lambda: None
        if self.background:
            fill.lanes = BACKGROUND_LANES
            log.info("Deezer tempo/loudness: %d tracks left to the background", len(fill.queue))
        else:
            fill.task.cancel()

    def _finished(self, fill: _Fill, task: asyncio.Task[None]) -> None:
        for key in fill.keys:
            if self._fills.get(key) is fill:
                del self._fills[key]
        if fill.prefetch:
            for key in fill.asked:
                self._answered[key] = fill.found.get(key, {})
            while len(self._answered) > MEMORY:
                self._answered.popitem(last=False)
        if not task.cancelled() and task.exception() is not None:
            log.error("Deezer tempo/loudness lookups failed", exc_info=task.exception())

    def prefetch(self, tracks: Sequence[Track], answer: object = None) -> None:
        """Start the lookups of tracks that will need them whatever comes before this
        provider: no audio features so far and no preview to analyse.

        Calls with the same ``answer`` token (one playlist's pages, batch by batch)
        share one deadline: ``budget`` seconds from the first of them.
        """
        keys = [
            key
            for t in tracks
            if not t.preview_url and (key := track_key(t)) is not None and key not in self._fills
        ]
        if not keys:
            return
        deadline = None
        if answer is not None and self.budget is not None and not waits_for_all():
            deadline = self._deadlines.setdefault(
                answer, asyncio.get_running_loop().time() + self.budget
            )
        fill = self._start(list(dict.fromkeys(keys)), check_cache=True, deadline=deadline)
        fill.answer = answer

    def cancel_prefetch(self, answer: object) -> None:
        """Stop the prefetches made for ``answer`` (its enrichment will not wait for
        them: the stream found full features covering the playlist); what they found
        so far is cached and remembered as usual."""
        if answer is None:
            return
        for fill in {f for f in self._fills.values() if f.answer is answer}:
            if fill.task is not None:
                fill.task.cancel()
        self._deadlines.pop(answer, None)

    async def enrich(
        self, tracks: Sequence[Track], progress: ProgressCallback = no_progress
    ) -> int:
        """Tempo/loudness for tracks without audio or preview features; how many got some."""
        count, _ = await self.enrich_bounded(tracks, progress)
        return count

    async def enrich_bounded(
        self, tracks: Sequence[Track], progress: ProgressCallback = no_progress
    ) -> tuple[int, int]:
        """Like :meth:`enrich`: (tracks that got features, tracks left past the budget).

        Keys already being looked up (prefetched, or by another answer) are waited for
        until their own deadline; the others are looked up with ``budget`` from now.
        """
        todo = [(t, k) for t in tracks if (k := track_key(t)) is not None]
        keys = list(dict.fromkeys(k for _, k in todo))
        answered = {k: self._answered.pop(k) for k in keys if k in self._answered}
        found = {k: v for k, v in answered.items() if v}
        found |= await self._cached([k for k in keys if k not in self._fills and k not in answered])
        fills = {self._fills[k] for k in keys if k in self._fills}
        missing = [k for k in keys if k not in found and k not in answered and k not in self._fills]
        if missing:
            fills.add(self._start(missing, check_cache=False))
        if keys:

            def report() -> None:
                done = len(found) + sum(len(f.asked) for f in fills)
                progress(STAGE, min(done, len(keys)), len(keys))

            for fill in fills:
                fill.progress = report
            report()
        await self._wait(fills)
        for fill in fills:
            found.update(fill.found)
        for key in keys:
            self._answered.pop(key, None)  # taken now: a later answer asks afresh
        count = deferred = 0
        for track, key in todo:
            values = found.get(key)
            if values:
                track.audio = dict(values)
                track.audio_provider = self.name
                count += 1
            elif key in self._fills and key not in self._fills[key].asked:
                deferred += 1  # still queued or in flight
        return count, deferred

    async def _wait(self, fills: set[_Fill]) -> None:
        """Wait for ``fills`` until the last of their deadlines; raise what broke one."""
        tasks = {f.task for f in fills if f.task is not None}
        if not tasks:
            return
        loop = asyncio.get_running_loop()
        patient = waits_for_all()  # (bot.patience: a weekly post waits for every lookup)
        deadline = float("inf") if patient else max(f.deadline for f in fills)
        if self.budget is not None and not patient:  # a patient fill's inf is not ours
            deadline = min(deadline, loop.time() + self.budget)
        timeout = None if deadline == float("inf") else max(0.0, deadline - loop.time())
        await asyncio.wait(tasks, timeout=timeout)
        for fill in fills:
            if not patient and fill.deadline <= loop.time():
                self._past_deadline(fill)  # now, not a moment later: the answer is going out
        for task in tasks:
            if task.done() and not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]

    def deferred_note(self, count: int) -> str:
        """The answer's sentence about ``count`` tracks left past the budget."""
        from bot.render.summary import DEEZER_BACKGROUND, DEEZER_BUDGET, counted  # (not at import)

        if self.background:
            return counted(DEEZER_BACKGROUND, count)
        return counted(DEEZER_BUDGET, count, budget=f"{self.budget:g}")

    async def wait_background(self) -> None:
        """Wait until every background lookup has finished (tests, orderly shutdown)."""
        await self._tasks.wait()

    async def aclose(self) -> None:
        """Stop background lookups (before the cache they write to closes)."""
        await self._tasks.aclose()
