"""YouTube Music (and YouTube) playlists, read without an account through ytmusicapi.

YouTube Music's web client asks ``POST {YTMUSIC_API_BASE}/browse?alt=json`` with a
``browseId`` of ``VL`` + the playlist id and a client ``context``; the answer is a deep
tree of renderers that ytmusicapi (MIT, pinned in pyproject.toml) knows how to read,
continuations included. ytmusicapi would send its own requests with ``requests``;
here its reading is kept and its sending replaced: :class:`_Reader` overrides
``YTMusic._send_request`` to send each request through the project's
:class:`~bot.net.client.HttpClient` (its timeouts, retries, 429 handling and adaptive
pace for the YouTube Music host, and its base URL, which tests point at a fake). The
reading runs in a worker thread (``asyncio.to_thread``); each request it makes is
handed back to the event loop and waited for in that thread.

A playlist's entries become tracks (video id, title, artists, album, duration); no
ISRC is given, so every track is matched to Deezer by artist, title and duration
(:mod:`bot.sources.deezer_match`) for album, label, art and features. Podcast episodes
and unavailable entries are skipped and counted. An answer ytmusicapi cannot read (the
shape changed) is one sentence naming YouTube Music and the alternatives; reading can
be switched off (``YTMUSIC_READING=false``): it is not a documented public API.
"""

from __future__ import annotations

import asyncio
import hashlib
import locale
import logging
import threading
from collections.abc import Sequence
from typing import Any

from bot.errors import BadInput, PlaylistUnavailable, ProviderDown
from bot.locales import N_
from bot.model import Playlist, PlaylistRef, ProgressCallback, Track, no_progress
from bot.net.client import HttpClient, HttpError
from bot.render.document import YOUTUBE_CAP
from bot.sources.deezer_match import DeezerMatcher

log = logging.getLogger(__name__)

ORIGIN = N_("YouTube Music")
#: Headers YouTube Music's web client sends with its API calls.
HEADERS = {"Origin": "https://music.youtube.com", "X-Origin": "https://music.youtube.com"}
REFUSED = N_(
    "YouTube Music refused the request (HTTP {status}); please try again later. A Spotify "
    "or Deezer link of the same playlist works, or a CSV export."
)
CHANGED = N_(
    "YouTube Music's answer for that playlist has no track list I can read (YouTube may "
    "have changed it). A Spotify or Deezer link of the same playlist works, or a CSV export."
)
NOT_FOUND = N_(
    "YouTube Music has no public playlist with that id: it is private, was deleted, or "
    "the link is wrong."
)
OFF = N_(
    "This bot's host has switched off reading YouTube Music links. A Spotify or Deezer "
    "link of the same playlist works, or a CSV export."
)
#: What ytmusicapi raises when an answer is not shaped as it expects.
_SHAPE_ERRORS = (KeyError, IndexError, TypeError, ValueError, AttributeError, RecursionError)
#: ytmusicapi's constructor sets the process locale; it is put back under this lock.
_LOCALE = threading.Lock()


def _reader_class() -> type:
    """ytmusicapi's YTMusic with its sending replaced (imported on first use: the CLI's
    start-up stays light)."""
    from ytmusicapi import YTMusic

    class _Reader(YTMusic):  # type: ignore[misc]
        """Reads with ytmusicapi, sends with the project's client on ``loop``."""

        def __init__(self, source: YTMusicSource, loop: asyncio.AbstractEventLoop) -> None:
            with _LOCALE:
                saved = locale.setlocale(locale.LC_ALL)
                try:
                    super().__init__()
                finally:
                    locale.setlocale(locale.LC_ALL, saved)
            self._source = source
            self._loop = loop

        def _send_request(
            self,
            endpoint: str,
            body: dict[str, Any],
            additionalParams: str = "",
        ) -> dict[str, Any]:
            body.update(self.context)
            url = f"{self._source.api_base}/{endpoint}?alt=json{additionalParams}"
            future = asyncio.run_coroutine_threadsafe(self._source.post(url, body), self._loop)
            answer: dict[str, Any] = future.result()
            return answer

    return _Reader


def _seconds(item: dict[str, Any]) -> int | None:
    value = item.get("duration_seconds")
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def _thumbnail(thumbnails: Any) -> str:
    """The largest thumbnail's URL."""
    if not isinstance(thumbnails, list):
        return ""
    sized = [t for t in thumbnails if isinstance(t, dict) and isinstance(t.get("url"), str)]
    if not sized:
        return ""
    return str(max(sized, key=lambda t: t.get("width") or 0)["url"])


