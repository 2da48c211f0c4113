"""A fake ReccoBeats API: audio features for Spotify ids, 40 per call, unknown ids missing.

Answers list the known tracks in reverse order with ReccoBeats' own ``id``, so a client
must match them by the Spotify id at the end of ``href``, as the real API requires.
Ids beyond the 40th are dropped silently, like the real service.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from aiohttp import web

from tests.fakes.base import FakeServer

MAX_IDS = 40


@dataclass
class FakeReccoBeats(FakeServer):
    features: dict[str, dict[str, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        FakeServer.__init__(self)

    @property
    def api_base(self) -> str:
        return f"{self.url}/v1"

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/v1/audio-features", self.audio_features, name="audio-features")

    async def audio_features(self, request: web.Request) -> web.Response:
        ids = [i for i in request.query.get("ids", "").split(",") if i][:MAX_IDS]
        content = [
            {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, sid)),
                "href": f"https://open.spotify.com/track/{sid}",
                **self.features[sid],
            }
            for sid in reversed(ids)
            if sid in self.features
        ]
        return web.json_response({"content": content})
