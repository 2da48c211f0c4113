"""Deezer playlists through the public API (no key, no account).

``/playlist/{id}`` gives the metadata (its ``checksum`` is the snapshot: it changes with
the content). Its embedded ``tracks.data`` can be incomplete, so the track list always
comes from ``/playlist/{id}/tracks``: the first page tells the total (and, by the
index its ``next`` points to, the page size Deezer allows), the other pages are asked
concurrently by index, and any ``next`` beyond them is followed until the count
matches ``nb_tracks``. Album label, genres and release year come from ``/album/{id}``,
one call per distinct album. Deezer's rate limit (about 50 calls per 5 seconds) is
enforced by :class:`~bot.net.client.HttpClient`, which also recognises the errors Deezer
sends inside HTTP 200 bodies (quota: pause and retry; 800: the playlist does not exist
or is private; other codes: a sentence here). Answers are parsed into the typed models
of :mod:`bot.sources.deezer_api`. Tracks Deezer marks ``readable: false`` (not
playable in the server's region) are kept and counted in the playlist's notes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from yarl import URL

from bot.errors import (
    InputTooLarge,
    PlaylistUnavailable,
    ProviderDown,
    UnusableAnswer,
    UserError,
)
from bot.locales import N_
from bot.model import Playlist, PlaylistRef, ProgressCallback, Track, no_progress
from bot.net.client import DeezerNoData, HttpClient, HttpError
from bot.settings.groups import DeezerSettings
from bot.sources.deezer_api import (
    NOT_READABLE,
    AlbumDetails,
    Page,
    PlaylistMeta,
    parse_answer,
    parse_track,
)
from bot.tasks import TASKS_PER_REQUEST, gather_bounded

log = logging.getLogger(__name__)

PAGE_SIZE = 100
NOT_FOUND = N_("Deezer has no public playlist with that id: it does not exist or is private.")


#: What Deezer's error codes mean, each a sentence a member reads in their language.
CODE_REFUSALS = {
    100: N_(
        "Deezer refused the request: it asked for too many items at once (error {code}); "
        "please try again later."
    ),
    200: N_(
        "Deezer refused the request: this needs a Deezer account (error {code}); please try "
        "again later."
    ),
    300: N_(
        "Deezer refused the request: the access token is invalid (error {code}); please try "
        "again later."
    ),
    500: N_(
        "Deezer refused the request: a parameter was refused (error {code}); please try "
        "again later."
    ),
    501: N_(
        "Deezer refused the request: a parameter was missing (error {code}); please try "
        "again later."
    ),
    600: N_(
        "Deezer refused the request: the query was refused (error {code}); please try again later."
    ),
}
OTHER_CODE = N_(
    "Deezer refused the request: it answered with an error (error {code}); please try again later."
)
ANSWERED_ERROR = N_("Deezer answered with an error; please try again later.")
REFUSED = N_("Deezer refused the request (HTTP {status}); please try again later.")
TOO_MANY = N_("That playlist has {count} tracks; I read at most {limit}.")


def refusal(exc: HttpError) -> UserError:
    """A refused Deezer call (an HTTP status or an error code in a 200) as a sentence."""
    if exc.status == 404:
        return PlaylistUnavailable(NOT_FOUND)
    if exc.code is not None:
        # the code as text: an error number is not written 1,000 / 1.000
        return ProviderDown(CODE_REFUSALS.get(exc.code, OTHER_CODE), code=str(exc.code))
    if exc.status < 300:
        return ProviderDown(ANSWERED_ERROR)
    return ProviderDown(REFUSED, status=exc.status)


def collect(playlist: Playlist, entries: list[Any]) -> None:
    """Parse ``entries`` into ``playlist``: skips, duplicates and unplayable ones counted."""
    seen: set[str] = set()
    for entry in entries:
        result, unplayable = parse_track(entry)
        if playlist.admit(result, seen) and unplayable:
            playlist.note(NOT_READABLE)


def next_index(page: Page, have: int) -> int | None:
    """The index of ``page.next`` if it continues past ``have`` entries, else None.

    The URL is never fetched as such: only its index is read, so a host named in an
    answer is never contacted.
    """
    if not page.next or not page.data:
        return None
    index = URL(page.next).query.get("index", "")
    if not index.isdigit() or int(index) < have:
        return None
    return int(index)


def _observe(task: asyncio.Task[Any]) -> None:
    """Mark a failed lookup as seen: :meth:`AlbumLookups.results` raises it, or the fetch
    failed first and it no longer matters."""
    if not task.cancelled():
        task.exception()


class AlbumLookups:
    """``/album/{id}`` lookups started as pages arrive, once per album, a bounded number
    at a time; :meth:`results` waits for them all (and reports progress meanwhile)."""

    def __init__(self, lookup: Callable[[str], Awaitable[Any]], lanes: int) -> None:
        self._lookup = lookup
        self._lanes = asyncio.Semaphore(lanes)
        self._tasks: dict[str, asyncio.Task[Any]] = {}
        self._progress: ProgressCallback = no_progress
        self._done = 0

    def add(self, entries: list[Any]) -> None:
        """Start the lookups of the albums of these page entries not asked yet."""
        for entry in entries:
            album = entry.get("album") if isinstance(entry, dict) else None
            aid = str(album.get("id") or "") if isinstance(album, dict) else ""
            if aid and aid not in self._tasks:
                task = asyncio.get_running_loop().create_task(self._one(aid))
                task.add_done_callback(_observe)
                self._tasks[aid] = task

    async def _one(self, aid: str) -> Any:
        async with self._lanes:
            details = await self._lookup(aid)
        self._done += 1
        self._progress("Reading album details", self._done, len(self._tasks))
        return details

    async def results(self, progress: ProgressCallback) -> dict[str, Any]:
        """Every album's details by id, once all lookups are done."""
        self._progress = progress
        progress("Reading album details", self._done, len(self._tasks))
        answers = await asyncio.gather(*self._tasks.values())
        return dict(zip(self._tasks, answers, strict=True))

    def cancel(self) -> None:
        for task in self._tasks.values():
            task.cancel()


