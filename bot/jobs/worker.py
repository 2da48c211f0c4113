"""A worker's side of the job queue: the job function, its progress, its heartbeat.

The job function :func:`analyse_playlist` runs one :class:`~bot.jobs.protocol.AnalysisRequest`
with the runner the worker's composition root put in arq's ``ctx`` (``bot/roots/worker.py``:
the same services the bot uses, without a line of its own, since arq's ``max_jobs`` is
the line). The analysis lands in the shared cache; the result names its cache key.
Progress is published to the asking bot's channel at most every ``PROGRESS_SECONDS``
(and on every change of stage), one publish in flight, the newest report winning.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.errors import UserError
from bot.jobs.protocol import (
    ABANDONED_PREFIX,
    HEARTBEAT_SECONDS,
    RUNNING,
    STARTED,
    WORKER_ALIVE_SECONDS,
    WORKERS,
    AnalysisRequest,
    encode_event,
    error_to_wire,
)
from bot.model import ProgressCallback

log = logging.getLogger(__name__)

#: Keys of arq's ``ctx`` the worker's composition root fills in.
RUNNER = "playlist_clusters_runner"
MAX_BYTES = "playlist_clusters_max_bytes"
WORKER_ID = "playlist_clusters_worker_id"
#: At most one progress event per this many seconds (the bot throttles its edits itself).
PROGRESS_SECONDS = 0.25


class Finished(Protocol):
    """What a runner returns (:class:`bot.pipeline.runner.Outcome` has these)."""

    key: str
    cached: bool


Runner = Callable[[AnalysisRequest, ProgressCallback], Awaitable[Finished]]


class ProgressPublisher:
    """A ProgressCallback that publishes progress events to a bot's reply channel."""

    def __init__(
        self,
        redis: Redis,
        channel: str,
        job_id: str,
        *,
        interval: float = PROGRESS_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.redis = redis
        self.channel = channel
        self.job_id = job_id
        self._interval = interval
        self._clock = clock
        self._last_at: float | None = None
        self._last_stage: str | None = None
        self._pending: tuple[str, int, int] | None = None
        self._task: asyncio.Task[None] | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self._clock()
        if (
            self._last_at is not None
            and stage == self._last_stage
            and now - self._last_at < self._interval
        ):
            return
        self._last_at, self._last_stage = now, stage
        self._pending = (stage, done, total)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        while self._pending is not None:
            (stage, done, total), self._pending = self._pending, None
            event = encode_event(self.job_id, "progress", stage=stage, done=done, total=total)
            try:
                await self.redis.publish(self.channel, event)
            except (RedisError, OSError):  # a lost progress line must not fail the analysis
                log.warning("could not publish progress", exc_info=True)

    async def flush(self) -> None:
        """Wait until every report so far is published (so ``done`` comes after them)."""
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task

    def cancel(self) -> None:
        self._pending = None
        if self._task is not None:
            self._task.cancel()


async def analyse_playlist(ctx: dict[str, Any], job: dict[str, Any]) -> dict[str, Any]:
    """arq job: run the request in ``job`` and tell the asking bot how it went.

    Returns (and publishes as ``done``) the cache key, or the user error as data, or
    ``{"failed": job id}`` after logging a bug with its traceback under the job id.
    """
    job_id: str = ctx["job_id"]
    redis: Redis = ctx["redis"]
    channel = str(job["reply"])
    publisher = ProgressPublisher(redis, channel, job_id)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.zadd(STARTED, {job_id: ctx["score"]})
        pipe.hset(RUNNING, job_id, str(ctx.get(WORKER_ID, "")))
        await pipe.execute()
    try:
        await redis.publish(channel, encode_event(job_id, "started"))
        result = await _run(ctx, job, publisher)
        await publisher.flush()
        if await redis.exists(ABANDONED_PREFIX + job_id):
            # The bot took this worker for dead and ran the job again elsewhere.
            log.warning("analysis job %s was given to another worker; not answering it", job_id)
            return {"abandoned": job_id}
        await redis.publish(channel, encode_event(job_id, "done", result=result))
        return result
    finally:
        publisher.cancel()
        with contextlib.suppress(RedisError, OSError):
            async with redis.pipeline(transaction=True) as pipe:
                pipe.zrem(STARTED, job_id)
                pipe.hdel(RUNNING, job_id)
                await pipe.execute()


async def _run(ctx: dict[str, Any], job: dict[str, Any], progress: ProgressCallback) -> dict:
    job_id: str = ctx["job_id"]
    run: Runner = ctx[RUNNER]
    try:
        request = AnalysisRequest.from_wire(job["request"], max_bytes=int(ctx[MAX_BYTES]))
        outcome = await run(request, progress)
    except UserError as exc:
        return {"error": error_to_wire(exc)}
    except Exception:
        log.exception("analysis job %s failed", job_id)
        return {"failed": job_id}
    return {"key": outcome.key, "cached": outcome.cached}


class Heartbeat:
    """Tells bots this worker is alive: its id in the WORKERS set, renewed every
    HEARTBEAT_SECONDS by Redis's clock, and removed when the worker stops cleanly."""

    def __init__(self, redis: Redis, *, interval: float = HEARTBEAT_SECONDS) -> None:
        self.redis = redis
        self.interval = interval
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._task: asyncio.Task[None] | None = None

    async def beat(self) -> None:
        seconds, micros = await self.redis.time()
        now = seconds + micros / 1e6
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(WORKERS, {self.id: now})
            # forget workers that vanished without saying goodbye
            pipe.zremrangebyscore(WORKERS, "-inf", now - 10 * WORKER_ALIVE_SECONDS)
            await pipe.execute()

    async def start(self) -> None:
        await self.beat()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="worker-heartbeat")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.beat()
            except (RedisError, OSError):
                log.warning("could not renew the worker heartbeat", exc_info=True)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(RedisError, OSError):
            await self.redis.zrem(WORKERS, self.id)
