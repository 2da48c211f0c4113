"""Deezer playlists through the public API (no key, no account).

``/playlist/{id}`` gives the metadata (its ``checksum`` is the snapshot: it changes with
the content). Its embedded ``tracks.data`` can be incomplete, so the track list always
comes from ``/playlist/{id}/tracks``: the first page tells the total, the other pages
are asked concurrently by index, and any ``next`` beyond them is followed until the
count matches ``nb_tracks``. Album label, genres and release year come from
``/album/{id}``, one call per distinct album. Deezer's rate limit (about 50 calls per
5 seconds) is enforced by :class:`~bot.http.HttpClient`, which also recognises the
errors Deezer sends inside HTTP 200 bodies (quota: pause and retry; 800: the playlist
does not exist or is private).
"""

from __future__ import annotations

import logging
from typing import Any

from yarl import URL

from bot.config import Settings
from bot.errors import InputTooLarge, PlaylistUnavailable, ProviderDown
from bot.http import DeezerNoData, HttpClient, HttpError
from bot.model import Playlist, PlaylistRef, ProgressCallback, Track, no_progress
from bot.tasks import TASKS_PER_REQUEST, gather_bounded

log = logging.getLogger(__name__)

PAGE_SIZE = 100
NOT_FOUND = "Deezer has no public playlist with that id: it does not exist or is private."


