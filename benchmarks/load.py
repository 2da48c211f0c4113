"""Load simulation: N concurrent /clusters on one process, and on Redis with 1 and 2 workers.

Each of N members sends `/clusters link:<a Spotify playlist>` at once, through the fake
Discord of the tests on 127.0.0.1 (the real discord.py HTTP and gateway code), and the
bot answers from the fake Spotify and ReccoBeats APIs (the test fakes, real body sizes,
``--latency`` per request, served by a child process). Every playlist is a different
window of ``--tracks`` tracks out of a pool, so no analysis comes from the cache and the
work is CPU-bound (feature table, k-means over K_MIN..K_MAX, projection, picture).

Three setups at DEFAULT settings (except the base URLs, no per-user cooldown since one
user sends everything, and LOG_LEVEL=WARNING): ``one``, one bot process with SQLite and
the in-process line (MAX_CONCURRENT_ANALYSES=2); ``1w`` and ``2w``, the bot with
REDIS_URL (a redis-server on a free port) and 1 or 2 ``playlist-clusters worker``
processes (WORKER_CONCURRENCY=2). The shared cache is the SQLite file (PostgreSQL via
DATABASE_URL is not on main yet). ``1w`` and ``2w`` share one bot and Redis: each run is
a pair, 1 worker then 2 (2 then 1 on odd runs; the second worker is started or stopped
with SIGTERM between), so both see the same load from the rest of a shared machine.

For each N it prints throughput (answers per second, from the first command to the last
answer), the p50/p95 answer time (command -> the answer's edit reaching Discord), edits
per command and CPU seconds per analysis by process, as the median (min-max) over the
runs, how p95 grows with N, and the paired ratio 2w/1w.

    python benchmarks/load.py [--quick] [--sizes 10,100,1000] [--runs 3] [--modes one,1w,2w]

``--runs`` applies to N <= 100; N = 1,000 runs once (minutes per setup). ``--quick``:
N = 4, 16, 48, two runs each. ``--latency 0`` (the default) makes the analyses
CPU-bound; ``--latency 0.05`` adds realistic waits for the providers.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import discord  # noqa: E402
import redis  # noqa: E402
import yarl  # noqa: E402
from aiohttp.test_utils import TestServer  # noqa: E402

from benchmarks.realistic import Served  # noqa: E402
from bot.app import PlaylistBot  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.jobs.protocol import WORKERS  # noqa: E402
from bot.threads import limit_native_threads, native_threads  # noqa: E402
from tests.fake_discord import Call, FakeDiscord  # noqa: E402
from tests.fakes import spotify as fake_spotify  # noqa: E402
from tests.fakes.base import FakeServer  # noqa: E402
from tests.fakes.data import features, spotify_id  # noqa: E402
from tests.fakes.reccobeats import FakeReccoBeats  # noqa: E402
from tests.redis_server import find_redis_server, redis_server  # noqa: E402

POOL = 3_000
WARM = 4
TITLES = {
    "one": "one process, SQLite, in-process line",
    "1w": "Redis + 1 worker process (shared SQLite)",
    "2w": "Redis + 2 worker processes (shared SQLite)",
}


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


def cpu_seconds(pids: Pids) -> dict[str, float]:
    """User + system CPU seconds so far of each role's processes (Linux /proc)."""

    def used(p: int) -> float:
        fields = Path(f"/proc/{p}/stat").read_text("ascii").rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime

    seconds = {role: sum(used(p) for p in ids) for role, ids in pids.items()}
    # "others": every other process of the machine (CPU time busy in all, minus ours)
    ticks = [int(x) for x in Path("/proc/stat").read_text("ascii").split("\n")[0].split()[1:]]
    busy = (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # minus idle, iowait
    seconds["others"] = busy - sum(seconds.values())
    return seconds


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


def environment(folder: Path, urls: dict[str, str], redis_url: str) -> dict[str, str]:
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
                    *(sys.executable, "-m", "bot.cli", "worker"), cwd=self.folder, env=self.env
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
    jobs: bool, folder: Path, urls: dict[str, str], pids: Pids
) -> AsyncIterator[tuple[LoadDiscord, WorkerPool | None]]:
    """The fake Discord with the bot running, alone or (``jobs``) with Redis and a pool
    of workers (none started yet); the processes' ids are added to ``pids``."""
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
        url, pool = "", None
        if jobs:
            executable = find_redis_server()
            if executable is None:
                raise SystemExit("redis-server is not installed (apt-get install redis-server)")
            url = stack.enter_context(redis_server(executable, folder))
            info = redis.Redis.from_url(url)
            pids["redis"] = [int(info.info("server")["process_id"])]
            info.close()
        env = environment(folder, urls, url)
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


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


