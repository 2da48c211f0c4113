"""A fake Spotify Web API (token endpoint, playlists, items pages, audio features).

Track objects and pages have their real shape and size (``available_markets`` on every
track and album, full album and artist objects): a 100-item page is about 500 KB and
goes out chunked, in pieces with pauses (:class:`~tests.fakes.base.FakeServer`).

Switches: ``max_limit`` (the largest ``limit`` accepted; above it HTTP 400 "Invalid
limit"), ``clamp_limit`` (pages silently shorter than asked),
``items_endpoint=False`` (an older API: ``/items`` answers 404),
``tracks_endpoint=False`` (development mode: ``/tracks`` answers 403),
``SpotifyPlaylist.forbidden`` (development mode on someone else's playlist: 403 on its
items), ``features_forbidden`` (403 on ``/audio-features``), ``expire_tokens_after`` (after that
many API calls every token issued so far expires: a token expiring mid-playlist),
plus the
faults of :class:`~tests.fakes.base.FakeServer`.
"""

from __future__ import annotations

import base64
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.base import FakeServer
from tests.fakes.data import ARTISTS, features, spotify_id, title

ADDED_BY = {
    "external_urls": {"spotify": "https://open.spotify.com/user/owner"},
    "href": "https://api.spotify.com/v1/users/owner",
    "id": "owner",
    "type": "user",
    "uri": "spotify:user:owner",
}
CLIENT_ID = "fake-client-id"
CLIENT_SECRET = "fake-client-secret"


#: The markets Spotify lists on tracks and albums (185 in 2026): most of a page's bytes.
_MARKET_CODES = (
    "AD AE AG AL AM AO AR AT AU AZ BA BB BD BE BF BG BH BI BJ BN BO BR BS BT BW BY BZ "
    "CA CD CG CH CI CL CM CO CR CV CW CY CZ DE DJ DK DM DO DZ EC EE EG ES ET FI FJ FM "
    "FR GA GB GD GE GH GM GN GQ GR GT GW GY HK HN HR HT HU ID IE IL IN IQ IS IT JM JO "
    "JP KE KG KH KI KM KN KR KW KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MG MH "
    "MK ML MN MO MR MT MU MV MW MX MY MZ NA NE NG NI NL NO NP NR NZ OM PA PE PG PH PK "
    "PL PR PS PT PW PY QA RO RS RW SA SB SC SE SG SI SK SL SM SN SR ST SV SZ TD TG TH "
    "TJ TL TN TO TR TT TV TW TZ UA UG US UY UZ VC VE VN VU WS XK ZA ZM ZW"
)
MARKETS = tuple(_MARKET_CODES.split())


def _artist(i: int) -> dict[str, Any]:
    aid = spotify_id(10_000 + i % 7)
    return {
        "external_urls": {"spotify": f"https://open.spotify.com/artist/{aid}"},
        "href": f"https://api.spotify.com/v1/artists/{aid}",
        "id": aid,
        "name": ARTISTS[i % len(ARTISTS)],
        "type": "artist",
        "uri": f"spotify:artist:{aid}",
    }


def _album(i: int, sid: str) -> dict[str, Any]:
    """A full album object, as Spotify embeds it in every track (markets included)."""
    alb = spotify_id(20_000 + i % 11)
    return {
        "album_type": "album",
        "artists": [_artist(i)],
        "available_markets": list(MARKETS),
        "external_urls": {"spotify": f"https://open.spotify.com/album/{alb}"},
        "href": f"https://api.spotify.com/v1/albums/{alb}",
        "id": alb,
        "images": [
            {"url": f"https://i.scdn.co/image/{sid}-640", "width": 640, "height": 640},
            {"url": f"https://i.scdn.co/image/{sid}-300", "width": 300, "height": 300},
            {"url": f"https://i.scdn.co/image/{sid}-64", "width": 64, "height": 64},
        ],
        "name": f"アルバム {i % 11}",
        "release_date": f"{1990 + i % 30}-05-01",
        "release_date_precision": "day",
        "total_tracks": 12,
        "type": "album",
        "uri": f"spotify:album:{alb}",
    }


