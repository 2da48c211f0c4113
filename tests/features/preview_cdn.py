"""A fake preview CDN and the helpers the preview-audio tests share (fixtures: conftest)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import aiohttp
import numpy as np
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.features.audio import PreviewAudioProvider
from bot.model import Track
from tests.synthetic_audio import clicks, noise, tones


@dataclass
class FakeCdn:
    """A preview CDN: serves MP3 bytes by name and records every request path."""

    files: dict[str, bytes]
    hits: list[str] = field(default_factory=list)
    server: TestServer | None = None
    active: int = 0
    peak_active: int = 0

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        assert self.server is not None
        return f"http://{host}:{self.server.port}{path}"

    def app(self) -> web.Application:
        async def preview(request: web.Request) -> web.StreamResponse:
            self.hits.append(request.path)
            self.active += 1
            self.peak_active = max(self.peak_active, self.active)
            try:
                return await answer(request)
            finally:
                self.active -= 1

        async def answer(request: web.Request) -> web.StreamResponse:
            if "delay" in request.query:
                await asyncio.sleep(float(request.query["delay"]))
            name = request.match_info["name"]
            if name == "expired.mp3":
                return web.Response(status=403, text="URL signature expired")
            if name == "slow.mp3":
                await asyncio.sleep(5)
            if name == "endless.mp3":  # chunked, no Content-Length: only the cap stops it
                response = web.StreamResponse()
                response.enable_chunked_encoding()
                await response.prepare(request)
                for _ in range(200):
                    await response.write(b"\xff" * 65536)
                return response
            if name.startswith("moved-"):
                target = name.removeprefix("moved-")
                host = request.query.get("host", "127.0.0.1")
                raise web.HTTPFound(self.url(f"/previews/{target}", host))
            if name not in self.files:
                raise web.HTTPNotFound()
            return web.Response(body=self.files[name], content_type="audio/mpeg")

        app = web.Application()
        app.router.add_get("/previews/{name}", preview)
        return app


@dataclass
class DictCache:
    """The feature-cache interface of storage's CacheRepository, backed by a dict."""

    data: dict[tuple[str, str, str, int], dict[str, float]] = field(default_factory=dict)
    puts: int = 0

    async def get_features(
        self, source: str, track_ids: Sequence[str], provider: str, version: int
    ) -> dict[str, dict[str, float]]:
        found = {i: self.data.get((source, i, provider, version)) for i in track_ids}
        return {i: dict(f) for i, f in found.items() if f is not None}

    async def put_features(
        self,
        source: str,
        features: Mapping[str, Mapping[str, float]],
        provider: str,
        version: int,
    ) -> None:
        self.puts += 1
        for track_id, values in features.items():
            self.data[(source, track_id, provider, version)] = dict(values)


FAMILIES = ("fast bright clicks", "slow low tones", "noise")


def family_clip(family: int, member: int) -> np.ndarray:
    """Six seconds of one of three sound families, varied a little per member."""
    if family == 0:
        return clicks(150 + 6 * member, 6.0, freq=4000 + 500 * member, amplitude=0.6)
    if family == 1:
        return tones((98.0 + 8 * member, 123.0, 82.0), 6.0, note_seconds=1.0 + 0.05 * member)
    return noise(6.0, amplitude=0.1 + 0.03 * member, seed=member)


def track(track_id: str, preview_url: str = "", **kwargs: object) -> Track:
    return Track(id=track_id, title=f"Track {track_id}", preview_url=preview_url, **kwargs)


def provider(
    session: aiohttp.ClientSession, pool: ProcessPoolExecutor, **kwargs: object
) -> PreviewAudioProvider:
    options: dict[str, object] = {"allowed_hosts": ["127.0.0.1"], "executor": pool}
    options.update(kwargs)
    return PreviewAudioProvider(session, **options)  # type: ignore[arg-type]


class Progress:
    def __init__(self) -> None:
        self.reports: list[tuple[str, int, int]] = []

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.reports.append((stage, done, total))
