"""A fake YouTube Music API on 127.0.0.1 replaying real ``browse`` answers.

``POST /youtubei/v1/browse?alt=json`` with ``{"browseId": "VL<id>", "context": …}``
answers the saved answer for that playlist byte for byte (``tests/data/public``,
ytmusicapi's own test data), sent at real size in pieces like every fake. Unknown
playlists answer 404 with YouTube's error body. ``requests`` keeps each request body
so tests can check what was sent (the client context, the browse id).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.base import FakeServer
from tests.fakes.public_pages import public_bytes

FEEL_GOOD = "RDCLAK5uy_lWy02cQBnTVTlwuRauaGKeUDH3L6PXNxI"
REVIVAL = "OLAK5uy_n0x1TMX8DL2eli2g_LysCSg-6Nq5YQa1g"
RECORDED = {
    FEEL_GOOD: "ytmusic_browse_playlist_public_2024_03.json",
    REVIVAL: "ytmusic_browse_playlist_audio_2025_12.json",
}


@dataclass
class FakeYTMusic(FakeServer):
    """playlist id -> answer bytes (the recorded ones by default)."""

    answers: dict[str, bytes] = field(default_factory=dict)
    bodies: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        FakeServer.__init__(self)
        for pid, name in RECORDED.items():
            self.answers.setdefault(pid, public_bytes(name))

    @property
    def api_base(self) -> str:
        return f"{self.url}/youtubei/v1"

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/youtubei/v1/browse", self.browse, name="browse")

    async def browse(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.bodies.append(body)
        browse_id = str(body.get("browseId", ""))
        answer = self.answers.get(browse_id.removeprefix("VL"))
        if answer is None:
            error = {
                "error": {
                    "code": 404,
                    "message": "Requested entity was not found.",
                    "status": "NOT_FOUND",
                }
            }
            return web.json_response(error, status=404)
        return web.Response(body=answer, content_type="application/json")


def renamed(pid: str, old: str, new: str) -> bytes:
    """A recorded answer with one key renamed everywhere (a changed shape)."""
    return public_bytes(RECORDED[pid]).replace(json.dumps(old).encode(), json.dumps(new).encode())
