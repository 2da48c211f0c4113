"""Analyses as jobs: a real Redis, a real arq worker (in this process), the fake providers.

The bot's side is what ``bot/roots/app.py`` builds when REDIS_URL is set (a JobLine on the
bot's analyzer with a JobClient); the worker is ``bot/roots/worker.py``'s, sharing the SQLite
file as a bot and a worker on one machine do.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

from bot.errors import CsvError, PlaylistUnavailable, UserError
from bot.jobs.client import JobClient
from bot.jobs.errors import JobFailed, JobTimedOut, WorkersDown
from bot.jobs.protocol import QUEUE, STARTED, WORKERS
from bot.jobs.worker import RUNNER
from bot.model import AnalysisOptions, PlaylistRef
from tests.harness import bot_settings, playlist_csv
from tests.jobs.conftest import (
    DEEZER,
    HeldDeezer,
    bot_side,
    job_settings,
    local_line,
    running_worker,
    settings_for,
)

OPTIONS = AnalysisOptions(k=2)


class CountingClient(JobClient):
    """Counts the jobs it sends."""

    runs = 0

    async def run(self, *args: Any, **kwargs: Any) -> Any:
        self.runs += 1
        return await super().run(*args, **kwargs)


class Recorder:
    """Progress reports and places in line, as the cog's callbacks would get them."""

    def __init__(self) -> None:
        self.progress: list[tuple[str, int, int]] = []
        self.places: list[int] = []
        self.placed = asyncio.Event()

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.progress.append((stage, done, total))

    async def place(self, n: int) -> None:
        self.places.append(n)
        self.placed.set()

    @property
    def stages(self) -> set[str]:
        return {stage for stage, _, _ in self.progress}


async def test_a_csv_through_a_worker_is_the_same_analysis_as_in_process(
    tmp_path: Path, redis_url: str
) -> None:
    data = playlist_csv()
    async with local_line(bot_settings(tmp_path / "alone")) as here:
        expected = await here.csv(data, "Road Trip", OPTIONS)
    settings = job_settings(tmp_path / "shared", redis_url)
    seen = Recorder()
    async with running_worker(settings), bot_side(settings, CountingClient) as line:
        outcome = await line.csv(data, "Road Trip", OPTIONS, seen, seen.place)
        again = await line.csv(data, "Road Trip", OPTIONS)
        assert line.jobs.runs == 1  # the bot found the second in the shared cache: no job
    assert outcome.key == expected.key and not outcome.cached and again.cached
    got, want = outcome.analysis, expected.analysis
    assert got.labels == want.labels
    assert [c.name for c in got.clusters] == [c.name for c in want.clusters]
    assert got.features.summary == want.features.summary
    assert got.png == want.png and got.png.startswith(b"\x89PNG")
    assert {"Reading the file", "Clustering"} <= seen.stages  # the worker's progress
    assert seen.places == []  # a free worker: nobody waited in line


async def test_a_waiting_request_hears_its_place_and_the_worker_reports_progress(
    tmp_path: Path, redis_url: str, deezer: HeldDeezer
) -> None:
    settings = settings_for(tmp_path, redis_url, deezer, worker_concurrency=1)
    first, second = Recorder(), Recorder()
    deezer.release.clear()
    async with running_worker(settings), bot_side(settings) as line:
        running = asyncio.create_task(line.ref(DEEZER, OPTIONS, first, first.place))
        await deezer.arrived.wait()  # the worker's one slot is taken
        waiting = asyncio.create_task(
            line.csv(playlist_csv(groups=3), "Later", OPTIONS, second, second.place)
        )
        await second.placed.wait()
        assert second.places == [1] and second.progress == []
        deezer.release.set()
        one, two = await running, await waiting
    assert one.analysis.playlist.name == "Nuit blanche" and two.analysis.playlist.name == "Later"
    assert first.places == []
    assert "Fetching tracks" in first.stages and "Clustering" in first.stages
    assert "Reading the file" in second.stages


async def test_a_user_error_in_the_worker_comes_back_as_the_same_error(
    tmp_path: Path, redis_url: str, deezer: HeldDeezer
) -> None:
    missing = PlaylistRef("deezer", "999")
    bad_csv = b"\xff\xfe not a playlist \x00\x01"
    alone = settings_for(tmp_path / "alone", redis_url, deezer)
    expected: list[UserError] = []
    async with local_line(alone) as here:
        for attempt in (here.ref(missing, OPTIONS), here.csv(bad_csv, "Bad", OPTIONS)):
            with pytest.raises(UserError) as caught:
                await attempt
            expected.append(caught.value)
    assert isinstance(expected[0], PlaylistUnavailable) and isinstance(expected[1], CsvError)
    settings = settings_for(tmp_path / "shared", redis_url, deezer)
    async with running_worker(settings), bot_side(settings) as line:
        for attempt, want in zip(
            (line.ref(missing, OPTIONS), line.csv(bad_csv, "Bad", OPTIONS)), expected, strict=True
        ):
            with pytest.raises(UserError) as caught:
                await attempt
            assert type(caught.value) is type(want) and str(caught.value) == str(want)


