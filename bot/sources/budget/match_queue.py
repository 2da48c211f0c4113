"""One playlist's Deezer match lookups, most needed first, within an answer's time budget.

Deezer allows about 45 requests in any 5 s, and a playlist read from a public page
needs one search per track plus one ``/album/{id}`` per distinct album: ~195 requests,
~20 s, for 100 tracks. Not all of it is worth an answer's wait, so a
:class:`MatchQueue` asks in this order (:func:`priority`):

0. searches of tracks with no Spotify id (YouTube Music, Apple Music): their audio
   features come only through the match (Deezer's tempo/loudness, its preview);
1. searches of tracks with a Spotify id but no audio features yet (ReccoBeats may lack
   them: then the match's preview is what can be analysed);
2. searches of tracks that already have their features: the match only adds album
   and art;
3. album details (``/album/{id}``: label, genres, year) of the matched tracks.

The answer waiting for it (:func:`wait`) waits until every lookup is done or, with a
deadline, until the deadline has passed and no search of priority 0 or 1 is left;
past the deadline only those start. What is left then goes on in the background at
``BACKGROUND_LANES`` requests at a time (:meth:`MatchQueue.seal`), and its results
reach the match cache when the queue ends (``on_done``). The queue never writes to
the tracks it reads: the caller applies ``entries`` and ``albums`` to its own tracks,
so a lookup landing after the answer cannot change an analysis being computed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from bot.model import Track
from bot.tasks import TASKS_PER_REQUEST

log = logging.getLogger(__name__)

#: Requests in flight for lookups that go on after the answer (as Deezer's tempo ones).
BACKGROUND_LANES = 1
#: Priority of album details, after every search.
ALBUM = 3
#: Priorities an answer waits for even past its budget: features depend on them.
NEEDED = 2

Search = Callable[[Track], Awaitable[dict[str, Any] | None]]
Album = Callable[[str], Awaitable[dict[str, Any]]]


def priority(track: Track) -> int:
    """How much the analysis needs this track's match: 0 most (see the module doc)."""
    if not track.spotify_id:
        return 0
    if track.audio is None and track.preview_features is None:
        return 1
    return 2


def album_to_ask(track: Track, entry: dict[str, Any] | None) -> str | None:
    """The Deezer album id whose details the match of ``track`` needs, if any: only when
    the track had no album id of its own (the match gives it ``deezer:<id>``)."""
    if entry is None or track.album_id:
        return None
    album = entry.get("album")
    aid = album.get("id") if isinstance(album, dict) else None
    if isinstance(aid, bool) or not isinstance(aid, int | str) or not str(aid).isdigit():
        return None
    return str(aid)