def track_object(i: int, *, name: str | None = None) -> dict[str, Any]:
    """A Spotify track object as it appears in playlist items, at its real size (~5 KB)."""
    sid = spotify_id(i)
    return {
        "album": _album(i, sid),
        "artists": [_artist(i)],
        "available_markets": list(MARKETS),
        "disc_number": 1,
        "duration_ms": 180_000 + i * 1000,
        "episode": False,
        "explicit": i % 5 == 0,
        "external_ids": {"isrc": f"JPZZ{i:08d}"},
        "external_urls": {"spotify": f"https://open.spotify.com/track/{sid}"},
        "href": f"https://api.spotify.com/v1/tracks/{sid}",
        "id": sid,
        "is_local": False,
        "name": name if name is not None else title(i),
        "popularity": 40 + i % 50,
        "preview_url": None,
        "track": True,
        "track_number": 1 + i % 12,
        "type": "track",
        "uri": f"spotify:track:{sid}",
    }


def local_entry(name: str = "ローカル曲") -> dict[str, Any]:
    return {
        "type": "track",
        "id": None,
        "uri": f"spotify:local:Artist:Album:{name}:200",
        "name": name,
        "artists": [{"id": None, "name": "Someone"}],
        "album": {"id": None, "name": "", "images": []},
        "is_local": True,
    }


def episode_entry(i: int) -> dict[str, Any]:
    return {"type": "episode", "id": spotify_id(90_000 + i), "name": f"Podcast 🎙️ {i}"}


def select_fields(answer: dict[str, Any], fields: str | None) -> dict[str, Any]:
    """The top-level keys ``fields`` names (``a,b(c,d),e``), as Spotify's filter does."""
    if not fields:
        return answer
    names, depth, current = [], 0, ""
    for char in fields + ",":
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            names.append(current.split("(")[0].strip())
            current = ""
        else:
            current += char
    return {key: answer[key] for key in names if key in answer}


@dataclass
class SpotifyPlaylist:
    """A playlist: ``entries`` are track objects, local/episode objects, or None (null item)."""

    id: str
    name: str
    entries: list[dict[str, Any] | None]
    snapshot_id: str = "snap-1"
    owner: str = "テスト ユーザー"
    forbidden: bool = False
    #: Whether the playlist object embeds its first items (ShareList#22 says it does for
    #: development-mode apps; False: only their ``total``, in case Spotify stops that).
    object_items: bool = True

    @classmethod
    def generated(
        cls, pid: str, n: int, name: str = "国際ポップ 🌏", start: int = 0
    ) -> SpotifyPlaylist:
        return cls(pid, name, [track_object(i) for i in range(start, start + n)])


