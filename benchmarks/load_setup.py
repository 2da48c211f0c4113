"""The parts of the load simulation (``benchmarks/load.py``): the fake playlists, a fake
Discord that notes when each command was answered, one batch of N commands with its
CPU accounting, the worker processes, and the bot set up alone or on Redis.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import discord
import redis
import yarl
from aiohttp.test_utils import TestServer

from bot.jobs.protocol import WORKERS
from bot.roots.app import PlaylistBot
from bot.settings.env import Settings
from tests.fake_discord import Call, FakeDiscord
from tests.fakes import spotify as fake_spotify
from tests.fakes.base import FakeServer
from tests.fakes.data import features, spotify_id
from tests.fakes.reccobeats import FakeReccoBeats
from tests.redis_server import find_redis_server, redis_server

ROOT = Path(__file__).resolve().parent.parent
POOL = 3_000


def pid(j: int) -> str:
    return spotify_id(700_000 + j)


def build(playlists: int, tracks: int) -> list[tuple[str, FakeServer]]:
    """``playlists`` Spotify playlists, each a different window of a pool of tracks that
    ReccoBeats has features for (so no Deezer lookups are needed)."""
    spotify, recco = fake_spotify.FakeSpotify(), FakeReccoBeats()
    spotify.features_forbidden = True  # as for every Spotify app since 2024-11-27
    pool = [fake_spotify.track_object(i) for i in range(POOL)]
    for j in range(playlists):
        start = (j * 53) % (POOL - tracks)
        entries: list[dict[str, Any] | None] = list(pool[start : start + tracks])
        spotify.add(fake_spotify.SpotifyPlaylist(pid(j), f"Load {j}", entries), with_features=False)
    for i in range(POOL):
        recco.features[spotify_id(i)] = features(i)
    return [("spotify", spotify), ("reccobeats", recco)]


class LoadDiscord(FakeDiscord):
    """The fake Discord noting when each interaction was answered (or refused)."""

    def __init__(self) -> None:
        super().__init__()
        self.answered: dict[str, float] = {}
        self.refused: dict[str, str] = {}
        self.waiting: set[str] = set()
        self.all_done = asyncio.Event()

    def record(self, call: Call) -> None:
        if "/webhooks/" in call.path:
            token = call.path.split("/")[5]
            body = call.json or {}
            late = str(body.get("content", "")).startswith("Done: the answer took a while")
            if call.method == "PATCH" and (body.get("embeds") or late):
                self.answered.setdefault(token, time.perf_counter())
            elif call.method == "POST" and token in self.waiting:
                self.refused[token] = str(body.get("content"))
            if token in self.waiting and (token in self.answered or token in self.refused):
                self.waiting.discard(token)
                if not self.waiting:
                    self.all_done.set()
        call.files = {}  # keep memory flat over thousands of answers
        self.calls.append(call)

    async def send_link(self, link: str) -> str:
        """`/clusters link:<link>` with the cluster count left automatic."""
        token = await self._command([{"name": "link", "type": 3, "value": link}], {})
        self.waiting.add(token)
        self.all_done.clear()
        return token


@dataclass
class Batch:
    """One run of N concurrent commands; ``cpu``: CPU seconds per analysis by process."""

    n: int
    throughput: float
    p50: float
    p95: float
    cpu: dict[str, float]
    edits: float  # message edits per command (progress and place in line included)


#: Process ids by role ("bot" is this process, with the fake Discord).
Pids = dict[str, list[int]]


def _stat(p: int) -> list[str]:
    return Path(f"/proc/{p}/stat").read_text("ascii").rsplit(")", 1)[1].split()


def cpu_seconds(pids: Pids) -> dict[str, float]:
    """User + system CPU seconds so far of each role's processes (Linux /proc); the
    "postgres" role is the server and its backends."""
    tick = os.sysconf("SC_CLK_TCK")

    def used(p: int) -> float:
        try:
            fields = _stat(p)
        except (FileNotFoundError, ProcessLookupError):
            return 0.0  # a backend that just ended
        return (int(fields[11]) + int(fields[12])) / tick  # utime, stime

    seconds = {role: sum(used(p) for p in ids) for role, ids in pids.items()}
    if "postgres" in pids:
        main = pids["postgres"][0]
        children = [int(d.name) for d in Path("/proc").iterdir() if d.name.isdigit()]
        seconds["postgres"] += sum(used(c) for c in children if _parent(c) == main)
    # "others": every other process of the machine (CPU time busy in all, minus ours)
    ticks = [int(x) for x in Path("/proc/stat").read_text("ascii").split("\n")[0].split()[1:]]
    busy = (sum(ticks) - ticks[3] - ticks[4]) / tick  # minus idle and iowait
    seconds["others"] = busy - sum(seconds.values())
    return seconds


def _parent(p: int) -> int:
    try:
        return int(_stat(p)[1])
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return 0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def batch(fake: LoadDiscord, pids: Pids, n: int, first: int) -> Batch:
    """Send N commands at once (playlists ``first`` .. ``first + n - 1``), wait for all."""
    fake.calls.clear()
    sent: dict[str, float] = {}
    before = cpu_seconds(pids)
    start = time.perf_counter()
    for j in range(first, first + n):
        token = await fake.send_link(f"https://open.spotify.com/playlist/{pid(j)}")
        sent[token] = time.perf_counter()
    await asyncio.wait_for(fake.all_done.wait(), 3600)
    times = [fake.answered[t] - s for t, s in sent.items() if t in fake.answered]
    refused = [fake.refused[t] for t in sent if t in fake.refused]
    if refused:
        print(f"    {len(refused)} refused, e.g. {refused[0]!r}")
    last = max((fake.answered[t] for t in sent if t in fake.answered), default=start)
    after = cpu_seconds(pids)
    cpu = {role: (after[role] - before[role]) / n for role in after}
    p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
    edits = sum(1 for c in fake.calls if c.method == "PATCH" and "/webhooks/" in c.path) / n
    return Batch(n, len(times) / (last - start), p50, p95, cpu, edits)


async def postmaster(url: str) -> int:
    """The PostgreSQL server's main process (its backends are its children)."""
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        backend = int(await connection.fetchval("SELECT pg_backend_pid()"))
    finally:
        await connection.close()
    return _parent(backend)