class MatchQueue:
    """Searches and album lookups of ``tracks``, a few lanes at a time, by priority.

    ``search`` returns the accepted Deezer entry or None (no match) and raises one of
    ``failures`` when Deezer failed (the track is then in :attr:`failed`, not
    remembered); ``album`` returns the details ({} when Deezer has none) or raises one
    of ``failures`` likewise.
    """

    def __init__(
        self,
        tracks: Sequence[Track],
        search: Search,
        album: Album,
        *,
        lanes: int,
        failures: tuple[type[Exception], ...] = (),
    ) -> None:
        self.tracks = list(tracks)
        self.search = search
        self.album = album
        self.lanes = lanes
        #: What ``search`` raises when Deezer failed (the track is left unmatched).
        self.failures = failures
        #: Tracks not yet searched, and album ids not yet asked, in asking order.
        self.waiting: list[Track] = list(tracks)
        self.album_queue: list[str] = []
        self.asked_albums: set[str] = set()
        #: Searches and album lookups being asked now.
        self.searching: set[str] = set()
        #: Done searches: the accepted entry, or None for no match.
        self.entries: dict[str, dict[str, Any] | None] = {}
        #: The album id whose details each done search needs (None: none).
        self.album_of: dict[str, str | None] = {}
        self.failed: set[str] = set()
        #: Album details by Deezer album id ({}: Deezer has none), and the albums whose
        #: lookup failed (their tracks are not remembered: asked again next time).
        self.albums: dict[str, dict[str, Any]] = {}
        self.albums_failed: set[str] = set()
        self.progress: Callable[[], None] = lambda: None
        #: Called (awaited) when every lookup is done, with the queue: the cache write.
        self.on_done: Callable[[MatchQueue], Awaitable[None]] | None = None
        #: Loop time past which only needed searches start until :meth:`seal`.
        self.deadline = float("inf")
        self.sealed = False
        #: An answer waits for every lookup (bot.patience): never held nor narrowed.
        self.patient = False
        self._sealed = asyncio.Event()
        self.changed = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    def start(self) -> asyncio.Task[None]:
        self.task = asyncio.get_running_loop().create_task(self.run())
        return self.task

    async def run(self) -> None:
        # a lane leaves when it finds nothing to ask, or the queue narrowed past it:
        # an album named by a search that ended meanwhile gets lanes again here
        while self.waiting or self.album_queue:
            if self._held() and not any(priority(t) < NEEDED for t in self.waiting):
                await self._sealed.wait()  # past the budget: the rest waits for the answer
            try:
                async with asyncio.TaskGroup() as group:
                    for lane in range(self.lanes):
                        group.create_task(self._lane(lane))
            except BaseExceptionGroup as broken:  # a bug, not a refusal: say it plainly
                raise broken.exceptions[0] from None
        if self.on_done is not None:
            await self.on_done(self)

    def _held(self) -> bool:
        """Past the deadline and not yet sealed: only needed searches may start (what is
        cut must not take Deezer's window from the lookups the answer still waits for,
        such as the tempo lookups that follow the matching)."""
        return not self.sealed and asyncio.get_running_loop().time() >= self.deadline

    def wait_for_all(self) -> None:
        """A patient answer (a weekly post) waits on this queue: no deadline holds it any
        more, and no impatient answer narrows it (one sealed before stays narrow)."""
        self.patient = True
        self.deadline = float("inf")
        self._sealed.set()  # a queue held past its deadline goes on at once

    def _next(self) -> tuple[int, Track | str] | None:
        """The most needed lookup that may start now, taken off its queue (None: none)."""
        held = self._held()
        if self.waiting:
            best = min(range(len(self.waiting)), key=lambda i: priority(self.waiting[i]))
            track = self.waiting[best]
            rank = priority(track)
            if rank < (NEEDED if held else ALBUM):
                del self.waiting[best]
                return rank, track
        if self.album_queue and not held:
            return ALBUM, self.album_queue.pop(0)
        return None

    async def _lane(self, lane: int) -> None:
        while lane < self.lanes and (job := self._next()) is not None:
            _, item = job
            if isinstance(item, Track):
                await self._search(item)
            else:
                await self._album(item)
            self.changed.set()

    async def _album(self, aid: str) -> None:
        try:
            self.albums[aid] = await self.album(aid)
        except self.failures as exc:
            log.info("Deezer album %s failed: %s", aid, exc)
            self.albums_failed.add(aid)

    async def _search(self, track: Track) -> None:
        self.searching.add(track.id)
        try:
            entry = await self.search(track)
        except self.failures as exc:
            log.info("Deezer match of %s failed: %s", track.id, exc)
            self.failed.add(track.id)
            return
        finally:
            self.searching.discard(track.id)
        self.entries[track.id] = entry
        # (read now: the caller's own copy of the track gets the album id when applied)
        aid = self.album_of[track.id] = album_to_ask(track, entry)
        if aid is not None and aid not in self.asked_albums:
            self.asked_albums.add(aid)
            self.album_queue.append(aid)
        self.progress()

    def searched(self, track_id: str) -> bool:
        """Whether the search of this track is done (matched, unmatched or failed)."""
        return track_id in self.entries or track_id in self.failed

    def needed_left(self) -> bool:
        """Whether a search the features depend on is still queued or being asked."""
        by_id = {t.id: t for t in self.tracks}
        return any(priority(t) < NEEDED for t in self.waiting) or any(
            priority(by_id[i]) < NEEDED for i in self.searching if i in by_id
        )

    def pending(self, track: Track) -> bool:
        """Whether a lookup of ``track`` (its search or its album's details) is not done."""
        if track.id in self.failed:
            return False
        if track.id not in self.entries:
            return True
        aid = self.album_of.get(track.id)
        return aid is not None and aid not in self.albums and aid not in self.albums_failed

    def complete(self, track_id: str) -> bool:
        """Whether every lookup of this track was answered (what may be remembered)."""
        if track_id not in self.entries:
            return False
        aid = self.album_of.get(track_id)
        return aid is None or aid in self.albums

    def seal(self, *, patient: bool = False) -> None:
        """The answer is going out: the rest goes on in the background, narrowly (not
        while a patient answer, a weekly post's, still waits for it, unless ``patient``:
        that answer itself gave up, e.g. its job timed out)."""
        if self.sealed or (self.patient and not patient):
            return
        self.sealed = True
        self._sealed.set()
        self.progress = lambda: None
        self.lanes = BACKGROUND_LANES
        log.info(
            "Deezer matching: %d searches and %d albums left to the background",
            len(self.waiting),
            len(self.album_queue),
        )


async def wait(queues: set[MatchQueue], deadline: float) -> None:
    """Wait for ``queues`` until each is done, or ``deadline`` (loop time) has passed and
    none has a needed search left; raise what broke a queue on the answer's path."""
    try:
        await _wait(queues, deadline)
    finally:  # whatever happens to the answer, the queues go on without it
        for queue in queues:
            if queue.task is not None and not queue.task.done():
                queue.seal(patient=deadline == float("inf"))
    for queue in queues:
        task = queue.task
        broken = task is not None and task.done() and not task.cancelled() and task.exception()
        if broken and not queue.sealed:
            raise broken


async def _wait(queues: set[MatchQueue], deadline: float) -> None:
    loop = asyncio.get_running_loop()
    while True:
        running = {q for q in queues if q.task is not None and not q.task.done()}
        left = deadline - loop.time()
        timeout = None if left <= 0 or left == float("inf") else left
        if not running or (left <= 0 and not any(q.needed_left() for q in running)):
            break
        for queue in running:
            queue.changed.clear()
        signals = [asyncio.ensure_future(q.changed.wait()) for q in running]
        tasks: set[asyncio.Future[Any]] = {q.task for q in running if q.task is not None}
        try:
            await asyncio.wait(
                tasks | set(signals),
                timeout=timeout,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            for signal in signals:
                signal.cancel()


def lanes_for(concurrency: int) -> int:
    """Lanes of a queue on an answer's path: as many as the matcher had before."""
    return max(1, concurrency * TASKS_PER_REQUEST)