class DeezerSource:
    """Reads Deezer playlists: ``fetch`` (every track + album details) and ``snapshot``."""

    def __init__(
        self,
        http: HttpClient,
        *,
        api_base: str,
        concurrency: int = 8,
        max_tracks: int = 10_000,
    ) -> None:
        self.http = http
        self.api_base = api_base.rstrip("/")
        self.concurrency = concurrency
        self.max_tracks = max_tracks

    @classmethod
    def from_settings(cls, deezer: DeezerSettings, http: HttpClient) -> DeezerSource:
        return cls(
            http,
            api_base=deezer.api_base,
            concurrency=deezer.concurrency,
            max_tracks=deezer.max_tracks,
        )

    async def _get(self, path: str, params: dict[str, str | int] | None = None) -> Any:
        try:
            return await self.http.get_json(f"{self.api_base}{path}", params=params)
        except DeezerNoData:
            raise PlaylistUnavailable(NOT_FOUND) from None
        except HttpError as exc:
            raise refusal(exc) from None

    async def _meta(self, pid: str) -> PlaylistMeta:
        return parse_answer(PlaylistMeta, await self._get(f"/playlist/{pid}"), "that playlist")

    async def snapshot(self, ref: PlaylistRef) -> str:
        """The playlist's ``checksum``: one cheap call, changes with the content."""
        return (await self._meta(ref.id)).checksum or ""

    async def _page(self, pid: str, index: int) -> Page:
        payload = await self._get(f"/playlist/{pid}/tracks", {"index": index, "limit": PAGE_SIZE})
        return parse_answer(Page, payload, "a page of that playlist")

    async def fetch(self, ref: PlaylistRef, progress: ProgressCallback = no_progress) -> Playlist:
        """Every track of the playlist with album label, genres and release year.

        Album details are asked as soon as a page names the album, while later pages
        are still arriving.
        """
        albums = AlbumLookups(self._album, self.concurrency * TASKS_PER_REQUEST)
        try:
            return await self._fetch(ref, progress, albums)
        finally:
            albums.cancel()

    async def _fetch(
        self, ref: PlaylistRef, progress: ProgressCallback, albums: AlbumLookups
    ) -> Playlist:
        pid = ref.id
        progress("Fetching tracks", 0, 0)
        meta = await self._meta(pid)
        expected = meta.nb_tracks or 0
        if expected > self.max_tracks:
            raise InputTooLarge(TOO_MANY, count=expected, limit=self.max_tracks)
        entries = await self._entries(pid, expected, progress, albums)
        playlist = Playlist(
            ref=ref,
            name=meta.title or "Deezer playlist",
            tracks=[],
            snapshot=meta.checksum or "",
            owner=(meta.creator.name or "") if meta.creator else "",
            image=meta.picture_medium or meta.picture or "",
            url=meta.link or f"https://www.deezer.com/playlist/{pid}",
        )
        collect(playlist, entries)
        missing = expected - len(entries)
        if missing > 0:
            log.info("Deezer playlist %s: %d of %d tracks not listed", pid, missing, expected)
            playlist.skip("unavailable track", missing)
        self._add_album_details(playlist.tracks, await albums.results(progress))
        return playlist

    async def _entries(
        self, pid: str, expected: int, progress: ProgressCallback, albums: AlbumLookups
    ) -> list[Any]:
        """Every raw track entry: the first page, the others concurrently, then ``next``;
        each page's albums go to ``albums`` as soon as it arrives."""
        first = await self._page(pid, 0)
        albums.add(first.data)
        total = min(max(first.total or 0, expected), self.max_tracks)
        # The step is where `next` points: Deezer may cap `limit`, and may also list fewer
        # entries than the page spans (it leaves some out), so the count would mislead.
        step = next_index(first, 1) or PAGE_SIZE
        done = len(first.data)
        progress("Fetching tracks", done, total)

        async def page_at(index: int) -> Page:
            nonlocal done
            page = await self._page(pid, index)
            albums.add(page.data)
            done += len(page.data)
            progress("Fetching tracks", min(done, total), total)
            return page

        pages = [first] + await gather_bounded(
            [lambda i=i: page_at(i) for i in range(step, total, step)],
            self.concurrency * TASKS_PER_REQUEST,
        )
        entries = [entry for page in pages for entry in page.data]
        # Follow `next` past the pages the total announced (the list grew meanwhile).
        index = next_index(pages[-1], len(entries))
        while index is not None and len(entries) < self.max_tracks:
            last = await self._page(pid, index)
            albums.add(last.data)
            entries.extend(last.data)
            index = next_index(last, len(entries))
        return entries

    async def _album(self, aid: str) -> AlbumDetails:
        """One album's details; an album Deezer no longer has (or garbles) gives none."""
        try:
            payload = await self._get(f"/album/{aid}")
            return parse_answer(AlbumDetails, payload, "an album")
        except PlaylistUnavailable:
            return AlbumDetails()
        except UnusableAnswer:
            log.info("Deezer album %s: unusable details, kept without", aid)
            return AlbumDetails()

    @staticmethod
    def _add_album_details(tracks: list[Track], by_id: dict[str, AlbumDetails]) -> None:
        """Label, genres and release year from the ``/album/{id}`` answers."""
        for track in tracks:
            details = by_id.get(track.album_id) or AlbumDetails()
            track.label = details.label or ""
            track.genres = details.genre_names
            if details.year is not None:
                track.release_year = details.year