@dataclass
class FakeSpotify(FakeServer):
    playlists: dict[str, SpotifyPlaylist] = field(default_factory=dict)
    features: dict[str, dict[str, float]] = field(default_factory=dict)
    features_forbidden: bool = False
    items_endpoint: bool = True
    tracks_endpoint: bool = True
    expire_tokens_after: int | None = None
    expires_in: int = 3600
    #: The largest ``limit`` an items page accepts; above it: HTTP 400 "Invalid limit".
    max_limit: int = 100
    #: Send at most this many items per page whatever ``limit`` says (the page's
    #: ``limit`` field tells), as APIs that clamp silently do; None: no clamp.
    clamp_limit: int | None = None
    #: Serve pages from pre-rendered JSON (the benchmark: the fake's own CPU time is not
    #: what is measured). Leave off in tests that change a playlist while serving it.
    cache_pages: bool = False

    def __post_init__(self) -> None:
        FakeServer.__init__(self)
        self._serial = itertools.count(1)
        self.tokens: dict[str, bool] = {}  # token -> still valid
        self.tokens_issued = 0
        self.api_calls = 0
        self._rendered: dict[str, bytes] = {}

    @property
    def api_base(self) -> str:
        return f"{self.url}/v1"

    @property
    def token_url(self) -> str:
        return f"{self.url}/api/token"

    def add(self, playlist: SpotifyPlaylist, *, with_features: bool = True) -> SpotifyPlaylist:
        """Store a playlist (and Spotify audio features for its tracks)."""
        self.playlists[playlist.id] = playlist
        if with_features:
            for i, entry in enumerate(playlist.entries):
                if entry and entry.get("type") == "track" and entry.get("id"):
                    self.features[entry["id"]] = features(i)
        return playlist

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/api/token", self.token, name="token")
        app.router.add_get("/v1/playlists/{id}", self.playlist, name="playlist")
        app.router.add_get("/v1/playlists/{id}/items", self.items, name="items")
        app.router.add_get("/v1/playlists/{id}/tracks", self.tracks, name="tracks")
        app.router.add_get("/v1/audio-features", self.audio_features, name="audio-features")

    @staticmethod
    def _error(status: int, message: str) -> web.Response:
        return web.json_response({"error": {"status": status, "message": message}}, status=status)

    async def token(self, request: web.Request) -> web.Response:
        form = await request.post()
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}":
            return web.json_response({"error": "invalid_client"}, status=400)
        if form.get("grant_type") != "client_credentials":
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        token = f"token-{next(self._serial)}"
        self.tokens[token] = True
        self.tokens_issued += 1
        return web.json_response(
            {"access_token": token, "token_type": "Bearer", "expires_in": self.expires_in}
        )

    def _authorised(self, request: web.Request) -> web.Response | None:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ")
        if token not in self.tokens:
            return self._error(401, "Invalid access token")
        self.api_calls += 1
        if self.api_calls == self.expire_tokens_after:
            self.tokens = dict.fromkeys(self.tokens, False)
        if not self.tokens[token]:
            return self._error(401, "The access token expired")
        return None

    def _find(self, request: web.Request) -> SpotifyPlaylist | web.Response:
        denied = self._authorised(request)
        if denied is not None:
            return denied
        playlist = self.playlists.get(request.match_info["id"])
        if playlist is None:
            return self._error(404, "Resource not found")
        return playlist

    async def playlist(self, request: web.Request) -> web.Response:
        found = self._find(request)
        if isinstance(found, web.Response):
            return found
        first = self._page(found, 0, 100, "item", request)
        answer = {
            "id": found.id,
            "name": found.name,
            "owner": {"id": "owner", "display_name": found.owner},
            "snapshot_id": found.snapshot_id,
            "images": [{"url": f"https://mosaic.scdn.co/640/{found.id}", "width": 640}],
            "external_urls": {"spotify": f"https://open.spotify.com/playlist/{found.id}"},
            # the new shape: the first 100 items come with the metadata
            "items": first if found.object_items else {"items": [], "total": first["total"]},
        }
        return web.json_response(select_fields(answer, request.query.get("fields")))

    def _page(
        self, playlist: SpotifyPlaylist, offset: int, limit: int, key: str, request: web.Request
    ) -> dict[str, Any]:
        chunk = playlist.entries[offset : offset + limit]
        items: list[dict[str, Any] | None] = []
        for entry in chunk:
            if entry is None:
                items.append(None)
            else:
                items.append(
                    {
                        "added_at": "2026-01-01T00:00:00Z",
                        "added_by": ADDED_BY,
                        "is_local": bool(entry.get("is_local")),
                        "primary_color": None,
                        key: entry,
                        "video_thumbnail": {"url": None},
                    }
                )
        total = len(playlist.entries)
        nxt = None
        if offset + limit < total:
            nxt = str(request.url.with_query({"offset": offset + limit, "limit": limit}))
        return {"items": items, "limit": limit, "offset": offset, "total": total, "next": nxt}

    async def _entries(self, request: web.Request, key: str) -> web.Response:
        found = self._find(request)
        if isinstance(found, web.Response):
            return found
        if found.forbidden:
            return self._error(403, "Forbidden")
        limit = int(request.query.get("limit", "100"))
        offset = int(request.query.get("offset", "0"))
        if not 1 <= limit <= self.max_limit:
            return self._error(400, "Invalid limit")
        if offset < 0:
            return self._error(400, "Invalid offset")
        limit = min(limit, self.clamp_limit or limit)
        if not self.cache_pages:
            return web.json_response(self._page(found, offset, limit, key, request))
        cache_key = f"{found.id}|{key}|{request.url}"
        body = self._rendered.get(cache_key)
        if body is None:
            body = json.dumps(self._page(found, offset, limit, key, request)).encode()
            self._rendered[cache_key] = body
        return web.Response(body=body, content_type="application/json")

    async def items(self, request: web.Request) -> web.Response:
        if not self.items_endpoint:
            return self._error(404, "Service not found")
        return await self._entries(request, "item")

    async def tracks(self, request: web.Request) -> web.Response:
        if not self.tracks_endpoint:
            denied = self._authorised(request)
            return denied or self._error(403, "Forbidden")
        return await self._entries(request, "track")

    async def audio_features(self, request: web.Request) -> web.Response:
        denied = self._authorised(request)
        if denied is not None:
            return denied
        if self.features_forbidden:
            return self._error(403, "Forbidden")
        ids = [i for i in request.query.get("ids", "").split(",") if i]
        if not 1 <= len(ids) <= 100:
            return self._error(400, "Too many ids requested")
        out: list[dict[str, Any] | None] = []
        for sid in ids:
            values = self.features.get(sid)
            out.append(None if values is None else {"id": sid, "type": "audio_features", **values})
        return web.json_response({"audio_features": out})
