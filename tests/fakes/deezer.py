"""A fake Deezer API: playlists, paged tracks, albums and track details.

Like the real one it reports errors inside HTTP 200 bodies (800 = no data), pages by
``next`` (default 25 per page, ``limit`` up to ``max_limit``, 100 by default), sends
track entries with all their fields (a 100-track page is about 150 KB, sent chunked in
pieces with pauses), and embeds in ``/playlist/{id}``
a track list that can be shorter than the paged one (``embedded_limit``).
``FakeDeezer.generated`` builds a playlist with albums and track details at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.base import FakeServer
from tests.fakes.data import ARTISTS, GENRES, LABELS, title

NO_DATA = {"error": {"type": "DataException", "message": "no data", "code": 800}}


def deezer_track(
    i: int, album_id: int, *, name: str | None = None, readable: bool = True
) -> dict[str, Any]:
    """A track entry as it appears in playlist pages, with all of Deezer's fields (~1.5 KB)."""
    tid = 3_000_000 + i
    aid = 27 + i % len(ARTISTS)
    cover = f"https://e-cdns-images.dzcdn.net/images/cover/{album_id:032x}"
    picture = f"https://e-cdns-images.dzcdn.net/images/artist/{aid:032x}"
    return {
        "id": tid,
        "readable": readable,
        "title": name if name is not None else title(i),
        "title_short": name if name is not None else title(i),
        "title_version": "",
        "link": f"https://www.deezer.com/track/{tid}",
        "duration": 150 + i % 120,
        "rank": 100_000 + i * 37,
        "explicit_lyrics": i % 4 == 0,
        "explicit_content_lyrics": 0,
        "explicit_content_cover": 0,
        "preview": f"https://cdnt-preview.dzcdn.net/api/1/1/a/b/c/0/{tid}.mp3?hdnea=exp=1",
        "md5_image": f"{album_id:032x}",
        "time_add": 1_700_000_000 + i,
        "artist": {
            "id": aid,
            "name": ARTISTS[i % len(ARTISTS)],
            "link": f"https://www.deezer.com/artist/{aid}",
            "picture": f"https://api.deezer.com/artist/{aid}/image",
            "picture_small": f"{picture}/56x56-000000-80-0-0.jpg",
            "picture_medium": f"{picture}/250x250-000000-80-0-0.jpg",
            "picture_big": f"{picture}/500x500-000000-80-0-0.jpg",
            "picture_xl": f"{picture}/1000x1000-000000-80-0-0.jpg",
            "tracklist": f"https://api.deezer.com/artist/{aid}/top?limit=50",
            "type": "artist",
        },
        "album": {
            "id": album_id,
            "title": f"Album «{album_id}» 🎵",
            "cover": f"https://api.deezer.com/album/{album_id}/image",
            "cover_small": f"{cover}/56x56-000000-80-0-0.jpg",
            "cover_medium": f"https://e-cdns-images.dzcdn.net/images/cover/{album_id}/250x250.jpg",
            "cover_big": f"{cover}/500x500-000000-80-0-0.jpg",
            "cover_xl": f"{cover}/1000x1000-000000-80-0-0.jpg",
            "md5_image": f"{album_id:032x}",
            "tracklist": f"https://api.deezer.com/album/{album_id}/tracks",
            "type": "album",
        },
        "type": "track",
    }


@dataclass
class DeezerPlaylist:
    id: int
    title: str
    tracks: list[dict[str, Any]]
    checksum: str = "c0ffee"
    creator: str = "ผู้ใช้ทดสอบ"
    #: How many tracks the embedded ``tracks.data`` of ``/playlist/{id}`` shows.
    embedded_limit: int = 25
    #: ``nb_tracks`` when it differs from the listed tracks (tracks taken down).
    announced: int | None = None
    #: Positions left out of the pages although they count in ``index`` and ``total``
    #: (Deezer hides some unavailable tracks that way: a page of 100 lists 97).
    hidden: set[int] = field(default_factory=set)


