"""Spotify playlists through the Web API with a client-credentials token.

The token is cached until shortly before it expires and refreshed once when a call
answers 401 (:class:`SpotifyAuth`, shared with the Spotify feature provider). A fetch
asks for the playlist's metadata and its first page of items at once, then for every
other page concurrently (at most ``HTTP_CONCURRENCY`` at a time), so a 10,000-track
playlist takes about ``1 + 99 / concurrency`` round trips. Items come from
``/playlists/{id}/items`` (falling back to the older ``/tracks`` where ``/items`` is
unknown); each entry's track is read from ``item`` or ``track``. Null entries, local
files and podcast episodes are skipped and counted. Answers are parsed into the typed
models of :mod:`bot.net.spotify_api`. Pages ask ``limit=100`` (the documented
maximum); should Spotify answer HTTP 400 about the limit, 50 and then 20 are tried and
the accepted size kept. Every refusal (400, 403, 404, persisting 401, other 4xx) ends
in a :class:`~bot.errors.UserError` with a sentence for the user.

Development-mode apps (every new Spotify app) may only read the items of playlists the
signed-in user owns. On a 403 (and with no app configured at all) the source reads what
Spotify shows anyone (:meth:`SpotifySource.without_access`): first the playlist object
itself, which still carries its first items for such apps (ShareList#22); failing that,
the public embed page (:mod:`bot.sources.spotify_page`, at most 100 tracks). Either
way the playlist says how many of how many tracks were read and why. With page reading
switched off (``SPOTIFY_PAGE_READING=false``), a 403 becomes
:class:`~bot.errors.PlaylistUnavailable` explaining what works instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

from bot.errors import BadLink, InputTooLarge, PlaylistUnavailable, ProviderDown, UserError
from bot.locales import N_
from bot.model import Playlist, PlaylistRef, ProgressCallback, Track, no_progress
from bot.net.client import HttpError
from bot.net.spotify_api import (
    PlaylistMeta,
    ReadPage,
    Snapshot,
    best_image,
    parse_answer,
    parse_entry,
    read_page,
)
from bot.net.spotify_auth import SpotifyAuth, SpotifyNotConfigured
from bot.settings.groups import SpotifySettings
from bot.sources.spotify_page import SpotifyPageSource, cap_note
from bot.tasks import TASKS_PER_REQUEST, gather_bounded

log = logging.getLogger(__name__)

PAGE_SIZE = 100
#: The metadata fields read: without ``fields`` Spotify embeds the first 100 items too
#: (about 450 KB), which the item pages fetch anyway.
META_FIELDS = "name,owner(id,display_name),snapshot_id,images,external_urls"
#: Smaller ``limit`` values tried in turn if Spotify answers HTTP 400 about the limit.
FALLBACK_PAGE_SIZES = (50, 20)
NOT_FOUND = N_("Spotify has no playlist with that id: it was deleted, or the link is wrong.")
DEV_MODE = N_(
    "Spotify does not let this bot read that playlist: apps in Spotify's development "
    "mode may only read playlists their own user owns or collaborates on. A Deezer link "
    "of the same playlist works, or an Exportify CSV export (https://exportify.net) "
    "uploaded as a file."
)


def _about_limit(exc: HttpError) -> bool:
    """Whether an HTTP 400 complains about the ``limit`` parameter ("Invalid limit")."""
    payload = exc.payload
    error = payload.get("error") if isinstance(payload, dict) else None
    message = error.get("message") if isinstance(error, dict) else error
    return isinstance(message, str) and "limit" in message.casefold()


#: Where tracks come from when the playlist object's own first items are used.
OBJECT_ORIGIN = N_("the first items Spotify's API gives this app")


PAGE_SIZE_REFUSED = N_(
    "Spotify refused the page size this bot asks for (HTTP 400 about `limit`); please "
    "report it to the bot's maintainers. A Deezer link of the same playlist works, or an "
    "Exportify CSV export (https://exportify.net) uploaded as a file."
)
BAD_ID = N_("Spotify says that playlist id is not valid.")
REFUSED = N_("Spotify refused the request (HTTP {status}); please try again later.")
TOO_MANY = N_("That playlist has {count} tracks; I read at most {limit}.")


class NoAccess(PlaylistUnavailable):
    """Spotify answered 403: this app may not read the playlist's items."""


