"""`playlist-clusters worker` as its own process: takes jobs, stops cleanly on SIGTERM,
and refuses to start without a usable REDIS_URL (exit 2, one line)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.model import AnalysisOptions
from bot.settings.env import Settings
from tests.harness import bot_settings, playlist_csv
from tests.jobs.conftest import bot_side

ROOT = Path(__file__).resolve().parents[2]


def child_env(settings: Settings, **more: str) -> dict[str, str]:
    """The environment of a worker process with ``settings`` (only what differs)."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    env.update(
        PYTHONPATH=str(ROOT),
        MPLBACKEND="Agg",
        REDIS_URL=settings.redis_url.get_secret_value(),
        DATABASE_PATH=str(settings.database_path),
        SPOTIFY_API_BASE=settings.spotify_api_base,
        SPOTIFY_TOKEN_URL=settings.spotify_token_url,
        DEEZER_API_BASE=settings.deezer_api_base,
        RECCOBEATS_API_BASE=settings.reccobeats_api_base,
        **more,
    )
    return env


async def test_a_worker_process_takes_jobs_and_stops_cleanly_on_sigterm(
    tmp_path: Path, redis_url: str
) -> None:
    settings = bot_settings(tmp_path, redis_url=redis_url)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.roots.cli",
        "worker",
        cwd=tmp_path,
        env=child_env(settings),
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    try:
        log = b""
        while b"is taking analysis jobs" not in log:
            line = await asyncio.wait_for(process.stderr.readline(), 60)
            assert line, f"the worker exited: {log.decode(errors='replace')}"
            log += line
        async with bot_side(settings) as line:
            assert await line.jobs.workers_alive() == 1
            outcome = await line.csv(playlist_csv(), "Road Trip", AnalysisOptions(k=2))
            assert outcome.analysis.playlist.name == "Road Trip" and not outcome.cached
            process.send_signal(signal.SIGTERM)
            rest = await asyncio.wait_for(process.stderr.read(), 60)
            assert await asyncio.wait_for(process.wait(), 60) == 0, rest.decode()
            assert await line.jobs.workers_alive() == 0  # it said goodbye
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_a_worker_without_a_usable_redis_url_exits_2_with_one_line(tmp_path: Path) -> None:
    settings = bot_settings(tmp_path)
    cases = {
        "": "REDIS_URL is not set",
        "http://127.0.0.1:1": "REDIS_URL",
        "redis://:secret@127.0.0.1:9/0": "Cannot reach Redis at 127.0.0.1:9",
    }
    for url, expected in cases.items():
        env = child_env(settings)
        env["REDIS_URL"] = url
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.roots.cli",
            "worker",
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await asyncio.wait_for(process.communicate(), 120)
        lines = err.decode().strip().splitlines()
        assert process.returncode == 2, err.decode()
        assert len(lines) == 1 and expected in lines[0], lines
        assert "secret" not in lines[0]
