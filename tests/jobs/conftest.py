"""A real Redis for the job tests, and workers run in this process.

``redis_session`` starts ``redis-server`` once per session on a free 127.0.0.1 port
(no persistence), or uses ``TEST_REDIS_URL`` when set. Without redis-server the tests
are skipped, except in CI (``CI=true``) where that fails: ``.ci/run`` installs it.
``redis_url`` empties the database before each test.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
from aiohttp import web

from bot.jobs.client import JobClient
from bot.model import PlaylistRef
from bot.roots.worker import open_services, open_worker
from bot.services.lines import JobLine, LocalLine
from bot.settings.env import Settings
from tests.cogs.test_loopback import fake_discord  # noqa: F401  (a fixture for these tests)
from tests.fakes.base import serve
from tests.fakes.deezer import FakeDeezer
from tests.harness import bot_settings
from tests.redis_server import find_redis_server, redis_server

#: The playlist the ``deezer`` fixture serves.
DEEZER = PlaylistRef("deezer", "4242")


def _find_redis_server() -> str:
    path = find_redis_server()
    if path:
        return path
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("redis-server is missing in CI; .ci/run should have installed it")
    pytest.skip("no redis-server installed (apt-get install redis-server)")


@pytest.fixture(scope="session")
def redis_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a Redis for this test session."""
    given = os.environ.get("TEST_REDIS_URL")
    if given:
        yield given
        return
    executable = _find_redis_server()
    with redis_server(executable, tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def redis_url(redis_session: str) -> str:
    """The session's Redis, emptied for this test."""
    client = redis.Redis.from_url(redis_session)
    try:
        client.flushdb()
    finally:
        client.close()
    return redis_session


def job_settings(tmp_path: Path, url: str, **overrides: Any) -> Settings:
    """Test settings (tests/harness.py) with REDIS_URL: what bots and workers share."""
    return bot_settings(tmp_path, redis_url=url, **overrides)


@asynccontextmanager
async def running_worker(settings: Settings, **overrides: Any) -> AsyncIterator[Any]:
    """An arq worker with the bot's services, running in this event loop until the block
    ends (then stopped the way SIGTERM stops one: running jobs go back in the line)."""
    overrides.setdefault("poll_delay", 0.02)
    async with open_worker(settings, **overrides) as worker:
        started = asyncio.Event()
        startup = worker.on_startup

        async def on_startup(ctx: dict[str, Any]) -> None:
            assert startup is not None
            await startup(ctx)
            started.set()

        worker.on_startup = on_startup
        runner = asyncio.create_task(worker.async_run())
        waiting = asyncio.create_task(started.wait())
        try:
            done, _ = await asyncio.wait(
                {runner, waiting}, timeout=30, return_when=asyncio.FIRST_COMPLETED
            )
            if runner in done:
                runner.result()
            assert waiting in done, "the worker did not start"
            yield worker
        finally:
            waiting.cancel()
            worker.handle_sig(15)  # type: ignore[arg-type]
            with contextlib.suppress(asyncio.CancelledError):
                await runner


class HeldDeezer(FakeDeezer):
    """The fake Deezer whose playlist answers wait while ``release`` is clear."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.release = asyncio.Event()
        self.release.set()
        self.arrived = asyncio.Event()

    async def playlist(self, request: web.Request) -> web.Response:
        self.arrived.set()
        await self.release.wait()
        return await super().playlist(request)


@pytest.fixture
async def deezer() -> AsyncIterator[HeldDeezer]:
    fake = HeldDeezer()
    async with serve(fake):
        fake.generated(4242, 30, name="Nuit blanche")
        yield fake
        fake.release.set()


def settings_for(tmp_path: Path, redis_url: str, deezer: FakeDeezer, **more: Any) -> Settings:
    return job_settings(
        tmp_path, redis_url, deezer_api_base=deezer.api_base, http_timeout_seconds=30, **more
    )


@asynccontextmanager
async def bot_side(
    settings: Settings, client_class: type[JobClient] = JobClient
) -> AsyncIterator[JobLine]:
    """A bot process's analysis line on the job queue (what setup_hook builds)."""
    async with open_services(settings) as services:
        client = await client_class.connect(
            settings.redis_url.get_secret_value(),
            job_timeout=settings.job_timeout_seconds,
            poll_seconds=0.05,
        )
        try:
            yield JobLine(services.analyzer, services.personal, client)
        finally:
            await client.close()


@asynccontextmanager
async def local_line(settings: Settings) -> AsyncIterator[LocalLine]:
    """The default: analyses in the bot's own process."""
    async with open_services(settings) as services:
        yield LocalLine(services.analyzer, services.personal, None)
