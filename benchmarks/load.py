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
processes (WORKER_CONCURRENCY=2), sharing PostgreSQL (DATABASE_URL: a throw-away
cluster with PostgreSQL's default durability, ``tests/pg_server.py``; ``--storage
sqlite``: the SQLite file instead). ``1w`` and ``2w`` share one bot and Redis: each run is
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
import contextlib
import functools
import os
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.load_setup import Batch, LoadDiscord, Pids, batch, build, setup  # noqa: E402
from benchmarks.realistic import Served  # noqa: E402
from bot.threads import limit_native_threads, native_threads  # noqa: E402
from tests.pg_server import postgres_server  # noqa: E402

WARM = 4
TITLES = {
    "one": "one process, SQLite, in-process line",
    "1w": "Redis + 1 worker process",
    "2w": "Redis + 2 worker processes",
}


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
    plan: list[tuple[int, int]], urls: dict[str, str], served: Served, ids: Counter, db: str | None
) -> Results:
    """One setup: the bot alone, or the bot on Redis with its workers. With workers, each
    run of an N is a pair, 1 worker then 2 (2 then 1 on odd runs), so both see the same
    load from the rest of a shared machine."""
    results: Results = {}
    pids: Pids = {"bot": [os.getpid()], "fakes": [served.process.pid or 0]}
    with tempfile.TemporaryDirectory() as folder:
        async with setup(db, Path(folder), urls, pids) as (fake, pool):
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
    modes: list[str], sizes: list[int], runs: int, tracks: int, latency: float, storage: str
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
            results.update(await phase(plan, urls, served, ids, None))
        if "1w" in modes or "2w" in modes:
            with contextlib.ExitStack() as stack:
                db = (
                    ""
                    if storage == "sqlite"
                    else stack.enter_context(postgres_server(durable=True))
                )
                print(f"workers' shared storage: {'SQLite file' if not db else 'PostgreSQL'}")
                results.update(await phase(plan, urls, served, ids, db))
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
    parser.add_argument("--storage", choices=("postgres", "sqlite"), default="postgres")
    args = parser.parse_args()
    sizes = [4, 16, 48] if args.quick else [int(x) for x in args.sizes.split(",")]
    runs = 2 if args.quick else args.runs
    modes = [m for m in args.modes.split(",") if m in TITLES]
    asyncio.run(measure(modes, sizes, runs, args.tracks, args.latency, args.storage))


if __name__ == "__main__":
    main()
