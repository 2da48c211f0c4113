"""Tracks from other services matched to Deezer: album, label, cover art, preview, id.

Spotify's embed page, YouTube Music and Apple Music list title, artists and duration
but no album label or art (and, but for the Spotify API, no ISRC). Each such track is
looked up on Deezer, which needs no key:

1. by ISRC when the track has one: ``GET /track/isrc:{ISRC}`` (a full track, or
   error 800 when Deezer does not know it);
2. else by Deezer's advanced search ``GET /search/track?q=artist:"A" track:"T"``,
   accepted only by :func:`bot.sources.matching.best` (duration within 3 s,
   normalised artist and title agreeing): a wrong match is worse than none.

Matched tracks get ``deezer_id`` (so Deezer's tempo/loudness provider finds them),
the album's title, cover and, from ``GET /album/{id}`` (once per distinct album),
label, genres and release year, where the source gave none; and Deezer's preview
for preview analysis. Unmatched tracks are counted (``Playlist.matched`` says how many
matched) and kept as they are.

Matches are remembered in the playlist cache under ``("match", "<source>:<id>")``,
one entry per source playlist holding every looked-up track's Deezer fields (no match
too), for ``MATCH_CACHE_DAYS``: a repeat costs no Deezer request. A failed or garbled
Deezer answer is never stored as a "no match".

The lookups run in a :class:`~bot.sources.budget.match_queue.MatchQueue`, most needed first;
the bot's answers wait for them up to a budget (``DEEZER_MATCH_BUDGET_SECONDS``), past
which what the features do not need goes on in the background (see that module).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from bot.errors import ProviderDown, UnusableAnswer
from bot.locales import N_
from bot.model import Playlist, PlaylistRef, ProgressCallback, Track, no_progress
from bot.net.client import DeezerNoData, HttpClient, HttpError
from bot.patience import waits_for_all
from bot.sources.budget.match_queue import MatchQueue, lanes_for, wait
from bot.sources.matching import Candidate, Wanted, best, search_query
from bot.tasks import BackgroundTasks

log = logging.getLogger(__name__)

STAGE = "Matching tracks on Deezer"
#: Search results asked per track: the right one is nearly always in the first few.
SEARCH_LIMIT = 10


class PlaylistStore(Protocol):
    """What the matcher needs of storage's cache: one playlist entry read and written."""

    async def get_playlist(self, ref: PlaylistRef) -> tuple[Playlist, datetime] | None: ...

    async def put_playlist(self, playlist: Playlist) -> None: ...


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def candidate(entry: Any) -> Candidate | None:
    """A search result (or an ISRC answer) as a Candidate; None when it is unreadable."""
    if not isinstance(entry, dict):
        return None
    tid = _int(entry.get("id"))
    artist = entry.get("artist")
    name = _text(artist.get("name")) if isinstance(artist, dict) else ""
    title = _text(entry.get("title"))
    if tid is None or not title:
        return None
    return Candidate(str(tid), title, name, _int(entry.get("duration")))


def wanted(track: Track) -> Wanted:
    seconds = None if track.duration_ms is None else round(track.duration_ms / 1000)
    return Wanted(track.title, track.artists, seconds)


def _album(entry: dict[str, Any]) -> dict[str, Any]:
    album = entry.get("album")
    return album if isinstance(album, dict) else {}


def apply_match(track: Track, entry: dict[str, Any]) -> Track:
    """Give ``track`` (in place: feature lookups may hold it) the Deezer entry's id, and
    its album, cover, preview and ISRC where it had none."""
    album = _album(entry)
    aid = _int(album.get("id"))
    track.deezer_id = str(_int(entry.get("id")))
    track.album = track.album or _text(album.get("title"))
    track.image = track.image or _text(album.get("cover_medium")) or _text(album.get("cover"))
    track.preview_url = track.preview_url or _text(entry.get("preview"))
    track.isrc = track.isrc or _text(entry.get("isrc"))
    track.album_id = track.album_id or (f"deezer:{aid}" if aid is not None else "")
    return track


def apply_album(track: Track, details: dict[str, Any]) -> None:
    """Label, genres and release year from ``/album/{id}`` where the track had none."""
    genres = details.get("genres")
    names = (
        tuple(_text(g.get("name")) for g in genres.get("data", []) if isinstance(g, dict))
        if isinstance(genres, dict) and isinstance(genres.get("data"), list)
        else ()
    )
    date = _text(details.get("release_date"))
    track.label = track.label or _text(details.get("label"))
    track.genres = track.genres or tuple(n for n in names if n)
    track.release_year = track.release_year or (int(date[:4]) if date[:4].isdigit() else None)


