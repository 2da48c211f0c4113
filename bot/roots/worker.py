"""`playlist-clusters worker`: runs analyses that bot processes put on Redis (arq).

Composition root of a worker process: from settings it opens the same storage (the
shared cache), HTTP client, pipeline (``bot.roots.wiring.build_pipeline``), analyzer and
account services as the bot, and an arq :class:`~arq.worker.Worker` that runs
:func:`bot.jobs.worker.analyse_playlist` at most ``WORKER_CONCURRENCY`` at a time, each
stopped after ``JOB_TIMEOUT_SECONDS``. SIGINT/SIGTERM stop taking jobs, give running ones
``DRAIN_SECONDS`` to finish, then stop (arq puts an interrupted job back in the line for
another worker).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from arq.connections import RedisSettings
from arq.worker import Worker, func
from redis.exceptions import RedisError

from bot.account.setup import build_accounts
from bot.jobs.client import where
from bot.jobs.errors import QueueUnreachable
from bot.jobs.protocol import JOB_FUNCTION, QUEUE
from bot.jobs.worker import MAX_BYTES, RUNNER, WORKER_ID, Heartbeat, analyse_playlist
from bot.net.client import HttpClient
from bot.pipeline.runner import Pipeline
from bot.roots.wiring import build_pipeline, close_providers
from bot.services.analyzer import Analyzer
from bot.services.lines import LocalLine
from bot.services.personal import PersonalAnalyzer
from bot.settings.env import Settings
from storage.database import Database, open_database

log = logging.getLogger(__name__)

#: How often an idle worker looks for new jobs (seconds).
POLL_SECONDS = 0.05
#: How long a stopping worker lets running jobs finish.
DRAIN_SECONDS = 8.0
#: How long arq keeps a job's result (the bot reads it only if it missed ``done``).
KEEP_RESULT_SECONDS = 600


@dataclass(slots=True)
class Services:
    """What analyses need, built from settings as the bot builds them."""

    storage: Database
    web: HttpClient
    pipeline: Pipeline
    analyzer: Analyzer
    personal: PersonalAnalyzer


@asynccontextmanager
async def open_services(settings: Settings) -> AsyncIterator[Services]:
    """Storage (the shared cache), the HTTP client, pipeline, analyzer and account
    services; closed on leaving. The account feature's web server never starts here."""
    stored = settings.storage
    storage = await open_database(stored.location, cache_max_bytes=stored.cache_max_bytes)
    web = HttpClient(settings.http)
    pipeline = build_pipeline(settings, web, storage.cache, background=True)
    try:
        analysis = settings.analysis
        analyzer = Analyzer(
            pipeline,
            metadata_weight=analysis.metadata_weight,
            csv_max_rows=analysis.csv_max_rows,
            csv_max_bytes=analysis.csv_max_bytes,
            http=web,
        )
        accounts = build_accounts(settings.accounts, web, storage.accounts)
        personal = PersonalAnalyzer(analyzer, accounts.library, settings.spotify, web)
        yield Services(storage, web, pipeline, analyzer, personal)
    finally:
        await close_providers(pipeline)
        await web.close()
        await storage.close()


@asynccontextmanager
async def open_worker(settings: Settings, **overrides: Any) -> AsyncIterator[Worker]:
    """An arq Worker with the bot's services, closed (with them) on leaving.

    ``overrides`` go to :class:`arq.worker.Worker` (tests: ``poll_delay``).
    """
    url = settings.redis_url.get_secret_value()
    if not url:
        raise QueueUnreachable("REDIS_URL is not set: a worker takes its jobs from Redis.")
    async with open_services(settings) as services:
        line = LocalLine(services.analyzer, services.personal, queue=None)  # max_jobs: the line
        heartbeats: list[Heartbeat] = []

        async def startup(ctx: dict[str, Any]) -> None:
            heartbeat = Heartbeat(ctx["redis"])
            await heartbeat.start()
            heartbeats.append(heartbeat)
            ctx[WORKER_ID] = heartbeat.id
            log.info("worker %s is taking analysis jobs", heartbeat.id)

        async def shutdown(ctx: dict[str, Any]) -> None:
            for heartbeat in heartbeats:
                await heartbeat.stop()

        options: dict[str, Any] = {
            "queue_name": QUEUE,
            "redis_settings": RedisSettings.from_dsn(url),
            "handle_signals": False,
            "max_jobs": settings.worker_concurrency,
            "job_timeout": settings.job_timeout_seconds,
            "keep_result": KEEP_RESULT_SECONDS,
            "poll_delay": POLL_SECONDS,
            "max_tries": 2,  # one more try after a worker died with it
            "ctx": {RUNNER: line.run, MAX_BYTES: settings.csv_max_bytes},
            "on_startup": startup,
            "on_shutdown": shutdown,
            **overrides,
        }
        worker = Worker([func(analyse_playlist, name=JOB_FUNCTION)], **options)
        try:
            yield worker
        finally:
            await worker.close()


async def drain(worker: Worker, seconds: float = DRAIN_SECONDS) -> None:
    """Take no new jobs; wait up to ``seconds`` for the running ones."""
    worker.allow_pick_jobs = False
    running = [task for task in worker.tasks.values() if not task.done()]
    if running:
        await asyncio.wait(running, timeout=seconds)


async def serve(settings: Settings) -> None:
    """Run a worker until SIGINT/SIGTERM, then drain and stop cleanly."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        async with open_worker(settings) as worker:
            await _run_until(worker, stop)
    except (RedisError, OSError) as exc:
        url = settings.redis_url.get_secret_value()
        why = str(exc).rstrip(".")
        raise QueueUnreachable(f"Cannot reach Redis at {where(url)} (REDIS_URL): {why}.") from None
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(sig)


async def _run_until(worker: Worker, stop: asyncio.Event) -> None:
    """Run ``worker`` until ``stop`` is set (then drain) or it ends by itself."""
    runner = asyncio.create_task(worker.async_run(), name="arq-worker")
    stopper = asyncio.create_task(stop.wait(), name="stop-signal")
    try:
        done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if stopper in done:
            log.info("stop signal received; finishing running jobs")
            await drain(worker)
        else:
            runner.result()  # e.g. Redis unreachable at start: raised here
    finally:
        stopper.cancel()
        worker.handle_sig(signal.SIGTERM)  # cancels what is left; close() waits for it
        with contextlib.suppress(asyncio.CancelledError):
            await runner


async def main(settings: Settings) -> None:
    """Log to stderr and serve (``bot.roots.cli`` has checked Redis answers: a mistake there is
    one line, before any log line and before the heavy imports)."""
    logging.basicConfig(
        level=getattr(logging, settings.log_level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)-8s %(name)s: %(message)s",
    )
    await serve(settings)


def run(settings: Settings) -> None:
    """The `worker` command: cap native threads, log to stderr, serve until stopped."""
    from bot.threads import limit_native_threads, native_threads

    limit_native_threads(native_threads(settings.native_threads, settings.worker_concurrency))
    asyncio.run(main(settings))
