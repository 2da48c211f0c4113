"""Start-up of an `analyze` run: what importing the pipeline costs before any work.

An `analyze` run imports the wiring (sources, providers, pipeline, analysis). The
preview decoder (miniaudio) and scipy.signal are now imported only when a preview is
analysed; before, the wiring imported them always. Each figure is a fresh process
(`python -c "import ..."`), median of RUNS with min and max, beside the same import
plus the preview modules (what every run paid before) and a bare interpreter, all in
the same run. DEFAULT settings. Noisy on a shared machine: compare within one run.

Run: python benchmarks/imports.py [runs]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 7
CASES = {
    "bare interpreter": "pass",
    "analyze's imports (now)": "import bot.roots.wiring, bot.pipeline.compute",
    "... plus the preview modules (before)": (
        "import bot.roots.wiring, bot.pipeline.compute, bot.analysis.audio.decode"
    ),
}
CHECK = (
    "import sys, bot.roots.wiring, bot.pipeline.compute; "
    "print(sorted(m for m in ('scipy.signal', 'miniaudio') if m in sys.modules))"
)


def _time(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
    return time.perf_counter() - start


def main() -> None:
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(RUNS):  # interleaved, so load on the machine hits every case alike
        for name, code in CASES.items():
            times[name].append(_time(code))
    for name, values in times.items():
        print(
            f"{name:<40} median {statistics.median(values):.3f} s "
            f"(min {min(values):.3f}, max {max(values):.3f}, {RUNS} runs)"
        )
    loaded = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=ROOT, check=True, capture_output=True, text=True
    )
    print(f"preview modules loaded by analyze's imports: {loaded.stdout.strip()}")


if __name__ == "__main__":
    main()
