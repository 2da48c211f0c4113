"""Loopback servers that replay real Deezer and Spotify answers (``tests/data/recorded``).

A recorded body is sent byte for byte wherever the request matches a recording; the
inherited :class:`~tests.fakes.base.FakeServer` sends it in ``chunk_size`` pieces with
pauses, chunked or under a ``Content-Length``. Where the client asks for something
nobody recorded, the answer is made from recorded data, never invented:

- Deezer ``/playlist/{id}/tracks`` pages are cut from the track entries recorded in
  ``/playlist/{id}`` (``tracks.data``); with ``verbatim_first_page`` the recorded first
  page of ``/playlist/9200461/tracks`` (25 entries) is sent as it is instead;
- Deezer albums nobody recorded answer the recorded "no data" error (code 800);
- Spotify ``/items`` answers the recorded items page; a playlist recorded in the old
  shape with its entries embedded answers those entries as its page.

See ``tests/data/recorded/README.md`` for where each recording comes from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.fakes.base import FakeServer

RECORDED = Path(__file__).resolve().parents[1] / "data" / "recorded"


def recording(name: str) -> bytes:
    """The bytes of one recorded body."""
    return (RECORDED / name).read_bytes()


def recorded_json(name: str) -> Any:
    return json.loads(recording(name))


def _json(body: bytes, status: int = 200) -> web.Response:
    return web.Response(body=body, status=status, content_type="application/json")


@dataclass
class RecordedDeezer(FakeServer):
    """Deezer's API replayed from recordings; playlists are the recorded ones."""

    #: playlist id -> recording of ``/playlist/{id}``.
    playlists: dict[str, str] = field(
        default_factory=lambda: {
            "908622995": "deezer_playlist_908622995.json",
            "9200461": "deezer_playlist_9200461.json",
            "11015569602": "deezer_playlist_11015569602.json",
        }
    )
    albums: dict[str, str] = field(
        default_factory=lambda: {
            "302127": "deezer_album_302127.json",
            "302128": "deezer_album_302128.json",
        }
    )
    verbatim_first_page: bool = False
    max_limit: int = 100

    def __post_init__(self) -> None:
        FakeServer.__init__(self)

    @property
    def api_base(self) -> str:
        return self.url

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/playlist/{id}", self.playlist, name="playlist")
        app.router.add_get("/playlist/{id}/tracks", self.tracks, name="tracks")
        app.router.add_get("/album/{id}", self.album, name="album")
        app.router.add_get("/genre/{id}", self.recorded_error, name="genre")
        app.router.add_get("/podcast/{id}", self.recorded_error, name="podcast")
        app.router.add_get("/{tail:.*}", self.not_found, name="unknown")

    async def recorded_error(self, request: web.Request) -> web.Response:
        """The recorded answers for ``/genre/-1`` (code 500) and ``/podcast/-1`` (no code)."""
        if request.match_info.route.name == "genre":
            return _json(recording("deezer_error_500_wrong_parameter.json"))
        return _json(recording("deezer_error_without_code.json"))

    async def not_found(self, request: web.Request) -> web.Response:
        return _json(recording("deezer_http_404.json"), status=404)

    async def playlist(self, request: web.Request) -> web.Response:
        name = self.playlists.get(request.match_info["id"])
        return _json(recording(name or "deezer_error_800_no_data.json"))

    async def tracks(self, request: web.Request) -> web.Response:
        pid = request.match_info["id"]
        name = self.playlists.get(pid)
        if name is None:
            return _json(recording("deezer_error_800_no_data.json"))
        index = int(request.query.get("index", "0"))
        if self.verbatim_first_page and pid == "9200461" and index == 0:
            return _json(recording("deezer_playlist_9200461_tracks.json"))
        entries = recorded_json(name)["tracks"]["data"]
        limit = min(int(request.query.get("limit", "25")), self.max_limit)
        body: dict[str, Any] = {"data": entries[index : index + limit], "total": len(entries)}
        if index + limit < len(entries):
            body["next"] = str(request.url.with_query({"index": index + limit, "limit": limit}))
        return _json(json.dumps(body).encode())

    async def album(self, request: web.Request) -> web.Response:
        name = self.albums.get(request.match_info["id"])
        return _json(recording(name or "deezer_error_800_no_data.json"))


@dataclass
class RecordedSpotify(FakeServer):
    """Spotify's API replayed: ``/playlists/{id}`` and its items from recordings."""

    #: playlist id -> (recording of the playlist, recording of its items page or None
    #: when the playlist recording embeds its entries in the old ``tracks`` shape).
    playlists: dict[str, tuple[str, str | None]] = field(
        default_factory=lambda: {
            "59ZbFPES4DQwEjBpWHzrtC": (
                "spotify_playlist_old_shape.json",
                "spotify_items_page.json",
            ),
            "21THa8j9TaSGuXYNBU5tsC": (
                "spotify_playlist_old_shape.json",
                "spotify_items_page_episode.json",
            ),
            "07XddQ4dIOBluElasP5hjH": ("spotify_playlist_local_files.json", None),
        }
    )

    #: Answer the token endpoint with the recorded ``invalid_client`` refusal (HTTP 400).
    refuse_credentials: bool = False

    def __post_init__(self) -> None:
        FakeServer.__init__(self)

    @property
    def api_base(self) -> str:
        return f"{self.url}/v1"

    @property
    def token_url(self) -> str:
        return f"{self.url}/api/token"

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/api/token", self.token, name="token")
        app.router.add_get("/v1/playlists/{id}", self.playlist, name="playlist")
        app.router.add_get("/v1/playlists/{id}/items", self.items, name="items")

    async def token(self, request: web.Request) -> web.Response:
        if self.refuse_credentials:
            return _json(recording("spotify_token_invalid_client.json"), status=400)
        return web.json_response(
            {"access_token": "replayed", "token_type": "Bearer", "expires_in": 3600}
        )

    async def playlist(self, request: web.Request) -> web.Response:
        found = self.playlists.get(request.match_info["id"])
        if found is None:
            return web.json_response(
                {"error": {"status": 404, "message": "Resource not found"}}, status=404
            )
        return _json(recording(found[0]))

    async def items(self, request: web.Request) -> web.Response:
        found = self.playlists.get(request.match_info["id"])
        if found is None:
            return web.json_response(
                {"error": {"status": 404, "message": "Resource not found"}}, status=404
            )
        playlist, page = found
        if page is not None:
            return _json(recording(page))
        return _json(json.dumps(recorded_json(playlist)["tracks"]).encode())
