"""Wall time of short CLI commands, beside a bare interpreter (issue 11: under 0.3 s).

Each command runs as a fresh process (what a user waits for): `--help`, a usage
error (`analyze` without a source), `cache stats` on an empty database in a temporary
folder, and `python -c pass` as the baseline. Prints the median of RUNS runs with min
and max, and which heavy libraries each command imported. DEFAULT settings (only
DATABASE_PATH points into the temporary folder). Figures on a shared machine are
noisy: read the medians, and compare with the baseline of the same run.

Run: python benchmarks/startup.py [runs]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 7
TARGET = 0.3
HEAVY = ("numpy", "scipy", "sklearn", "matplotlib", "discord", "miniaudio", "aiohttp")
PROBE = (
    "import runpy, sys\n"
    "sys.argv = ['playlist-clusters', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('bot.roots.cli', run_name='__main__')\n"
    "except SystemExit:\n"
    "    pass\n"
    f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
    "print('HEAVY=' + ','.join(heavy), file=sys.stderr)\n"
)
CASES = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "playlist-clusters --help": [sys.executable, "-m", "bot.roots.cli", "--help"],
    "usage error (analyze, no source)": [sys.executable, "-m", "bot.roots.cli", "analyze"],
    "cache stats": [sys.executable, "-m", "bot.roots.cli", "cache", "stats"],
}


def _time(command: list[str], env: dict[str, str], cwd: str) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, capture_output=True, check=False)
    return time.perf_counter() - start


def _heavy(command: list[str], env: dict[str, str], cwd: str) -> str:
    if command[1:3] != ["-m", "bot.roots.cli"]:
        return "-"
    probe = [sys.executable, "-c", PROBE, *command[3:]]
    result = subprocess.run(probe, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    line = [x for x in result.stderr.splitlines() if x.startswith("HEAVY=")]
    return (line[-1].removeprefix("HEAVY=") or "none") if line else "?"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DATABASE_PATH": str(Path(folder) / "cache.db"),
        }
        subprocess.run(CASES["cache stats"], env=env, cwd=folder, capture_output=True)  # create
        print(f"{RUNS} runs each, wall time of a fresh process (target {TARGET} s)")
        print(f"{'command':36} {'median':>8} {'min':>8} {'max':>8}  heavy imports")
        for label, command in CASES.items():
            times = [_time(command, env, folder) for _ in range(RUNS)]
            print(
                f"{label:36} {statistics.median(times):8.3f} {min(times):8.3f} "
                f"{max(times):8.3f}  {_heavy(command, env, folder)}"
            )


if __name__ == "__main__":
    main()