def refusal(exc: HttpError) -> UserError:
    """A refused Spotify call as the sentence its user should read."""
    if exc.status == 403:
        return NoAccess(DEV_MODE)
    if exc.status == 404:
        return PlaylistUnavailable(NOT_FOUND)
    if exc.status == 400 and _about_limit(exc):
        return ProviderDown(PAGE_SIZE_REFUSED)
    if exc.status == 400:
        return BadLink(BAD_ID)
    return ProviderDown(REFUSED, status=exc.status)


def collect(playlist: Playlist, results: list[Track | str]) -> None:
    """Add parsed entries to ``playlist`` in order: skips and duplicates are counted."""
    seen: set[str] = set()
    for result in results:
        playlist.admit(result, seen)


def _embedded_page(payload: Any) -> ReadPage | None:
    """The page of first items a full playlist object embeds (``items`` in the 2026 shape,
    ``tracks`` before), read entry by entry; None when it embeds none."""
    if not isinstance(payload, dict):
        return None
    for key in ("items", "tracks"):
        embedded = payload.get(key)
        if isinstance(embedded, dict) and isinstance(embedded.get("items"), list):
            total = embedded.get("total")
            return ReadPage(
                [parse_entry(raw) for raw in embedded["items"]],
                total if isinstance(total, int) and not isinstance(total, bool) else None,
                None,
            )
    return None


def _handed(playlist: Playlist, on_tracks: Callable[[Sequence[Track]], None] | None) -> Playlist:
    """``playlist``, its tracks first handed to ``on_tracks`` (as pages are, one by one)."""
    if on_tracks is not None:
        on_tracks(list(playlist.tracks))
    return playlist


def _ignore(_tracks: Sequence[Track]) -> None:
    """No one listens for pages."""


