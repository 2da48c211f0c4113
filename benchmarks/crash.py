"""What a crash costs (issue 25), with real processes, at the default heartbeat settings.

    python benchmarks/crash.py [--runs 5] [--skip-workers] [--skip-posts]

1. **Worker killed.** A `playlist-clusters worker` is killed with SIGKILL while it runs
   a member's analysis (a 30-track Deezer playlist from the fake Deezer, held until the
   kill); a spare worker is running. Measured: seconds from the kill to the member's
   answer. Baseline in the same run: the same analysis with no kill, from the moment
   the playlist is released to the answer.
2. **Weekly post sent, not recorded.** A poster process is killed with SIGKILL between
   Discord accepting the post and the database recording it; a second process takes
   the claim over after the lease and finds the post. Measured with a 2 s lease (the
   default lease is SCHEDULE_LEASE_SECONDS = 1800 s): seconds from the kill to the
   record, and that minus the lease (what a takeover adds to the lease).

Prints the median of the runs with min and max. Needs redis-server.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.model import AnalysisOptions  # noqa: E402
from tests.fakes.base import serve  # noqa: E402
from tests.jobs.conftest import HeldDeezer, bot_side, settings_for  # noqa: E402
from tests.jobs.test_worker_killed import LINK, kill_during_a_job, start_worker, stop  # noqa: E402
from tests.redis_server import find_redis_server, redis_server  # noqa: E402
from tests.weekly.test_sent_once import LEASE, crash_after_sending  # noqa: E402


def said(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):6.2f} s (min {min(values):.2f}, max {max(values):.2f})"
    )


async def baseline(folder: Path, url: str) -> float:
    """One analysis on a live worker with nothing killed: release to answer."""
    fake = HeldDeezer()
    async with serve(fake):
        fake.generated(4242, 30, name="Nuit blanche")
        settings = settings_for(folder, url, fake)
        fake.release.clear()
        worker = await start_worker(settings, folder)
        try:
            async with bot_side(settings) as line:
                task = asyncio.create_task(line.link(1, LINK, AnalysisOptions(k=2)))
                await asyncio.wait_for(fake.arrived.wait(), 60)
                released = time.monotonic()
                fake.release.set()
                await asyncio.wait_for(task, 120)
                return time.monotonic() - released
        finally:
            await stop(worker)


async def killed(folder: Path, url: str) -> float:
    fake = HeldDeezer()
    async with serve(fake):
        fake.generated(4242, 30, name="Nuit blanche")
        _, took, _ = await kill_during_a_job(folder, url, fake, spare=True)
        return took


def workers(runs: int) -> None:
    executable = find_redis_server()
    if not executable:
        sys.exit("redis-server is needed (apt-get install redis-server)")
    base, kill = [], []
    with tempfile.TemporaryDirectory() as tmp, redis_server(executable, Path(tmp)) as url:
        for run in range(runs):
            for name in (f"base{run}", f"kill{run}"):
                (Path(tmp) / name).mkdir()
            base.append(asyncio.run(baseline(Path(tmp) / f"base{run}", url)))
            kill.append(asyncio.run(killed(Path(tmp) / f"kill{run}", url)))
    print(f"worker SIGKILL, kill to answer ({runs} runs):   {said(kill)}")
    print(f"baseline, no kill, release to answer:     {said(base)}")


def posts(runs: int) -> None:
    took = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(runs):
            folder = Path(tmp) / f"run{run}"
            folder.mkdir()
            _, seconds = crash_after_sending(folder / "bot.db", folder / "channel.log", find=True)
            took.append(seconds)
    print(f"weekly post, kill to record, lease {LEASE:g} s:  {said(took)}")
    print(f"  beyond the lease:                        {said([t - LEASE for t in took])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-workers", action="store_true")
    parser.add_argument("--skip-posts", action="store_true")
    args = parser.parse_args()
    if not args.skip_posts:
        posts(args.runs)
    if not args.skip_workers:
        workers(args.runs)


if __name__ == "__main__":
    main()