@dataclass
class FakeDeezer(FakeServer):
    playlists: dict[int, DeezerPlaylist] = field(default_factory=dict)
    albums: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: Track id -> extra fields of ``/track/{id}`` (bpm, gain, isrc, release_date).
    details: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: Serve previews from this fake: track ``preview`` URLs then point at
    #: ``/preview/{id}.mp3`` here (answered from ``previews``, else 404) instead of
    #: Deezer's CDN (which tests must never contact: keep it out of PREVIEW_HOSTS).
    local_previews: bool = False
    previews: dict[int, bytes] = field(default_factory=dict)
    #: The largest page Deezer sends whatever ``limit`` asks (the real API: 100 or so).
    max_limit: int = 100

    def __post_init__(self) -> None:
        FakeServer.__init__(self)

    @property
    def api_base(self) -> str:
        return self.url

    def generated(
        self, pid: int, n: int, *, albums: int = 10, name: str = "ใหม่ล่าสุด 🎧", start: int = 0
    ) -> DeezerPlaylist:
        """Add a playlist of ``n`` tracks spread over ``albums`` albums, with details."""
        tracks = []
        for i in range(start, start + n):
            album_id = 500_000 + i % albums
            tracks.append(deezer_track(i, album_id))
            self.albums.setdefault(
                album_id,
                {
                    "id": album_id,
                    "title": f"Album «{album_id}» 🎵",
                    "label": LABELS[album_id % len(LABELS)],
                    "genres": {"data": [{"id": 132, "name": GENRES[album_id % len(GENRES)]}]},
                    "release_date": f"{2000 + album_id % 20}-03-01",
                    "record_type": "album",
                },
            )
            loud = i % 2 == 0
            self.details[3_000_000 + i] = {
                "bpm": 0 if i % 10 == 9 else (128.0 if loud else 82.0) + i % 5,
                "gain": (-6.5 if loud else -13.2) + (i % 3) / 10,
                "isrc": f"THZZ{i:08d}",
                "release_date": f"{2000 + album_id % 20}-03-01",
            }
        playlist = DeezerPlaylist(pid, name, tracks)
        self.playlists[pid] = playlist
        return playlist

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/playlist/{id}", self.playlist, name="playlist")
        app.router.add_get("/playlist/{id}/tracks", self.playlist_tracks, name="tracks")
        app.router.add_get("/album/{id}", self.album, name="album")
        app.router.add_get("/track/{id}", self.track, name="track")
        app.router.add_get("/preview/{id}.mp3", self.preview, name="preview")

    def _shown(self, tracks: list[dict[str, Any]], request: web.Request) -> list[dict[str, Any]]:
        """Track entries as answered: preview URLs on this fake when ``local_previews``."""
        if not self.local_previews:
            return tracks
        origin = str(request.url.origin())
        return [{**t, "preview": f"{origin}/preview/{t['id']}.mp3"} for t in tracks]

    async def preview(self, request: web.Request) -> web.Response:
        data = self.previews.get(int(request.match_info["id"]))
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="audio/mpeg")

    def _find(self, request: web.Request) -> DeezerPlaylist | None:
        try:
            return self.playlists.get(int(request.match_info["id"]))
        except ValueError:
            return None

    async def playlist(self, request: web.Request) -> web.Response:
        found = self._find(request)
        if found is None:
            return web.json_response(NO_DATA)
        return web.json_response(
            {
                "id": found.id,
                "title": found.title,
                "nb_tracks": found.announced if found.announced is not None else len(found.tracks),
                "checksum": found.checksum,
                "link": f"https://www.deezer.com/playlist/{found.id}",
                "picture_medium": f"https://e-cdns-images.dzcdn.net/images/playlist/{found.id}/250.jpg",
                "creator": {"id": 1, "name": found.creator},
                "tracks": {"data": self._shown(found.tracks[: found.embedded_limit], request)},
                "type": "playlist",
            }
        )

    async def playlist_tracks(self, request: web.Request) -> web.Response:
        found = self._find(request)
        if found is None:
            return web.json_response(NO_DATA)
        index = int(request.query.get("index", "0"))
        limit = min(int(request.query.get("limit", "25")), self.max_limit)
        span = range(index, min(index + limit, len(found.tracks)))
        data = self._shown([found.tracks[j] for j in span if j not in found.hidden], request)
        body: dict[str, Any] = {"data": data, "total": len(found.tracks)}
        if index + limit < len(found.tracks):
            body["next"] = str(request.url.with_query({"index": index + limit, "limit": limit}))
        return web.json_response(body)

    async def album(self, request: web.Request) -> web.Response:
        try:
            album = self.albums.get(int(request.match_info["id"]))
        except ValueError:
            album = None
        return web.json_response(album if album is not None else NO_DATA)

    async def track(self, request: web.Request) -> web.Response:
        key = request.match_info["id"]
        tid: int | None = None
        if key.startswith("isrc:"):
            for candidate, extra in self.details.items():
                if extra.get("isrc") == key[5:]:
                    tid = candidate
        elif key.isdigit():
            tid = int(key)
        if tid is None or tid not in self.details:
            return web.json_response(NO_DATA)
        return web.json_response({"id": tid, "type": "track", **self.details[tid]})