@dataclass
class Counter:
    """Hands out playlist numbers, so no two commands ever ask for the same playlist."""

    next: int = 0

    def take(self, n: int) -> int:
        first, self.next = self.next, self.next + n
        return first


Results = dict[str, dict[int, list[Batch]]]


async def run_one(
    fake: LoadDiscord, pids: Pids, mode: str, n: int, ids: Counter, results: Results
) -> None:
    got = await batch(fake, pids, n, ids.take(n))
    results.setdefault(mode, {}).setdefault(n, []).append(got)
    cpu = " ".join(f"{r} {c:.3f}" for r, c in got.cpu.items())
    print(
        f"  {mode:>3} N={n:<5} {got.throughput:6.2f}/s p50 {got.p50:6.2f} s  "
        f"p95 {got.p95:6.2f} s  {got.edits:.1f} edits each; CPU s/analysis: {cpu}",
        flush=True,
    )


async def phase(
    jobs: bool, plan: list[tuple[int, int]], urls: dict[str, str], served: Served, ids: Counter
) -> Results:
    """One setup: the bot alone, or the bot on Redis with its workers. With workers, each
    run of an N is a pair, 1 worker then 2 (2 then 1 on odd runs), so both see the same
    load from the rest of a shared machine."""
    results: Results = {}
    pids: Pids = {"bot": [os.getpid()], "fakes": [served.process.pid or 0]}
    with tempfile.TemporaryDirectory() as folder:
        async with setup(jobs, Path(folder), urls, pids) as (fake, pool):
            await batch(fake, pids, WARM, ids.take(WARM))  # imports, first connections
            for n, repeat in plan:
                for run in range(repeat):
                    if pool is None:
                        await run_one(fake, pids, "one", n, ids, results)
                        continue
                    for count in (1, 2) if run % 2 == 0 else (2, 1):
                        if await pool.scale(count):
                            await batch(fake, pids, WARM, ids.take(WARM))  # the new one
                        await run_one(fake, pids, f"{count}w", n, ids, results)
    return results


async def measure(
    modes: list[str], sizes: list[int], runs: int, tracks: int, latency: float
) -> None:
    limit_native_threads(native_threads(0, 2))  # as run_bot does at default settings
    plan = [(n, runs if n <= 100 else 1) for n in sizes]
    print(
        f"N = {', '.join(map(str, sizes))}; {tracks}-track playlists, fakes at "
        f"{latency * 1000:.0f} ms a request; {os.cpu_count()} cores (shared machine)"
    )
    needed = 4 * WARM + 3 * sum(n * r for n, r in plan) + 4 * WARM * runs * len(sizes)
    served = Served(functools.partial(build, needed, tracks), latency)
    results: Results = {}
    ids = Counter()
    with served as urls:
        if "one" in modes:
            results.update(await phase(False, plan, urls, served, ids))
        if "1w" in modes or "2w" in modes:
            results.update(await phase(True, plan, urls, served, ids))
    report(results, sizes)


def report(results: Results, sizes: list[int]) -> None:
    print("\nmedian (min-max) over the runs")
    for mode, by_n in results.items():
        print(f"{TITLES[mode]}:")
        for n in sizes:
            got = by_n[n]
            print(
                f"  N={n:<5} throughput {spread([b.throughput for b in got])} analyses/s, "
                f"p50 {spread([b.p50 for b in got])} s, p95 {spread([b.p95 for b in got])} s"
                f"  ({len(got)} run{'s' if len(got) != 1 else ''})"
            )
        last = by_n[sizes[-1]]
        cpu = ", ".join(f"{r} {statistics.median(b.cpu[r] for b in last):.3f}" for r in last[0].cpu)
        print(f"  CPU seconds per analysis at N={sizes[-1]}: {cpu}")
        if len(sizes) > 1:
            low, high = by_n[sizes[0]], by_n[sizes[-1]]
            growth = statistics.median(b.p95 for b in high) / statistics.median(b.p95 for b in low)
            print(f"  p95 grows {growth:.1f}x from N={sizes[0]} to N={sizes[-1]}")
    if "1w" in results and "2w" in results:
        for n in sizes:
            pairs = zip(results["1w"][n], results["2w"][n], strict=True)
            ratios = [two.throughput / one.throughput for one, two in pairs]
            print(f"2 workers / 1 worker, N={n}: throughput x{spread(ratios)} (target >= 1.7)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 4, 16, 48, two runs each")
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--modes", default="one,1w,2w")
    parser.add_argument("--tracks", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    sizes = [4, 16, 48] if args.quick else [int(x) for x in args.sizes.split(",")]
    runs = 2 if args.quick else args.runs
    modes = [m for m in args.modes.split(",") if m in TITLES]
    asyncio.run(measure(modes, sizes, runs, args.tracks, args.latency))


if __name__ == "__main__":
    main()