async def test_without_a_live_worker_the_request_is_refused_at_once(
    tmp_path: Path, redis_url: str
) -> None:
    settings = job_settings(tmp_path, redis_url)
    async with bot_side(settings) as line:
        with pytest.raises(WorkersDown) as caught:
            await line.csv(playlist_csv(), "Road Trip", OPTIONS)
        assert "No analysis worker is running" in str(caught.value)
        assert await line.jobs.redis.zcard(QUEUE) == 0  # nothing left in the line


async def test_when_the_last_worker_stops_the_waiting_requests_are_told(
    tmp_path: Path, redis_url: str, deezer: HeldDeezer
) -> None:
    settings = settings_for(tmp_path, redis_url, deezer, worker_concurrency=1)
    deezer.release.clear()
    waiter = Recorder()
    async with bot_side(settings) as line:
        async with running_worker(settings):
            running = asyncio.create_task(line.ref(DEEZER, OPTIONS))
            await deezer.arrived.wait()
            waiting = asyncio.create_task(
                line.csv(playlist_csv(), "X", OPTIONS, waiter, waiter.place)
            )
            await waiter.placed.wait()
        # the worker stopped cleanly (its heartbeat is gone): nobody will run these
        assert await line.jobs.redis.zcard(WORKERS) == 0
        for task in (running, waiting):
            with pytest.raises(WorkersDown):
                await task
        assert await line.jobs.redis.zscore(QUEUE, "nothing") is None
        assert await line.jobs.redis.zcard(STARTED) == 0


async def test_a_job_past_its_timeout_is_stopped_and_said(
    tmp_path: Path, redis_url: str, deezer: HeldDeezer
) -> None:
    settings = settings_for(tmp_path, redis_url, deezer, job_timeout_seconds=1)
    deezer.release.clear()  # never answers: the worker's arq stops the job after 1 s
    async with running_worker(settings) as worker, bot_side(settings) as line:
        with pytest.raises(JobTimedOut) as caught:
            await line.ref(DEEZER, OPTIONS)
        assert worker.jobs_failed == 1
    assert str(caught.value).startswith("The analysis took longer than 1 seconds and was stopped")


async def test_a_bug_in_the_worker_is_logged_there_and_named_to_the_bot(
    tmp_path: Path, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = job_settings(tmp_path, redis_url)

    async def broken(request: Any, progress: Any) -> Any:
        raise RuntimeError("a bug")

    async with running_worker(settings) as worker, bot_side(settings) as line:
        worker.ctx[RUNNER] = broken
        with (
            caplog.at_level(logging.ERROR, logger="bot.jobs.worker"),
            pytest.raises(JobFailed) as caught,
        ):
            await line.csv(playlist_csv(), "Road Trip", OPTIONS)
    job_id = str(caught.value).split()[2]
    logged = [r for r in caplog.records if job_id in r.getMessage()]
    assert logged and logged[0].exc_info is not None


class DeafClient(JobClient):
    """Misses every ``done`` event (as if its subscription dropped at that moment)."""

    def _dispatch(self, data: bytes) -> None:
        if b'"type":"done"' not in data:
            super()._dispatch(data)


async def test_a_missed_done_event_is_made_good_from_the_stored_result(
    tmp_path: Path, redis_url: str
) -> None:
    settings = job_settings(tmp_path, redis_url)
    async with running_worker(settings), bot_side(settings, DeafClient) as line:
        outcome = await line.csv(playlist_csv(), "Road Trip", OPTIONS)
    assert outcome.analysis.playlist.name == "Road Trip" and not outcome.cached


async def test_two_bot_processes_each_get_their_own_answers_and_progress(
    tmp_path: Path, redis_url: str, deezer: HeldDeezer
) -> None:
    settings = settings_for(tmp_path, redis_url, deezer)
    seen_a, seen_b = Recorder(), Recorder()
    async with (
        running_worker(settings),
        bot_side(settings) as bot_a,
        bot_side(settings) as bot_b,
    ):
        assert bot_a.jobs.channel != bot_b.jobs.channel
        a, b = await asyncio.gather(
            bot_a.ref(DEEZER, OPTIONS, seen_a),
            bot_b.csv(playlist_csv(groups=3), "Other", OPTIONS, seen_b),
        )
    assert a.analysis.playlist.ref == DEEZER and b.analysis.playlist.name == "Other"
    assert "Fetching tracks" in seen_a.stages
    assert "Fetching tracks" not in seen_b.stages and "Reading the file" in seen_b.stages
    assert "Reading the file" not in seen_a.stages


async def test_the_analysis_comes_back_through_the_shared_database_of_either_backend(
    tmp_path: Path, redis_url: str, backend: str, new_location: Any
) -> None:
    location = new_location("jobs")
    where = {"database_url": location} if backend == "postgres" else {"database_path": location}
    settings = job_settings(tmp_path, redis_url, **where)
    async with running_worker(settings), bot_side(settings) as line:
        outcome = await line.csv(playlist_csv(), "Road Trip", OPTIONS)
        assert line.analyzer.pipeline.cache is not None
        stored = await line.analyzer.pipeline.stored(outcome.key)
    assert stored is not None and stored.labels == outcome.analysis.labels
    assert outcome.analysis.playlist.name == "Road Trip" and not outcome.cached