class SpotifySource:
    """Reads Spotify playlists: ``fetch`` (every track) and ``snapshot`` (metadata only)."""

    def __init__(
        self,
        auth: SpotifyAuth,
        *,
        api_base: str,
        concurrency: int = 8,
        max_tracks: int = 10_000,
        page: SpotifyPageSource | None = None,
    ) -> None:
        self.auth = auth
        #: The public embed page, read when the API gives no access (None: never).
        self.page = page if page is not None and page.enabled else None
        self.api_base = api_base.rstrip("/")
        self.concurrency = concurrency
        self.max_tracks = max_tracks
        #: "items" until the API says it does not know it; then the older "tracks".
        self.items_path = "items"
        #: The ``limit`` sent; lowered for good when Spotify refuses it (HTTP 400).
        self.page_size = PAGE_SIZE

    @classmethod
    def from_settings(
        cls, spotify: SpotifySettings, auth: SpotifyAuth, page: SpotifyPageSource | None = None
    ) -> SpotifySource:
        return cls(
            auth,
            api_base=spotify.api_base,
            concurrency=spotify.concurrency,
            max_tracks=spotify.max_tracks,
            page=page,
        )

    async def _get(self, url: str, params: dict[str, str | int] | None = None) -> Any:
        """An authorised GET whose refusals become errors a user understands."""
        try:
            return await self.auth.get(url, params)
        except HttpError as exc:
            raise refusal(exc) from None

    async def _meta(self, pid: str) -> PlaylistMeta:
        payload = await self._get(f"{self.api_base}/playlists/{pid}", {"fields": META_FIELDS})
        return parse_answer(PlaylistMeta, payload, "that playlist")

    async def snapshot(self, ref: PlaylistRef) -> str:
        """The playlist's ``snapshot_id``: one cheap call, changes with the content (without
        an app: a hash of what the public page shows, one page request)."""
        if not self.auth.configured:
            if self.page is None:
                raise SpotifyNotConfigured()
            return await self.page.snapshot(ref)
        payload = await self._get(f"{self.api_base}/playlists/{ref.id}", {"fields": "snapshot_id"})
        return parse_answer(Snapshot, payload, "that playlist").snapshot_id or ""

    async def _items_page(self, pid: str, offset: int, limit: int) -> ReadPage:
        """One page from ``/items``, or from ``/tracks`` where ``/items`` is unknown (404),
        its entries already parsed (:func:`~bot.net.spotify_api.read_page`, off the event
        loop for a full page: the HTTP client decodes large bodies in a worker thread)."""
        params: dict[str, str | int] = {"limit": limit, "offset": offset}
        base = f"{self.api_base}/playlists/{pid}"
        if self.items_path == "items":
            try:
                page = await self.auth.get(f"{base}/items", params, decode=read_page)
            except HttpError as exc:
                if exc.status != 404:
                    raise
                log.info("Spotify does not know /items here; using /tracks from now on")
                self.items_path = "tracks"
                page = await self.auth.get(f"{base}/tracks", params, decode=read_page)
        else:
            page = await self.auth.get(f"{base}/tracks", params, decode=read_page)
        assert isinstance(page, ReadPage)
        return page

    async def _page(self, pid: str, offset: int) -> ReadPage:
        try:
            return await self._items_page(pid, offset, self.page_size)
        except HttpError as exc:
            raise refusal(exc) from None

    async def _first_page(self, pid: str) -> ReadPage:
        """The first page, settling the page size.

        The reference allows ``limit`` up to 100; should Spotify answer HTTP 400 about
        the limit, the next smaller size of :data:`FALLBACK_PAGE_SIZES` is tried and
        kept for later calls.
        """
        sizes = [self.page_size, *(n for n in FALLBACK_PAGE_SIZES if n < self.page_size)]
        for size in sizes[:-1]:
            try:
                page = await self._items_page(pid, 0, size)
            except HttpError as exc:
                if not (exc.status == 400 and _about_limit(exc)):
                    raise refusal(exc) from None
                log.info("Spotify refused limit=%d; trying a smaller page", size)
                continue
            self.page_size = size
            return page
        self.page_size = sizes[-1]
        return await self._page(pid, 0)

    async def _meta_and_first(self, pid: str) -> tuple[PlaylistMeta, ReadPage]:
        """The metadata and the first page, asked at once; the first failure is raised."""
        meta, first = await asyncio.gather(
            self._meta(pid), self._first_page(pid), return_exceptions=True
        )
        for outcome in (meta, first):
            if isinstance(outcome, BaseException):
                raise outcome
        assert isinstance(meta, PlaylistMeta) and isinstance(first, ReadPage)
        return meta, first

    async def fetch(
        self,
        ref: PlaylistRef,
        progress: ProgressCallback = no_progress,
        on_tracks: Callable[[Sequence[Track]], None] | None = None,
    ) -> Playlist:
        """Every track of the playlist; the first page and the metadata are asked at once.

        ``on_tracks`` (optional) gets each page's tracks as soon as the page is parsed,
        in arrival order, duplicates included (the pipeline starts feature lookups).
        """
        if not self.auth.configured:
            if self.page is None:
                raise SpotifyNotConfigured()
            return await self.page.fetch(ref, progress, on_tracks=on_tracks)
        pid = ref.id
        progress("Fetching tracks", 0, 0)
        try:
            meta, first = await self._meta_and_first(pid)
        except NoAccess:
            if self.page is None:
                raise
            return await self.without_access(ref, progress, on_tracks)
        total = max(first.total or 0, len(first.entries))
        if total > self.max_tracks:
            raise InputTooLarge(TOO_MANY, count=total, limit=self.max_tracks)
        step = first.limit if first.limit and 0 < first.limit < self.page_size else None
        results = await self._rest(
            pid, first, total, step or self.page_size, progress, on_tracks or _ignore
        )
        playlist = self._playlist(ref, meta)
        collect(playlist, results)
        return playlist

    async def without_access(
        self,
        ref: PlaylistRef,
        progress: ProgressCallback,
        on_tracks: Callable[[Sequence[Track]], None] | None = None,
    ) -> Playlist:
        """What Spotify shows an app without access to the items: the playlist object's
        own first items if it still carries them, else the public embed page.

        The object (asked without ``fields``) also tells the name, the snapshot id (so the
        cache's cheap snapshot check keeps working) and how many tracks there are.
        """
        pid = ref.id
        try:
            payload = await self.auth.get(f"{self.api_base}/playlists/{pid}")
        except HttpError as exc:
            log.info("Spotify playlist object refused too (HTTP %d): reading the page", exc.status)
            return await self.page_playlist(ref, progress, None, None, on_tracks)
        meta = parse_answer(PlaylistMeta, payload, "that playlist")
        page = _embedded_page(payload)
        if page is None or not page.entries:
            total = page.total if page else None
            return await self.page_playlist(ref, progress, meta, total, on_tracks)
        total = max(page.total or 0, len(page.entries))
        playlist = self._playlist(ref, meta)
        collect(playlist, page.entries)
        playlist.origin = OBJECT_ORIGIN
        playlist.listed = total if total > len(page.entries) else None
        playlist.limit_note = cap_note(len(page.entries), total)
        progress("Fetching tracks", len(page.entries), len(page.entries))
        return _handed(playlist, on_tracks)

    async def page_playlist(
        self,
        ref: PlaylistRef,
        progress: ProgressCallback,
        meta: PlaylistMeta | None,
        total: int | None,
        on_tracks: Callable[[Sequence[Track]], None] | None = None,
    ) -> Playlist:
        """The embed page's tracks, named and versioned by the API's metadata if known."""
        assert self.page is not None
        playlist = await self.page.fetch(ref, progress, listed=total, on_tracks=on_tracks)
        if meta is not None and meta.snapshot_id:
            playlist.snapshot = meta.snapshot_id
            playlist.name = meta.name or playlist.name
        return playlist

    def _playlist(self, ref: PlaylistRef, meta: PlaylistMeta) -> Playlist:
        owner = meta.owner
        return Playlist(
            ref=ref,
            name=meta.name or "Spotify playlist",
            tracks=[],
            snapshot=meta.snapshot_id or "",
            owner=(owner.display_name or owner.id or "") if owner else "",
            image=best_image(meta.images, prefer=640),
            url=(meta.external_urls and meta.external_urls.spotify)
            or f"https://open.spotify.com/playlist/{ref.id}",
        )

    async def _rest(
        self,
        pid: str,
        first: ReadPage,
        total: int,
        step: int,
        progress: ProgressCallback,
        on_tracks: Callable[[Sequence[Track]], None],
    ) -> list[Track | str]:
        """Every entry parsed: the first page's, then the other pages' (concurrently);
        each page's tracks also go to ``on_tracks`` as soon as they are parsed."""
        done = len(first.entries)
        progress("Fetching tracks", done, total)
        results = list(first.entries)
        on_tracks([t for t in results if isinstance(t, Track)])

        async def page_at(offset: int) -> list[Track | str]:
            nonlocal done
            parsed = (await self._page(pid, offset)).entries
            done += len(parsed)
            progress("Fetching tracks", min(done, total), total)
            on_tracks([t for t in parsed if isinstance(t, Track)])
            return parsed

        rest = await gather_bounded(
            [lambda o=o: page_at(o) for o in range(step, total, step)],
            self.concurrency * TASKS_PER_REQUEST,
        )
        for parsed in rest:
            results.extend(parsed)
        return results
