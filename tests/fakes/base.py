"""What every fake server shares: a request log, latency, and a queue of switchable faults."""

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
FAULT_KINDS = ("status", "slow", "malformed", "deezer_quota", "spotify_quota")


@dataclass
class Fault:
    """One fault, applied to the next ``times`` requests on ``route`` (None = any route).

    kinds: ``status`` (answer ``status`` with an optional ``Retry-After``), ``slow``
    (wait ``delay`` seconds before answering, past the client's timeout), ``malformed``
    (HTTP 200 with a truncated JSON body), ``deezer_quota`` (HTTP 200 with Deezer's
    code-4 error), ``spotify_quota`` (HTTP 429 with reason QUOTA_EXCEEDED).
    """

    kind: str
    route: str | None = None
    times: int = 1
    status: int = 500
    retry_after: str | None = None
    delay: float = 0.0


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
        if fault is not None:
            if fault.kind == "slow":
                await asyncio.sleep(fault.delay)
            elif fault.kind == "status":
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                return web.json_response(
                    {"error": {"status": fault.status, "message": "fault"}},
                    status=fault.status,
                    headers=headers,
                )
            elif fault.kind == "malformed":
                return web.Response(text='{"items": [{"na', content_type="application/json")
            elif fault.kind == "deezer_quota":
                return web.json_response(
                    {"error": {"type": "Exception", "message": "Quota limit exceeded", "code": 4}}
                )
            elif fault.kind == "spotify_quota":
                return web.json_response(
                    {
                        "error": {
                            "status": 429,
                            "message": "Too many requests",
                            "reason": "QUOTA_EXCEEDED",
                        }
                    },
                    status=429,
                    headers={"Retry-After": "86400"},
                )
        return await handler(request)


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
