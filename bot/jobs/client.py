"""A bot process's side of the job queue: enqueue an analysis, then wait for it.

One :class:`JobClient` per bot process holds an arq connection pool, one pub/sub
subscription to the process's own reply channel (a listener task hands each event
to the request waiting for it) and one monitor task that, about once a second, asks
Redis in a single round trip for every waiting request's place in line, for results
whose ``done`` event was missed, and whether any worker is alive. Each request's
own coroutine (:meth:`JobClient.run`) turns what arrives into progress calls and
"place in line" calls, in order, so a slow Discord edit never holds up another request.

Failures a user can understand are :class:`~bot.errors.UserError`s: no worker alive
(:class:`WorkersDown`), Redis unreachable (:class:`QueueDown`), a job past
``JOB_TIMEOUT_SECONDS`` (:class:`JobTimedOut`); an error the worker raised for the user
comes back as its own class and sentence. A bug in the worker is :class:`JobFailed`
(not a user error: the bot logs it and names the worker's log id).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.constants import (
    in_progress_key_prefix,
    job_key_prefix,
    result_key_prefix,
    retry_key_prefix,
)
from arq.jobs import Job
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.jobs.errors import (
    JobFailed,
    JobTimedOut,
    QueueDown,
    QueueUnreachable,
    WorkerLost,
    WorkersDown,
)
from bot.jobs.protocol import (
    ABANDONED_PREFIX,
    JOB_FUNCTION,
    QUEUE,
    RUNNING,
    STARTED,
    WORKER_ALIVE_SECONDS,
    WORKERS,
    AnalysisRequest,
    decode_event,
    error_from_wire,
    reply_channel,
)
from bot.model import ProgressCallback, no_progress

__all__ = ["JobClient", "JobDone", "check_redis", "where"]

log = logging.getLogger(__name__)

PlaceCallback = Callable[[int], Awaitable[object]]
#: Past its own timeout, a started job gets this much longer before the bot gives up on
#: it (the worker records the timeout itself; this covers a worker that vanished).
GRACE_SECONDS = 30.0
#: A request whose worker died runs again at most this many times.
MAX_RERUNS = 1
#: How long a given-up job is remembered (a stalled worker checks before answering).
ABANDONED_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class JobDone:
    """A finished job: the analysis is in the shared cache under ``key``."""

    key: str
    cached: bool


@dataclass(slots=True)
class _Waiter:
    """One request waiting for its job: events arrive in ``inbox``."""

    job_id: str
    request: AnalysisRequest | None = None
    inbox: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    score: float | None = None
    started_at: float | None = None
    place: int | None = None
    closed: bool = False
    #: How many times the job was run again after its worker died.
    reruns: int = 0

    def put(self, event: dict[str, Any]) -> None:
        if not self.closed:
            self.inbox.put_nowait(event)

    def fail(self, error: BaseException) -> None:
        self.put({"type": "failed", "error": error})
        self.closed = True


def where(url: str) -> str:
    """host:port of a Redis URL, without any password, for messages."""
    settings = RedisSettings.from_dsn(url)
    return settings.unix_socket_path or f"{settings.host}:{settings.port}"


async def check_redis(url: str, seconds: float = 5.0) -> None:
    """QueueUnreachable (one line, no password) unless ``url`` is set and answers a PING."""
    if not url:
        raise QueueUnreachable("REDIS_URL is not set: a worker takes its jobs from Redis.")
    client = Redis.from_url(url, socket_connect_timeout=seconds, socket_timeout=seconds)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        why = str(exc).rstrip(".")
        raise QueueUnreachable(f"Cannot reach Redis at {where(url)} (REDIS_URL): {why}.") from None
    finally:
        await client.aclose()


class JobClient:
    """Enqueues analyses for workers and waits for them (see the module docstring).

    ``job_timeout`` is the workers' ``JOB_TIMEOUT_SECONDS``; ``poll_seconds`` how often
    the monitor looks at the line; ``instance`` names this process's reply channel.
    """

    def __init__(
        self,
        redis: ArqRedis,
        *,
        job_timeout: float,
        poll_seconds: float = 1.0,
        instance: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.redis = redis
        self.job_timeout = job_timeout
        self.poll_seconds = poll_seconds
        self.instance = instance or uuid.uuid4().hex
        self.channel = reply_channel(self.instance)
        self._clock = clock
        self._waiting: dict[str, _Waiter] = {}
        self._wake = asyncio.Event()
        self._subscribed = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._last_ok = clock()

    @classmethod
    async def connect(cls, url: str, **options: Any) -> JobClient:
        """A started client for the Redis at ``url``; QueueUnreachable if it does not answer."""
        settings = RedisSettings.from_dsn(url)
        settings.conn_retries = 2
        try:
            redis = await create_pool(settings, default_queue_name=QUEUE)
        except (RedisError, OSError) as exc:
            raise QueueUnreachable(
                f"Cannot reach Redis at {where(url)} (REDIS_URL): {str(exc).rstrip('.')}."
            ) from None
        client = cls(redis, **options)
        await client.start()
        return client

    async def start(self) -> None:
        """Subscribe to the reply channel (confirmed before returning) and start watching."""
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._listen(), name="job-replies"),
            loop.create_task(self._monitor(), name="job-monitor"),
        ]
        await asyncio.wait_for(self._subscribed.wait(), 10)

    async def close(self, *, close_redis: bool = True) -> None:
        """Stop watching (requests still waiting are told the queue is gone) and disconnect."""
        for waiter in list(self._waiting.values()):
            waiter.fail(QueueDown())
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        if close_redis:
            await self.redis.aclose(close_connection_pool=True)

    async def workers_alive(self) -> int:
        """How many workers beat within WORKER_ALIVE_SECONDS (by Redis's own clock)."""
        seconds, micros = await self.redis.time()
        now = seconds + micros / 1e6
        return int(await self.redis.zcount(WORKERS, now - WORKER_ALIVE_SECONDS, "+inf"))

    # -- one request ---------------------------------------------------------------------

    async def run(
        self,
        request: AnalysisRequest,
        progress: ProgressCallback = no_progress,
        on_place: PlaceCallback | None = None,
    ) -> JobDone:
        """Run ``request`` on a worker; its progress and place in line come through the
        callbacks. Raises the worker's user error, or WorkersDown/QueueDown/JobTimedOut."""
        waiter = _Waiter(uuid.uuid4().hex, request)
        self._waiting[waiter.job_id] = waiter
        try:
            await self._enqueue(waiter, request)
            return await self._wait(waiter, progress, on_place)
        finally:
            del self._waiting[waiter.job_id]
            if waiter.started_at is None:
                await self._withdraw(waiter.job_id)

    async def _enqueue(self, waiter: _Waiter, request: AnalysisRequest) -> None:
        try:
            if not await self.workers_alive():
                raise WorkersDown()
            job = await self.redis.enqueue_job(
                JOB_FUNCTION,
                {"request": request.to_wire(), "reply": self.channel},
                _job_id=waiter.job_id,
                _queue_name=QUEUE,
            )
            assert job is not None, "a fresh uuid4 job id is never taken"
            waiter.score = await self.redis.zscore(QUEUE, waiter.job_id)
        except (RedisError, OSError):
            log.warning("could not enqueue an analysis", exc_info=True)
            raise QueueDown() from None
        self._wake.set()

    async def _wait(
        self, waiter: _Waiter, progress: ProgressCallback, on_place: PlaceCallback | None
    ) -> JobDone:
        while True:
            event = await waiter.inbox.get()
            kind = event["type"]
            if kind == "progress":
                progress(str(event["stage"]), int(event["done"]), int(event["total"]))
            elif kind == "place" and on_place is not None:
                try:
                    await on_place(int(event["place"]))
                except Exception:  # a lost "place in line" edit must not lose the answer
                    log.warning("could not show a place in line", exc_info=True)
            elif kind == "done":
                return _done(waiter.job_id, event["result"])
            elif kind == "failed":
                raise event["error"]

    async def _withdraw(self, job_id: str) -> None:
        """Take a job nobody waits for any more out of the line (if no worker took it)."""
        with contextlib.suppress(RedisError, OSError):
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.zrem(QUEUE, job_id)
                pipe.delete(job_key_prefix + job_id)
                await pipe.execute()

    # -- the listener and the monitor ----------------------------------------------------

    async def _listen(self) -> None:
        """Hand every event on this process's channel to its request; resubscribe after
        a lost connection (the monitor finds results whose event was lost meanwhile)."""
        while True:
            try:
                async with self.redis.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    async for message in pubsub.listen():
                        if message["type"] == "subscribe":
                            self._subscribed.set()
                        elif message["type"] == "message":
                            self._dispatch(message["data"])
            except (RedisError, OSError):
                log.warning("lost the job reply channel; subscribing again", exc_info=True)
                await asyncio.sleep(1)

    def _dispatch(self, data: bytes) -> None:
        event = decode_event(data)
        waiter = None if event is None else self._waiting.get(event["job"])
        if event is None or waiter is None:
            return
        if event["type"] == "started":
            waiter.started_at = self._clock()
        waiter.put(event)

    async def _monitor(self) -> None:
        while True:
            if not self._waiting:
                self._wake.clear()
                await self._wake.wait()
            await asyncio.sleep(self.poll_seconds)
            try:
                await self.check()
                self._last_ok = self._clock()
            except (RedisError, OSError):
                log.warning("could not look at the job queue", exc_info=True)
                if self._clock() - self._last_ok > WORKER_ALIVE_SECONDS:
                    for waiter in list(self._waiting.values()):
                        waiter.fail(QueueDown())

    async def check(self) -> None:
        """One look at every waiting request: results, places in line, live workers."""
        waiters = [w for w in self._waiting.values() if not w.closed]
        if not waiters:
            return
        seconds, micros = await self.redis.time()
        now = seconds + micros / 1e6
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zcount(WORKERS, now - WORKER_ALIVE_SECONDS, "+inf")
            for waiter in waiters:
                pipe.exists(result_key_prefix + waiter.job_id)
                below = f"({waiter.score}" if waiter.score is not None else "-inf"
                pipe.zcount(QUEUE, "-inf", below)
                pipe.zcount(STARTED, "-inf", below)
                pipe.hget(RUNNING, waiter.job_id)
            answers = await pipe.execute()
        alive = int(answers[0])
        lost = await self._dead_workers([answers[4 + 4 * i] for i in range(len(waiters))], now)
        for i, waiter in enumerate(waiters):
            has_result, ahead, running, worker = answers[1 + 4 * i : 5 + 4 * i]
            if has_result:
                await self._collect(waiter)
            elif worker is not None and worker in lost:
                await self._worker_died(waiter, alive)
            elif not alive:
                waiter.fail(WorkersDown())
            elif waiter.started_at is None:
                place = max(1, int(ahead) - int(running) + 1)
                if place != waiter.place:
                    waiter.place = place
                    waiter.put({"type": "place", "place": place})
            elif self._clock() - waiter.started_at > self.job_timeout + GRACE_SECONDS:
                waiter.fail(JobTimedOut(self.job_timeout))

    async def _dead_workers(self, workers: list[bytes | None], now: float) -> set[bytes]:
        """Which of ``workers`` (running waiting requests' jobs) have not beaten within
        WORKER_ALIVE_SECONDS: they died (SIGKILL, a lost machine) holding the job."""
        named = sorted({w for w in workers if w})
        if not named:
            return set()
        beats = await self.redis.zmscore(WORKERS, named)
        return {
            w
            for w, beat in zip(named, beats, strict=True)
            if beat is None or beat < now - WORKER_ALIVE_SECONDS
        }

    async def _worker_died(self, waiter: _Waiter, alive: int) -> None:
        """The worker running ``waiter``'s job died: give the job up (arq never runs it
        again; the worker, were it only stalled, does not answer it) and run the request
        once more on a live worker, else tell the member in one sentence."""
        old = waiter.job_id
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(ABANDONED_PREFIX + old, b"1", ex=ABANDONED_SECONDS)
            pipe.zrem(QUEUE, old)
            pipe.zrem(STARTED, old)
            pipe.hdel(RUNNING, old)
            pipe.delete(job_key_prefix + old, in_progress_key_prefix + old, retry_key_prefix + old)
            await pipe.execute()
        log.warning("the worker running analysis job %s died", old)
        if waiter.reruns >= MAX_RERUNS or not alive or waiter.request is None:
            waiter.fail(WorkerLost())
            return
        waiter.reruns += 1
        waiter.job_id, waiter.started_at, waiter.place = uuid.uuid4().hex, None, None
        self._waiting[waiter.job_id] = self._waiting.pop(old)
        try:
            await self._enqueue(waiter, waiter.request)
        except (WorkersDown, QueueDown) as error:
            waiter.fail(error)
        log.info("analysis job %s runs again as job %s", old, waiter.job_id)

    async def _collect(self, waiter: _Waiter) -> None:
        """The result arq stored (the ``done`` event was missed, or the job never ran)."""
        info = await Job(waiter.job_id, self.redis, _queue_name=QUEUE).result_info()
        if info is None:
            return
        if info.success and isinstance(info.result, dict):
            waiter.put({"type": "done", "result": info.result})
        elif isinstance(info.result, TimeoutError):
            waiter.fail(JobTimedOut(self.job_timeout))
        else:
            waiter.fail(JobFailed(f"analysis job {waiter.job_id} failed: {info.result!r}"))
        waiter.closed = True


def _done(job_id: str, result: dict[str, Any]) -> JobDone:
    """The job's result as JobDone, or the error it carries raised."""
    if "error" in result:
        raise error_from_wire(result["error"])
    if "failed" in result:
        raise JobFailed(
            f"analysis job {job_id} failed in the worker; its log has the traceback under that id"
        )
    return JobDone(key=str(result["key"]), cached=bool(result["cached"]))
