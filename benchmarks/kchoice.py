"""What the changes of issue 22 cost on a 10,000-track playlist (DEFAULT settings).

- the whole offline analysis (table, clustering, names, projection, PNG) with every
  track heard, and with 10% of the tracks without sound features (those are placed
  by album or artist after a second, smaller feature table);
- the clustering with automatic k as it runs now (rows put in canonical order first,
  so a shuffled playlist gets the same answer) beside the same clustering on the rows
  as given (what it did before: the baseline).

Median of RUNS runs with min and max, all in one run. Threads capped at 2 (this
machine's cores) before numpy loads, as benchmarks/pipeline.py does.
Run: python benchmarks/kchoice.py [runs]
"""

from __future__ import annotations

import dataclasses
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.pipeline import synthetic_playlist  # noqa: E402
from bot.analysis import clustering  # noqa: E402
from bot.analysis.features import build_feature_table  # noqa: E402
from bot.model import AnalysisOptions  # noqa: E402
from bot.pipeline.compute import compute_analysis  # noqa: E402

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
N = 10_000


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    playlist = synthetic_playlist(N)
    tracks = [
        dataclasses.replace(t, audio=None, audio_provider=None) if i % 10 == 0 else t
        for i, t in enumerate(playlist.tracks)
    ]
    silent = dataclasses.replace(playlist, tracks=tracks)
    table = build_feature_table(playlist.tracks)
    options = AnalysisOptions()
    cases: dict[str, Callable[[], object]] = {
        "analysis, every track heard": lambda: compute_analysis(playlist, options),
        "analysis, 10% without sound features": lambda: compute_analysis(silent, options),
        "clustering, automatic k, now (canonical order)": lambda: clustering.cluster_tracks(
            table.matrix, lead_columns=table.lead_columns
        ),
        "clustering, automatic k, rows as given (before)": lambda: clustering._cluster_ordered(
            table.matrix, None, 2, 12, 0, table.lead_columns
        ),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(max(5, RUNS)):
        for name, work in cases.items():
            times[name].append(_timed(work))
    for name, values in times.items():
        print(
            f"{name:<50} median {statistics.median(values):.3f} s "
            f"(min {min(values):.3f}, max {max(values):.3f}, {len(values)} runs, {N:,} tracks)"
        )


if __name__ == "__main__":
    main()
