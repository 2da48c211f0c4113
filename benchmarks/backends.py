"""The same storage work on SQLite (the baseline) and on PostgreSQL, side by side.

    python benchmarks/backends.py [--runs 5] [--tracks 1000] [--database-url URL]

Each operation runs ``--runs`` times (at least 5) on a fresh database of each backend
at DEFAULT settings, and prints the median (min-max) in milliseconds:

- storing and loading one cached analysis of ``--tracks`` tracks (PNG included);
- storing and loading the features of ``--tracks`` tracks;
- 100 page turns of a posted message, one after the other (a write each);
- 50 loads of the analysis at once (SQLite's one connection against the pool).

PostgreSQL is a throwaway server started like the tests' (``tests/pg_server.py``: the
distribution's ``initdb`` and ``pg_ctl``, over TCP on 127.0.0.1) but with its default
durability (fsync and synchronous commits, where SQLite's WAL with ``synchronous=NORMAL``
syncs only at checkpoints), or the server of ``--database-url`` (an empty schema is
made there and dropped after). Figures from a shared machine are noisy: compare the
two columns of one run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.model import AnalysisOptions  # noqa: E402
from bot.pipeline.runner import compute_analysis  # noqa: E402
from storage.database import Database, open_database  # noqa: E402
from storage.messages import MessageState  # noqa: E402
from tests.pg_server import new_schema, postgres_server  # noqa: E402
from tests.storage.helpers import synthetic_playlist  # noqa: E402

Step = Callable[[Database, int], Awaitable[object]]


def figure(samples: list[float]) -> str:
    ms = [s * 1000 for s in samples]
    return f"{statistics.median(ms):8.1f} ({min(ms):.1f}-{max(ms):.1f})"


async def measure(location: str | Path, runs: int, tracks: int) -> dict[str, list[float]]:
    """Each operation's wall times on the database at ``location``."""
    analysis = compute_analysis(synthetic_playlist(tracks, seed=1), AnalysisOptions(k=4))
    features = {t.id: dict(t.audio or {}) for t in analysis.playlist.tracks}
    ids = list(features)

    async def put_analysis(db: Database, run: int) -> None:
        await db.cache.put_analysis(f"a{run}", analysis)

    async def get_analysis(db: Database, run: int) -> None:
        assert await db.cache.get_analysis(f"a{run}") is not None

    async def put_features(db: Database, run: int) -> None:
        await db.cache.put_features("spotify", features, f"provider-{run}", 1)

    async def get_features(db: Database, run: int) -> None:
        assert len(await db.cache.get_features("spotify", ids, f"provider-{run}", 1)) == tracks

    async def page_turns(db: Database, run: int) -> None:
        await db.messages.save(MessageState(run, 1, 2, f"a{run}", 3))
        for page in range(100):
            assert await db.messages.update_position(run, 0, page)

    async def concurrent_loads(db: Database, run: int) -> None:
        await asyncio.gather(*(db.cache.get_analysis(f"a{run}") for _ in range(50)))

    steps: dict[str, Step] = {
        f"store a {tracks:,}-track analysis": put_analysis,
        f"load a {tracks:,}-track analysis": get_analysis,
        f"store features of {tracks:,} tracks": put_features,
        f"load features of {tracks:,} tracks": get_features,
        "100 page turns (a write each)": page_turns,
        "50 analysis loads at once": concurrent_loads,
    }
    times: dict[str, list[float]] = {name: [] for name in steps}
    async with await open_database(location) as db:
        for name, step in steps.items():
            for run in range(runs):
                started = time.perf_counter()
                await step(db, run)
                times[name].append(time.perf_counter() - started)
    return times


async def run(runs: int, tracks: int, url: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        sqlite = await measure(Path(folder) / "bench.db", runs, tracks)
    schema_url, drop = new_schema(url)
    try:
        postgres = await measure(schema_url, runs, tracks)
    finally:
        drop()
    print(f"median (min-max) ms over {runs} runs; SQLite file vs PostgreSQL over TCP")
    print(f"{'operation':38} {'SQLite':>22} {'PostgreSQL':>22}  ratio")
    for name in sqlite:
        ratio = statistics.median(postgres[name]) / statistics.median(sqlite[name])
        print(f"{name:38} {figure(sqlite[name]):>22} {figure(postgres[name]):>22}  {ratio:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tracks", type=int, default=1000)
    parser.add_argument("--database-url", default="", help="a PostgreSQL server to use")
    args = parser.parse_args()
    runs = max(5, args.runs)
    server = nullcontext(args.database_url) if args.database_url else postgres_server(durable=True)
    with server as url:
        asyncio.run(run(runs, args.tracks, url))


if __name__ == "__main__":
    main()
