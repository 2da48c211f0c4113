"""What makes the benchmark fakes behave like the real services (shared by the benchmarks).

- **Body sizes.** The test fakes (``tests/fakes``) answer at real size and send large
  bodies chunked in 16 KB pieces (a 100-item Spotify page is about 450 KB, a Deezer
  page about 190 KB); :func:`inflate_deezer` adds what they leave small: the fields
  of Deezer's album answers (contributors, covers, the album's track list: about
  2.6 KB) and track answers (``available_countries``, contributors: about 1.5 KB).
- **Server-side limits** (:class:`ServerLimit`): at most ``limit`` requests in any
  ``window`` seconds per host; beyond that Spotify and ReccoBeats answer 429 with
  ``Retry-After`` (whole seconds until the window frees a slot), Deezer its quota error
  (code 4) inside HTTP 200, after the same latency as any answer. The limits of Spotify
  and ReccoBeats are unpublished: the values used are stated where they are set.
- ``/_bench/stats`` and ``/_bench/reset`` report and reset a server's counters.
- :class:`Served` runs the fakes in a child process, so their work does not slow (or
  stall) the client being measured.
"""

from __future__ import annotations

import asyncio
import math
import multiprocessing
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.fakes.base import FakeServer, Handler
from tests.fakes.deezer import FakeDeezer

MARKETS = [f"{a}{b}" for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFG"][:185]
DEEZER_QUOTA = {"error": {"type": "Exception", "message": "Quota limit exceeded", "code": 4}}


@dataclass
class ServerLimit:
    """At most ``limit`` requests in any ``window`` seconds; ``style`` "429" or "deezer"."""

    limit: int
    window: float
    style: str = "429"
    latency: float = 0.0
    served: int = 0
    refused: int = 0
    _times: deque[float] = field(default_factory=deque)

    def admit(self, now: float) -> float | None:
        """None when the request may be served, else seconds until a slot frees."""
        while self._times and self._times[0] <= now - self.window:
            self._times.popleft()
        if len(self._times) >= self.limit:
            return self._times[0] + self.window - now
        self._times.append(now)
        return None

    def reset(self) -> None:
        self._times.clear()
        self.served = self.refused = 0

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/_bench/"):
            return await handler(request)
        wait = self.admit(asyncio.get_running_loop().time()) if self.limit else None
        if wait is None:
            self.served += 1
            return await handler(request)
        self.refused += 1
        await asyncio.sleep(self.latency)
        if self.style == "deezer":
            return web.json_response(DEEZER_QUOTA)
        return web.json_response(
            {"error": {"status": 429, "message": "API rate limit exceeded"}},
            status=429,
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )


@asynccontextmanager
async def serve_realistic(fake: FakeServer, limit: ServerLimit) -> AsyncIterator[str]:
    """Serve ``fake`` with its limit (outermost); yields its URL."""
    app = fake.app()
    app.middlewares.insert(0, limit.middleware)

    async def stats(_: web.Request) -> web.Response:
        return web.json_response({"served": limit.served, "refused": limit.refused})

    async def reset(_: web.Request) -> web.Response:
        limit.reset()
        return web.json_response({})

    app.router.add_get("/_bench/stats", stats)
    app.router.add_post("/_bench/reset", reset)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    fake.url = str(server.make_url("/")).rstrip("/")
    try:
        yield fake.url
    finally:
        await server.close()


Builder = Callable[[], list[tuple[str, FakeServer]]]
#: Per fake name: (requests, window in seconds, "429" or "deezer").
Limits = dict[str, tuple[int, float, str]]


def _serve_in_child(builder: Builder, latency: float, limits: Limits, conn: Connection) -> None:
    async def run() -> None:
        served = []
        for name, fake in builder():
            fake.latency = latency
            limit, window, style = limits.get(name, (0, 1.0, "429"))
            context = serve_realistic(fake, ServerLimit(limit, window, style, latency))
            served.append((name, await context.__aenter__(), context))
        conn.send({name: url for name, url, _ in served})
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)
        for _, _, context in served:
            await context.__aexit__(None, None, None)

    asyncio.run(run())


class Served:
    """Fakes from ``builder`` served by a child process: ``with Served(...) as urls``
    gives ``{name: origin}``. ``builder`` must be picklable (a module-level function or
    a ``functools.partial`` of one)."""

    def __init__(self, builder: Builder, latency: float, limits: Limits | None = None) -> None:
        self.parent, child = multiprocessing.Pipe()
        self.process = multiprocessing.get_context("spawn").Process(
            target=_serve_in_child, args=(builder, latency, limits or {}, child), daemon=True
        )

    def __enter__(self) -> dict[str, str]:
        self.process.start()
        return self.parent.recv()

    def __exit__(self, *exc: object) -> None:
        self.parent.send("stop")
        self.process.join(timeout=10)


def inflate_deezer(fake: FakeDeezer) -> None:
    """Give Deezer's albums and tracks the fields of the real answers (the test fakes'
    playlist entries already have them)."""
    stub = {"id": 1, "readable": True, "title": "Track", "link": "https://www.deezer.com/track/1"}
    for album in fake.albums.values():
        album.update(
            upc="0602445790906",
            link=f"https://www.deezer.com/album/{album['id']}",
            cover_xl=f"https://e-cdns-images.dzcdn.net/images/cover/{album['id']}/1000x1000.jpg",
            fans=1234,
            available=True,
            contributors=[{"id": 27, "name": "Artist", "role": "Main", "type": "artist"}] * 2,
            tracks={
                "data": [{**stub, "duration": 200, "rank": 500_000, "md5_image": "x" * 32}] * 12
            },
        )
    for details in fake.details.values():
        details.update(
            available_countries=MARKETS,
            contributors=[{"id": 27, "name": "Artist", "role": "Main", "type": "artist"}] * 2,
            track_position=3,
            disk_number=1,
            explicit_lyrics=False,
            md5_image="2e018122cb56986277102d2041a592c8",
        )