def parse_track(entry: Any) -> Track | str:
    """A track entry of a playlist page as a Track, or the reason it is skipped."""
    if not isinstance(entry, dict) or not entry.get("id"):
        return "unavailable entry"
    if entry.get("type") not in (None, "track"):
        return "podcast episode"
    artist = entry.get("artist") if isinstance(entry.get("artist"), dict) else {}
    album = entry.get("album") if isinstance(entry.get("album"), dict) else {}
    duration = entry.get("duration")
    rank = entry.get("rank")
    explicit = entry.get("explicit_lyrics")
    tid = str(entry["id"])
    return Track(
        id=tid,
        title=str(entry.get("title") or entry.get("title_short") or ""),
        artists=(str(artist["name"]),) if artist.get("name") else (),
        album=str(album.get("title") or ""),
        album_id=str(album.get("id") or ""),
        url=str(entry.get("link") or f"https://www.deezer.com/track/{tid}"),
        image=str(album.get("cover_medium") or album.get("cover") or ""),
        duration_ms=int(duration * 1000) if isinstance(duration, int | float) else None,
        explicit=explicit if isinstance(explicit, bool) else None,
        popularity=float(rank) if isinstance(rank, int | float) else None,
        preview_url=str(entry.get("preview") or ""),
    )


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
        self.concurrency = max(1, concurrency)
        self.max_tracks = max_tracks

    @classmethod
    def from_settings(cls, settings: Settings, http: HttpClient) -> DeezerSource:
        return cls(
            http,
            api_base=settings.deezer_api_base,
            concurrency=settings.http_concurrency,
            max_tracks=settings.playlist_max_tracks,
        )

    async def _get(self, path: str, params: dict[str, str | int] | None = None) -> dict[str, Any]:
        try:
            payload = await self.http.get_json(f"{self.api_base}{path}", params=params)
        except DeezerNoData:
            raise PlaylistUnavailable(NOT_FOUND) from None
        except HttpError as exc:
            if exc.status == 404:
                raise PlaylistUnavailable(NOT_FOUND) from None
            raise ProviderDown(
                f"Deezer answered with an error ({exc}); please try again later."
            ) from None
        if not isinstance(payload, dict):
            raise ProviderDown("Deezer gave an unusable answer; please try again later.")
        return payload

    async def snapshot(self, ref: PlaylistRef) -> str:
        """The playlist's ``checksum``: one cheap call, changes with the content."""
        meta = await self._get(f"/playlist/{ref.id}")
        return str(meta.get("checksum") or "")

    async def _page(self, pid: str, index: int) -> dict[str, Any]:
        page = await self._get(f"/playlist/{pid}/tracks", {"index": index, "limit": PAGE_SIZE})
        if not isinstance(page.get("data"), list):
            raise ProviderDown("Deezer gave an unusable page of that playlist; try again later.")
        return page

    async def fetch(self, ref: PlaylistRef, progress: ProgressCallback = no_progress) -> Playlist:
        """Every track of the playlist with album label, genres and release year."""
        pid = ref.id
        progress("Fetching tracks", 0, 0)
        meta = await self._get(f"/playlist/{pid}")
        expected = int(meta.get("nb_tracks") or 0)
        if expected > self.max_tracks:
            raise InputTooLarge(
                f"That playlist has {expected:,} tracks; I read at most {self.max_tracks:,}."
            )
        first = await self._page(pid, 0)
        total = max(int(first.get("total") or 0), expected)
        total = min(total, self.max_tracks)
        done = len(first["data"])
        progress("Fetching tracks", done, total)

        async def page_at(index: int) -> dict[str, Any]:
            nonlocal done
            page = await self._page(pid, index)
            done += len(page["data"])
            progress("Fetching tracks", min(done, total), total)
            return page

        pages = [first] + await gather_bounded(
            [lambda i=i: page_at(i) for i in range(PAGE_SIZE, total, PAGE_SIZE)],
            self.concurrency * TASKS_PER_REQUEST,
        )
        entries = [entry for page in pages for entry in page["data"]]
        # Follow `next` past the pages the total announced (the list grew meanwhile),
        # building the URL ourselves: a host named in an answer is never fetched.
        last = pages[-1]
        while last.get("next") and len(entries) < self.max_tracks:
            index = URL(str(last["next"])).query.get("index", "")
            if not index.isdigit() or int(index) < len(entries):
                break
            last = await self._page(pid, int(index))
            if not last["data"]:
                break
            entries.extend(last["data"])

        creator = meta.get("creator") if isinstance(meta.get("creator"), dict) else {}
        playlist = Playlist(
            ref=ref,
            name=str(meta.get("title") or "Deezer playlist"),
            tracks=[],
            snapshot=str(meta.get("checksum") or ""),
            owner=str(creator.get("name") or ""),
            image=str(meta.get("picture_medium") or meta.get("picture") or ""),
            url=str(meta.get("link") or f"https://www.deezer.com/playlist/{pid}"),
        )
        seen: set[str] = set()
        for entry in entries:
            result = parse_track(entry)
            if isinstance(result, str):
                playlist.skip(result)
            elif result.id in seen:
                playlist.skip("duplicate")
            else:
                seen.add(result.id)
                playlist.tracks.append(result)
        missing = expected - len(entries)
        if missing > 0:
            log.info("Deezer playlist %s: %d of %d tracks not listed", pid, missing, expected)
            playlist.skip("unavailable track", missing)
        await self._add_album_details(playlist.tracks, progress)
        return playlist

    async def _add_album_details(self, tracks: list[Track], progress: ProgressCallback) -> None:
        """Label, genres and release year from ``/album/{id}``, once per distinct album."""
        album_ids = list(dict.fromkeys(t.album_id for t in tracks if t.album_id))
        done = 0

        async def album(aid: str) -> dict[str, Any]:
            nonlocal done
            try:
                details = await self._get(f"/album/{aid}")
            except PlaylistUnavailable:
                details = {}  # an album Deezer no longer has: its tracks keep what they have
            done += 1
            progress("Reading album details", done, len(album_ids))
            return details

        progress("Reading album details", 0, len(album_ids))
        results = await gather_bounded(
            [lambda a=a: album(a) for a in album_ids], self.concurrency * TASKS_PER_REQUEST
        )
        by_id = dict(zip(album_ids, results, strict=True))
        for track in tracks:
            details = by_id.get(track.album_id) or {}
            track.label = str(details.get("label") or "")
            genres = details.get("genres", {})
            data = genres.get("data") if isinstance(genres, dict) else None
            track.genres = tuple(
                str(g["name"]) for g in data or () if isinstance(g, dict) and g.get("name")
            )
            release = str(details.get("release_date") or "")
            if release[:4].isdigit() and release[:4] != "0000":
                track.release_year = int(release[:4])
