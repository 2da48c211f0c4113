"""What every fake server shares: a request log, latency, chunked bodies, switchable faults.

Like the real APIs, the fakes send large answers in pieces: every body over
``chunk_size`` bytes goes out in ``chunk_size`` pieces with ``chunk_pause`` seconds
between them, with ``Transfer-Encoding: chunked`` (Deezer's way) or, with
``chunked = False``, under a ``Content-Length`` (so the client sees many reads).
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web
from aiohttp.test_utils import TestServer

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

#: The fault kinds a fake understands.
FAULT_KINDS = (
    "status",
    "slow",
    "malformed",
    "deezer_quota",
    "spotify_quota",
    "deezer_error",
    "html",
    "empty",
    "truncated",
)

HTML_PAGE = (
    "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
    "<body><h1>Bad Gateway</h1><p>The upstream server did not answer.</p></body></html>"
)


@dataclass
class Fault:
    """One fault, applied to the next ``times`` requests on ``route`` (None = any route).

    kinds: ``status`` (answer ``status`` with an optional ``Retry-After`` and
    ``message``), ``slow`` (wait ``delay`` seconds before answering, past the client's
    timeout), ``malformed`` (HTTP 200 with a truncated JSON body), ``deezer_quota``
    (HTTP 200 with Deezer's code-4 error), ``deezer_error`` (HTTP 200 with Deezer's
    error ``code``), ``spotify_quota`` (HTTP 429 with reason QUOTA_EXCEEDED), ``html``
    (an HTML error page with ``status``), ``empty`` (HTTP 200, empty body),
    ``truncated`` (the real answer's first half, then the connection closes although
    ``Content-Length`` promised more).
    """

    kind: str
    route: str | None = None
    times: int = 1
    status: int = 500
    retry_after: str | None = None
    delay: float = 0.0
    code: int = 0
    message: str = "fault"


class FakeServer(abc.ABC):
    """Base of the fakes: subclasses add routes (each with a ``name``) in ``routes()``."""

    def __init__(self) -> None:
        self.faults: list[Fault] = []
        #: (route name, path with query) of every request received, faults included.
        self.log: list[tuple[str, str]] = []
        #: Seconds every answer is delayed (the benchmark uses 0.05).
        self.latency = 0.0
        self.url = ""
        #: Requests being answered right now, and the most seen at once.
        self.in_flight = 0
        self.max_in_flight = 0
        #: Bodies larger than this go out in pieces of this size ...
        self.chunk_size = 16 * 1024
        #: ... with this pause between pieces ...
        self.chunk_pause = 0.001
        #: ... chunked (True) or under a Content-Length (False).
        self.chunked = True

    def fault(self, kind: str, *, route: str | None = None, times: int = 1, **kw: object) -> Fault:
        """Queue a fault; returns it so a test can check ``times`` reached 0."""
        if kind not in FAULT_KINDS:
            raise ValueError(kind)
        item = Fault(kind, route, times, **kw)  # type: ignore[arg-type]
        self.faults.append(item)
        return item

    def count(self, route: str) -> int:
        """How many requests hit ``route``."""
        return sum(1 for name, _ in self.log if name == route)

    @abc.abstractmethod
    def routes(self, app: web.Application) -> None:
        """Add this fake's routes to ``app``."""

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        self.routes(app)
        return app

    def _take_fault(self, route: str) -> Fault | None:
        for item in self.faults:
            if item.times > 0 and item.route in (None, route):
                item.times -= 1
                return item
        return None

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        route = request.match_info.route.name or ""
        self.log.append((route, request.path_qs))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self._answer(route, request, handler)
        finally:
            self.in_flight -= 1

    async def _answer(
        self, route: str, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        if self.latency:
            await asyncio.sleep(self.latency)
        fault = self._take_fault(route)
        if fault is not None and fault.kind == "slow":
            await asyncio.sleep(fault.delay)
        elif fault is not None and fault.kind == "truncated":
            return await self._truncated(request, await handler(request))
        elif fault is not None:
            return fault_response(fault)
        return await self._send(request, await handler(request))

    async def _send(self, request: web.Request, resp: web.StreamResponse) -> web.StreamResponse:
        """Send a large plain response in pieces with pauses; others as they are."""
        body = resp.body if isinstance(resp, web.Response) else None
        if not isinstance(body, bytes) or len(body) <= self.chunk_size:
            return resp
        out = web.StreamResponse(status=resp.status, headers=resp.headers)
        if self.chunked:
            out.enable_chunked_encoding()
        else:
            out.content_length = len(body)
        await out.prepare(request)
        for start in range(0, len(body), self.chunk_size):
            await out.write(body[start : start + self.chunk_size])
            await asyncio.sleep(self.chunk_pause)
        await out.write_eof()
        return out

    async def _truncated(
        self, request: web.Request, resp: web.StreamResponse
    ) -> web.StreamResponse:
        """Half of the real body under the full Content-Length, then a closed connection."""
        body = resp.body if isinstance(resp, web.Response) else b""
        body = body if isinstance(body, bytes) else b""
        out = web.StreamResponse(status=resp.status, headers=resp.headers)
        out.content_length = len(body) + 1
        await out.prepare(request)
        await out.write(body[: len(body) // 2])
        if request.transport is not None:
            request.transport.close()
        return out


def fault_response(fault: Fault) -> web.Response:
    """The canned answer of a fault kind (all but ``slow`` and ``truncated``)."""
    if fault.kind == "status":
        headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
        return web.json_response(
            {"error": {"status": fault.status, "message": fault.message}},
            status=fault.status,
            headers=headers,
        )
    if fault.kind == "malformed":
        return web.Response(text='{"items": [{"na', content_type="application/json")
    if fault.kind == "html":
        return web.Response(text=HTML_PAGE, status=fault.status, content_type="text/html")
    if fault.kind == "empty":
        return web.Response(body=b"", content_type="application/json")
    if fault.kind == "deezer_quota":
        return web.json_response(
            {"error": {"type": "Exception", "message": "Quota limit exceeded", "code": 4}}
        )
    if fault.kind == "deezer_error":
        return web.json_response(
            {"error": {"type": "Exception", "message": fault.message, "code": fault.code}}
        )
    # spotify_quota
    return web.json_response(
        {"error": {"status": 429, "message": "Too many requests", "reason": "QUOTA_EXCEEDED"}},
        status=429,
        headers={"Retry-After": "86400"},
    )


@asynccontextmanager
async def serve(fake: FakeServer) -> AsyncIterator[str]:
    """Serve ``fake`` on 127.0.0.1 for the block; yields (and sets ``fake.url``) its origin."""
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    fake.url = str(server.make_url("/")).rstrip("/")
    try:
        yield fake.url
    finally:
        await server.close()
