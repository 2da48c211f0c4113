"""A worker killed with SIGKILL in the middle of a job (issue 25): the bot notices from
the heartbeats within WORKER_ALIVE_SECONDS and runs the request again on a live
worker, or, with none left, answers it with one sentence. Real worker processes, a
real Redis; each run prints the time from the kill to the member's answer."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import redis.asyncio as aredis

from bot.jobs.errors import WorkerLost
from bot.jobs.protocol import ABANDONED_PREFIX, RUNNING, AnalysisRequest, decode_event
from bot.jobs.worker import MAX_BYTES, RUNNER, analyse_playlist
from bot.model import AnalysisOptions, PlaylistRef
from bot.settings.env import Settings
from tests.jobs.conftest import HeldDeezer, bot_side, settings_for
from tests.jobs.test_worker_process import child_env

LINK = "https://www.deezer.com/playlist/4242"


async def start_worker(settings: Settings, folder: Path) -> asyncio.subprocess.Process:
    """A `playlist-clusters worker` process, once it takes jobs (its log then drained)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.roots.cli",
        "worker",
        cwd=folder,
        env=child_env(settings),
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    log = b""
    while b"is taking analysis jobs" not in log:
        line = await asyncio.wait_for(process.stderr.readline(), 60)
        assert line, f"the worker exited: {log.decode(errors='replace')}"
        log += line
    drain = asyncio.get_running_loop().create_task(process.stderr.read())
    process._drain = drain  # type: ignore[attr-defined]  # kept alive with the process
    return process


async def stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.kill()
        await process.wait()


async def kill_during_a_job(
    tmp_path: Path, redis_url: str, deezer: HeldDeezer, *, spare: bool
) -> tuple[object, float, str]:
    """Start a job on one worker, kill it with SIGKILL while it fetches the playlist
    (with a ``spare`` worker running, or none); returns the outcome (or the error),
    the seconds from the kill to the answer, and the given-up job's id."""
    settings = settings_for(tmp_path, redis_url, deezer)
    deezer.release.clear()
    doomed = await start_worker(settings, tmp_path)
    workers = [doomed]
    try:
        async with bot_side(settings) as line:
            task = asyncio.create_task(line.link(1, LINK, AnalysisOptions(k=2)))
            await asyncio.wait_for(deezer.arrived.wait(), 60)  # the job is running there
            client = line.jobs.redis
            (old_job,) = [job.decode() for job in await client.hkeys(RUNNING)]
            if spare:
                workers.append(await start_worker(settings, tmp_path))
            doomed.kill()
            killed = time.monotonic()
            await doomed.wait()
            deezer.release.set()
            try:
                outcome: object = await asyncio.wait_for(task, 120)
            except WorkerLost as error:
                outcome = error
            took = time.monotonic() - killed
            print(
                f"kill -9 to answer ({'a spare worker' if spare else 'no worker left'}): "
                f"{took:.1f} s"
            )
            return outcome, took, old_job
    finally:
        for process in workers:
            await stop(process)


async def test_a_killed_worker_s_job_runs_again_on_a_live_worker(
    tmp_path: Path, redis_url: str, deezer: HeldDeezer
) -> None:
    outcome, _, old_job = await kill_during_a_job(tmp_path, redis_url, deezer, spare=True)
    assert not isinstance(outcome, BaseException), outcome
    assert outcome.analysis.playlist.name == "Nuit blanche"  # type: ignore[attr-defined]
    client = aredis.Redis.from_url(redis_url)
    try:
        assert await client.exists(ABANDONED_PREFIX + old_job)  # never answered twice
        assert await client.hlen(RUNNING) == 0
    finally:
        await client.aclose()


async def test_with_no_worker_left_the_member_gets_one_sentence(
    tmp_path: Path, redis_url: str, deezer: HeldDeezer
) -> None:
    outcome, _, _ = await kill_during_a_job(tmp_path, redis_url, deezer, spare=False)
    assert isinstance(outcome, WorkerLost)
    assert str(outcome) == (
        "The worker running this analysis stopped before it finished. Please try again in a minute."
    )


async def answers_of(redis_url: str, given_up: bool) -> tuple[dict, list[str]]:
    """Run one job in this process, the bot giving it up meanwhile when ``given_up``;
    returns the job's result and the types of the events the bot heard."""
    client = aredis.Redis.from_url(redis_url)
    await client.delete(ABANDONED_PREFIX + "job-1")
    pubsub = client.pubsub()
    await pubsub.subscribe("reply")
    assert (await pubsub.get_message(timeout=5))["type"] == "subscribe"  # type: ignore[index]

    async def run(request: AnalysisRequest, progress: object) -> SimpleNamespace:
        if given_up:  # the worker stalled past the heartbeat window; the job ran elsewhere
            await client.set(ABANDONED_PREFIX + "job-1", b"1")
        return SimpleNamespace(key="key-1", cached=False)

    ctx = {"job_id": "job-1", "redis": client, "score": 1.0, RUNNER: run, MAX_BYTES: 1000}
    request = AnalysisRequest("ref", AnalysisOptions(k=2), ref=PlaylistRef("deezer", "1"))
    try:
        result = await analyse_playlist(ctx, {"request": request.to_wire(), "reply": "reply"})
        heard = []
        while message := await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.5):
            heard.append(decode_event(message["data"])["type"])  # type: ignore[index]
        assert await client.hlen(RUNNING) == 0
        return result, heard
    finally:
        await pubsub.aclose()
        await client.aclose()


async def test_a_stalled_worker_does_not_answer_a_job_given_up_on(redis_url: str) -> None:
    assert await answers_of(redis_url, given_up=True) == ({"abandoned": "job-1"}, ["started"])
    result, heard = await answers_of(redis_url, given_up=False)  # the control
    assert (result, heard) == ({"key": "key-1", "cached": False}, ["started", "done"])
