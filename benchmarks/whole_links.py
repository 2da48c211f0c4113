"""The whole `analyze` of a Spotify link as a user runs it, beside a sequential fetch.

Each run is a fresh process, ``python -m bot.roots.cli analyze LINK --no-cache -q
--out DIR``, at DEFAULT settings (only the base URLs and the app's credentials point
at the fakes, through the environment; no ``.env``): read the pages, ReccoBeats'
features (it lacks 4% of the tracks), Deezer only when it would lead, cluster, write
the three files. Printed per case, median of ``--runs`` (5) with min and max:

- **start-up**: ``python -m bot.roots.cli --help`` in a fresh process, the floor;
- **analyze**: the whole run's wall time, and the same minus the start-up median
  ("beyond start-up": what the issue's targets count, heavy imports included);
- **sequential fetch**: the naive script of ``benchmarks/sources.py`` fetching the
  same pages and ReccoBeats features one request after another, in the same run;
- with ``--profile``, one more run of the 430-track case under pyinstrument
  (``pip install pyinstrument``), its text report printed.

Cases: a 430-track link (target: at most 3 s beyond start-up) and a 10,000-track link
(target: the whole run at least 3x faster than the sequential fetch). The fakes
(``benchmarks/realistic.py``) answer after ``--latency`` (50 ms), at real body sizes,
in a child process, without server limits (``benchmarks/sources.py`` measures the
fetch stage under them).

``--before DIR`` also times the CLI of another checkout (``git archive main | tar -x
-C DIR``), interleaved run by run, for a before/after in one run.

    python benchmarks/whole_links.py [--runs 5] [--only 430|10000] [--profile] [--before DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.realistic import Served  # noqa: E402
from benchmarks.sources import SPOTIFY_PID, SPOTIFY_TRACKS, build_spotify, naive_spotify  # noqa: E402
from tests.fakes.base import FakeServer  # noqa: E402
from tests.fakes.data import spotify_id  # noqa: E402
from tests.fakes.spotify import CLIENT_ID, CLIENT_SECRET, SpotifyPlaylist  # noqa: E402

SMALL = 430
SMALL_PID = spotify_id(4343)
CASES = {"430": (SMALL_PID, SMALL), "10000": (SPOTIFY_PID, SPOTIFY_TRACKS)}
TARGET_BEYOND_STARTUP = 3.0
TARGET_SPEEDUP = 3.0


def build() -> list[tuple[str, FakeServer]]:
    """The fakes of ``benchmarks/sources.py`` plus a 430-track playlist (its first tracks)."""
    served = build_spotify()
    spotify = served[0][1]
    spotify.add(SpotifyPlaylist.generated(SMALL_PID, SMALL), with_features=False)  # type: ignore[attr-defined]
    return served


def environment(urls: dict[str, str], tree: Path = ROOT) -> dict[str, str]:
    """The parent's environment with the fakes' base URLs; the CLI is run from ``tree``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPOTIFY_", "DEEZER_"))}
    env.update(
        SPOTIFY_CLIENT_ID=CLIENT_ID,
        SPOTIFY_CLIENT_SECRET=CLIENT_SECRET,
        SPOTIFY_API_BASE=f"{urls['spotify']}/v1",
        SPOTIFY_TOKEN_URL=f"{urls['spotify']}/api/token",
        RECCOBEATS_API_BASE=f"{urls['reccobeats']}/v1",
        DEEZER_API_BASE=urls["deezer"],
        PYTHONPATH=str(tree),
        MPLBACKEND="Agg",
    )
    return env


def timed(argv: list[str], env: dict[str, str], folder: str) -> float:
    """Wall time of one fresh process (it must exit 0)."""
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=folder, capture_output=True, text=True)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:4])} failed:\n{done.stderr[-2000:]}")
    return took


def spread(values: list[float]) -> str:
    med = statistics.median(values)
    return f"median {med:6.2f} s (min {min(values):.2f}, max {max(values):.2f})"


def run_case(
    name: str, urls: dict[str, str], runs: int, startup: float, folder: str, before: Path | None
) -> None:
    pid, tracks = CASES[name]
    trees = {"": ROOT} | ({"before": before} if before else {})
    link = f"https://open.spotify.com/playlist/{pid}"
    whole: dict[str, list[float]] = {label: [] for label in trees}
    naive = []
    for i in range(runs):
        for label, tree in trees.items():  # interleaved, so load changes hit both alike
            out = str(Path(folder) / f"out-{name}-{label}{i}")
            argv = [sys.executable, "-m", "bot.roots.cli", "analyze", link, "--no-cache", "-q"]
            whole[label].append(timed([*argv, "--out", out], environment(urls, tree), folder))
        naive.append(asyncio.run(naive_spotify(urls, pid, tracks)))
    print(f"  {tracks:,}-track Spotify link")
    if before:
        print(f"    {'analyze, whole process, BEFORE':<32} {spread(whole['before'])}")
        earlier = [t - startup for t in whole["before"]]
        print(f"    {'  beyond start-up, BEFORE':<32} {spread(earlier)}")
    beyond = [t - startup for t in whole[""]]
    print(f"    {'analyze, whole process':<32} {spread(whole[''])}")
    print(f"    {'analyze beyond start-up':<32} {spread(beyond)}")
    print(f"    {'sequential fetch (same run)':<32} {spread(naive)}")
    ratio = statistics.median(naive) / statistics.median(whole[""])
    target = f"target >= {TARGET_SPEEDUP:g}x" if name == "10000" else "no target"
    print(f"    sequential fetch / whole analyze: {ratio:.1f}x ({target})")
    if name == "430":
        print(f"    beyond start-up: target <= {TARGET_BEYOND_STARTUP:g} s")


def profile(urls: dict[str, str], folder: str) -> None:
    """One 430-track run under pyinstrument, its text report printed."""
    env = environment(urls)
    link = f"https://open.spotify.com/playlist/{SMALL_PID}"
    argv = [sys.executable, "-m", "pyinstrument", "--show-all", "-m", "bot.roots.cli"]
    argv += ["analyze", link, "--no-cache", "-q", "--out", str(Path(folder) / "profiled")]
    done = subprocess.run(argv, env=env, cwd=folder, capture_output=True, text=True)
    print(done.stdout[-12_000:] or done.stderr[-4000:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--only", choices=sorted(CASES))
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--before", type=Path, help="another checkout (e.g. main's) timed alongside, run by run"
    )
    opts = parser.parse_args()
    print("Figures from a shared machine: compare each figure with its baseline, not across runs.")
    print(f"load average {os.getloadavg()[0]:.2f}; latency {opts.latency * 1000:.0f} ms")
    with Served(build, opts.latency) as urls, tempfile.TemporaryDirectory() as folder:
        env = environment(urls)
        help_argv = [sys.executable, "-m", "bot.roots.cli", "--help"]
        startups = [timed(help_argv, env, folder) for _ in range(opts.runs)]
        startup = statistics.median(startups)
        print(f"  {'start-up (--help, fresh process)':<34} {spread(startups)}")
        for name in CASES:
            if opts.only in (None, name):
                run_case(name, urls, opts.runs, startup, folder, opts.before)
        if opts.profile:
            profile(urls, folder)


if __name__ == "__main__":
    main()