def entry(item: Any) -> Track | str:
    """One ytmusicapi playlist item as a Track, or why it is left out."""
    if not isinstance(item, dict):
        return "unreadable entry"
    if item.get("videoType") == "MUSIC_VIDEO_TYPE_PODCAST_EPISODE":
        return "podcast episode"
    vid = item.get("videoId")
    title = item.get("title")
    if not isinstance(vid, str) or not vid or item.get("isAvailable") is False:
        return "unavailable entry"
    if not isinstance(title, str) or not title.strip():
        return "unreadable entry"
    artists = tuple(
        a["name"].strip()
        for a in item.get("artists") or ()
        if isinstance(a, dict) and isinstance(a.get("name"), str) and a["name"].strip()
    )
    album = item.get("album")
    seconds = _seconds(item)
    explicit = item.get("isExplicit")
    return Track(
        id=vid,
        title=title.strip(),
        artists=artists,
        album=album["name"].strip()
        if isinstance(album, dict) and isinstance(album.get("name"), str)
        else "",
        url=f"https://music.youtube.com/watch?v={vid}",
        image=_thumbnail(item.get("thumbnails")),
        duration_ms=None if seconds is None else seconds * 1000,
        explicit=explicit if isinstance(explicit, bool) else None,
    )


def _snapshot(tracks: Sequence[Track]) -> str:
    digest = hashlib.sha256("\0".join(t.id for t in tracks).encode())
    return "ytm:" + digest.hexdigest()[:32]


class YTMusicSource:
    """Reads public YouTube (Music) playlists; ``snapshot`` reads the list again."""

    def __init__(
        self,
        http: HttpClient,
        *,
        api_base: str,
        enabled: bool = True,
        max_tracks: int = 10_000,
        matcher: DeezerMatcher | None = None,
    ) -> None:
        self.http = http
        self.api_base = api_base.rstrip("/")
        self.enabled = enabled
        self.max_tracks = max_tracks
        self.matcher = matcher

    async def post(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        """One request of ytmusicapi's, sent by the project's client."""
        try:
            answer = await self.http.request_json("POST", url, json_body=body, headers=HEADERS)
        except HttpError as exc:
            if exc.status in (400, 403, 404):
                raise PlaylistUnavailable(NOT_FOUND) from None
            raise ProviderDown(REFUSED, status=exc.status) from None
        if not isinstance(answer, dict):
            raise PlaylistUnavailable(CHANGED)
        return answer

    def _read(self, pid: str, loop: asyncio.AbstractEventLoop) -> dict[str, Any]:
        """ytmusicapi's ``get_playlist`` (in a worker thread), every track asked for."""
        reader = _reader_class()(self, loop)
        try:
            found: dict[str, Any] = reader.get_playlist(pid, limit=self.max_tracks)
        except _SHAPE_ERRORS as exc:
            log.info("YouTube Music answer for %s not readable: %r", pid, exc)
            raise PlaylistUnavailable(CHANGED) from None
        return found

    async def fetch(self, ref: PlaylistRef, progress: ProgressCallback = no_progress) -> Playlist:
        """The playlist's tracks as YouTube Music lists them, matched to Deezer."""
        if not self.enabled:
            raise BadInput(OFF)
        progress("Fetching tracks", 0, 0)
        found = await asyncio.to_thread(self._read, ref.id, asyncio.get_running_loop())
        items = found.get("tracks")
        if not isinstance(items, list):
            raise PlaylistUnavailable(CHANGED)
        playlist = Playlist(
            ref=ref,
            name=str(found.get("title") or "YouTube Music playlist"),
            tracks=[],
            snapshot="",
            owner=_owner(found),
            image=_thumbnail(found.get("thumbnails")),
            url=f"https://music.youtube.com/playlist?list={ref.id}",
            origin=ORIGIN,
        )
        seen: set[str] = set()
        for item in items:
            playlist.admit(entry(item), seen)
        if not playlist.tracks:
            raise PlaylistUnavailable(N_("YouTube Music lists no tracks in that playlist."))
        count = found.get("trackCount")
        if isinstance(count, int) and count > len(items):
            playlist.listed = count
            playlist.limit_note = YOUTUBE_CAP.format(read=f"{len(items):,}", listed=f"{count:,}")
        playlist.snapshot = _snapshot(playlist.tracks)
        progress("Fetching tracks", len(items), len(items))
        if self.matcher is not None:
            await self.matcher.match(playlist, progress)
        return playlist


def _owner(found: dict[str, Any]) -> str:
    author = found.get("author")
    if isinstance(author, dict) and isinstance(author.get("name"), str):
        return author["name"]
    return ""