def _recall(track: Track, stored: Track) -> None:
    """Give ``track`` (in place) the match fields a cached lookup found (none: no match)."""
    if not stored.deezer_id:
        return
    track.deezer_id = stored.deezer_id
    track.album = track.album or stored.album
    track.label = track.label or stored.label
    track.image = track.image or stored.image
    track.genres = track.genres or stored.genres
    track.release_year = track.release_year or stored.release_year
    track.isrc = track.isrc or stored.isrc
    track.album_id = track.album_id or stored.album_id


class DeezerMatcher:
    """Finds the Deezer twin of each track of a playlist from another service.

    ``budget`` (seconds, None: no limit) bounds what an answer waits for: past it,
    with ``background`` and a cache (the bot), the searches the features do not need
    and the album details go on in the background into the match cache, and
    ``Playlist.match_pending`` says how many tracks still wait for theirs
    (:mod:`bot.sources.budget.match_queue`). Without ``background`` (the CLI, whose document
    wants everything) every lookup is waited for, whatever the budget; likewise for an
    analysis that waits for all (:mod:`bot.patience`: a weekly post).
    """

    def __init__(
        self,
        http: HttpClient,
        *,
        api_base: str,
        concurrency: int = 8,
        cache: PlaylistStore | None = None,
        max_age_seconds: float = 30 * 86_400,
        budget: float | None = None,
        background: bool = False,
    ) -> None:
        self.http = http
        self.api_base = api_base.rstrip("/")
        self.concurrency = concurrency
        self.cache = cache
        self.max_age_seconds = max_age_seconds
        self.background = background and cache is not None
        self.budget = budget if self.background and budget is not None and budget >= 0 else None
        #: The queue looking each (cache entry, track id) up now: never asked twice.
        self._queues: dict[tuple[PlaylistRef, str], MatchQueue] = {}
        self._tasks = BackgroundTasks()
        #: One cache write at a time: each merges into what the entry holds then.
        self._writing = asyncio.Lock()

    async def _get(self, path: str, params: dict[str, str | int] | None = None) -> Any:
        return await self.http.get_json(f"{self.api_base}{path}", params=params)

    async def _by_isrc(self, track: Track) -> dict[str, Any] | None:
        try:
            entry = await self._get(f"/track/isrc:{track.isrc}")
        except DeezerNoData:
            return None
        found = candidate(entry)
        if found is None:
            raise UnusableAnswer(N_("Deezer's answer about an ISRC has no track in it."))
        return entry

    async def _by_search(self, track: Track) -> dict[str, Any] | None:
        want = wanted(track)
        if want.seconds is None or not track.title:
            return None
        try:
            payload = await self._get(
                "/search/track", {"q": search_query(want), "limit": SEARCH_LIMIT}
            )
        except DeezerNoData:
            return None
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, list):
            raise UnusableAnswer(N_("Deezer's search answer has no result list in it."))
        entries = {c.id: e for e in data if (c := candidate(e)) is not None}
        chosen = best(want, [c for e in data if (c := candidate(e)) is not None])
        return None if chosen is None else entries[chosen.id]

    async def _entry(self, track: Track) -> dict[str, Any] | None:
        """The accepted Deezer entry of ``track`` or None (no twin); ProviderDown or
        HttpError when Deezer failed (not remembered: a later run asks again)."""
        entry = await self._by_isrc(track) if track.isrc else None
        return entry if entry is not None else await self._by_search(track)

    async def _album(self, aid: str) -> dict[str, Any]:
        """``/album/{id}`` ({}: Deezer has no such album); ProviderDown or HttpError when
        Deezer failed (the track's match is then not remembered: asked again later)."""
        try:
            details = await self._get(f"/album/{aid}")
        except DeezerNoData:
            return {}
        return details if isinstance(details, dict) else {}

    async def _remembered(self, key: PlaylistRef) -> dict[str, Track]:
        """The matches remembered in the cache entry ``key``, if young enough."""
        if self.cache is None:
            return {}
        try:
            found = await self.cache.get_playlist(key)
        except Exception:  # an unreadable cache only costs the requests
            log.warning("could not read Deezer matches of %s", key.id, exc_info=True)
            return {}
        if found is None:
            return {}
        memo, stored_at = found
        if (datetime.now(UTC) - stored_at).total_seconds() > self.max_age_seconds:
            return {}
        return {t.id: t for t in memo.tracks}

    async def match(self, playlist: Playlist, progress: ProgressCallback = no_progress) -> None:
        """Match every track in place; ``playlist.matched`` = how many have a Deezer twin
        now, ``playlist.match_pending`` = how many still wait for a lookup (the budget)."""
        loop = asyncio.get_running_loop()
        budget = None if waits_for_all() else self.budget
        deadline = loop.time() + (float("inf") if budget is None else budget)
        key = _memo_ref(playlist.ref)
        memo = await self._remembered(key)
        tracks = playlist.tracks
        for track in tracks:
            if track.id in memo:
                _recall(track, memo[track.id])
        asked = [t for t in tracks if t.id not in memo]
        queues = {self._queues[(key, t.id)] for t in asked if (key, t.id) in self._queues}
        fresh = [t for t in asked if (key, t.id) not in self._queues]
        if fresh:
            queues.add(self._start(key, fresh, deadline))
        owner = {t.id: self._queues[(key, t.id)] for t in asked}
        total = len(tracks)

        def report() -> None:
            searched = sum(1 for t in asked if owner[t.id].searched(t.id))
            progress(STAGE, total - len(asked) + searched, total)

        for queue in queues:
            if waits_for_all():
                queue.wait_for_all()  # (one another answer began, too: no longer held)
            if not queue.sealed:
                queue.progress = report
        report()
        await wait(queues, deadline)
        playlist.match_pending = sum(_applied(track, owner[track.id]) for track in asked)
        playlist.matched = sum(1 for t in tracks if t.deezer_id)

    def _start(self, key: PlaylistRef, tracks: Sequence[Track], deadline: float) -> MatchQueue:
        queue = MatchQueue(
            tracks,
            self._entry,
            self._album,
            lanes=lanes_for(self.concurrency),
            failures=(ProviderDown, HttpError),
        )
        queue.deadline = deadline
        queue.on_done = lambda q: self._remember(key, q)
        for track in tracks:
            self._queues[(key, track.id)] = queue
        task = queue.start()
        self._tasks.add(task)
        task.add_done_callback(lambda t: self._finished(key, queue, t))
        return queue

    def _finished(self, key: PlaylistRef, queue: MatchQueue, task: asyncio.Task[None]) -> None:
        for track in queue.tracks:
            if self._queues.get((key, track.id)) is queue:
                del self._queues[(key, track.id)]
        if queue.sealed and not task.cancelled() and task.exception() is not None:
            # nobody waits for it any more: a line in the log, never a traceback
            log.warning("background Deezer matching of %s stopped: %r", key.id, task.exception())

    async def _remember(self, key: PlaylistRef, queue: MatchQueue) -> None:
        """Add the finished lookups of ``queue`` to the cache entry (failures: not kept)."""
        if self.cache is None:
            return
        found = [
            memo_of(t, queue.entries[t.id], queue.album_of[t.id], queue.albums)
            for t in queue.tracks
            if queue.complete(t.id)
        ]
        if not found:
            return
        try:
            async with self._writing:
                kept = await self._remembered(key)  # another queue's, meanwhile
                kept.update({t.id: t for t in found})
                entry = Playlist(
                    ref=key, name="Deezer matches", tracks=list(kept.values()), snapshot=""
                )
                await self.cache.put_playlist(entry)
        except Exception:  # a full or closed cache must not fail the answer
            log.warning("could not cache Deezer matches of %s", key.id, exc_info=True)

    async def wait_background(self) -> None:
        """Wait until every lookup left to the background has finished (tests, benchmarks)."""
        await self._tasks.wait()

    async def aclose(self) -> None:
        """Stop background lookups (before the cache they write to closes)."""
        await self._tasks.aclose()


def _applied(track: Track, queue: MatchQueue) -> bool:
    """Give ``track`` (in place) what ``queue`` found for it; whether a lookup of it is
    still pending."""
    entry = queue.entries.get(track.id)
    aid = queue.album_of.get(track.id)
    if entry is not None:
        apply_match(track, entry)
    if aid is not None and queue.albums.get(aid):
        apply_album(track, queue.albums[aid])
    return queue.pending(track)


def memo_of(
    track: Track,
    entry: dict[str, Any] | None,
    aid: str | None,
    albums: dict[str, dict[str, Any]],
) -> Track:
    """What the cache keeps of a looked-up track: its id and the match's fields only
    (``aid``: the album whose details it needed)."""
    memo = Track(id=track.id, title=track.title)
    if entry is None:
        return memo
    apply_match(memo, entry)
    if aid is not None and albums.get(aid):
        apply_album(memo, albums[aid])
    memo.preview_url = ""  # not kept, as before: Deezer's preview URLs are signed, they expire
    return memo


def _memo_ref(ref: PlaylistRef) -> PlaylistRef:
    """Where the matches of a source playlist are remembered in the playlist cache."""
    return PlaylistRef("match", f"{ref.source}:{ref.id}")