def environment(folder: Path, urls: dict[str, str], redis_url: str, db: str) -> dict[str, str]:
    """The settings the bot and its workers share (as environment variables)."""
    return {
        **{"SPOTIFY_CLIENT_ID": fake_spotify.CLIENT_ID, "PREVIEW_HOSTS": ""},
        "SPOTIFY_CLIENT_SECRET": fake_spotify.CLIENT_SECRET,
        "SPOTIFY_API_BASE": f"{urls['spotify']}/v1",
        "SPOTIFY_TOKEN_URL": f"{urls['spotify']}/api/token",
        "RECCOBEATS_API_BASE": f"{urls['reccobeats']}/v1",
        "DEEZER_API_BASE": "http://127.0.0.1:9",
        **{"DATABASE_PATH": str(folder / "bot.db"), "HEALTH_FILE": str(folder / "beat")},
        **{"USER_COOLDOWN_SECONDS": "0", "LOG_LEVEL": "WARNING", "REDIS_URL": redis_url},
        "DATABASE_URL": db,
    }


class WorkerPool:
    """`playlist-clusters worker` processes, started and stopped (SIGTERM) on demand."""

    def __init__(self, env: dict[str, str], folder: Path, pids: Pids) -> None:
        self.env = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
        self.env.update(env, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
        self.folder = folder
        self.pids = pids
        self.processes: list[asyncio.subprocess.Process] = []
        self.redis = redis.Redis.from_url(env["REDIS_URL"])

    async def scale(self, count: int) -> bool:
        """Run exactly ``count`` workers; True if one was started (it needs a warm-up)."""
        started = False
        while len(self.processes) < count:
            self.processes.append(
                await asyncio.create_subprocess_exec(
                    *(sys.executable, "-m", "bot.roots.cli", "worker"),
                    cwd=self.folder,
                    env=self.env,
                )
            )
            started = True
        while len(self.processes) > count:
            process = self.processes.pop()
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 60)
        deadline = time.monotonic() + 120
        while self.redis.zcard(WORKERS) != count:  # polling is fine in a benchmark
            if time.monotonic() > deadline or any(p.returncode for p in self.processes):
                raise RuntimeError("the workers did not start (their log is on stderr)")
            await asyncio.sleep(0.1)
        self.pids["workers"] = [p.pid for p in self.processes]
        return started

    async def close(self) -> None:
        await self.scale(0)
        self.redis.close()


@asynccontextmanager
async def setup(
    db: str | None, folder: Path, urls: dict[str, str], pids: Pids
) -> AsyncIterator[tuple[LoadDiscord, WorkerPool | None]]:
    """The fake Discord with the bot running: alone on SQLite (``db`` None), or with Redis
    and a pool of one worker on SQLite (``""``) or PostgreSQL (``db`` its URL); the
    processes' ids are added to ``pids``."""
    fake = LoadDiscord()
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    fake.base = f"http://127.0.0.1:{server.port}"
    gateway = yarl.URL(f"ws://127.0.0.1:{server.port}/")
    async with AsyncExitStack() as stack:
        stack.push_async_callback(server.close)
        stack.enter_context(mock.patch.object(discord.http.Route, "BASE", f"{fake.base}/api/v10"))
        stack.enter_context(
            mock.patch.object(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", gateway)
        )
        url, pool, jobs = "", None, db is not None
        if jobs:
            executable = find_redis_server()
            if executable is None:
                raise SystemExit("redis-server is not installed (apt-get install redis-server)")
            url = stack.enter_context(redis_server(executable, folder))
            info = redis.Redis.from_url(url)
            pids["redis"] = [int(info.info("server")["process_id"])]
            info.close()
        env = environment(folder, urls, url, db or "")
        if db:
            pids["postgres"] = [await postmaster(db)]
        if jobs:
            pool = WorkerPool(env, folder, pids)
            stack.push_async_callback(pool.close)
            await pool.scale(1)
        settings = Settings(_env_file=None, **{k.lower(): v for k, v in env.items()})  # type: ignore[arg-type]
        bot = PlaylistBot(settings, heartbeat=False)
        runner = asyncio.create_task(bot.start("fake-token"))
        await asyncio.wait_for(bot.wait_until_ready(), 60)
        try:
            yield fake, pool
        finally:
            await bot.close()
            await runner
