"""Time and peak memory of the offline analysis for 100 to 50,000 synthetic tracks.

Measures feature table + clustering + projection + PNG + markdown (what
`playlist-clusters analyze` does after reading the file) at DEFAULT settings and
prints, per size, the median of --runs runs (at least 5) with min and max.
Targets: 10,000 tracks in under 2 s (median) on a 2-core machine, and growth no
worse than n log n from 10,000 to 50,000.

Threads: BLAS and OpenMP (numpy, scikit-learn's k-means) are capped at
--threads (default 2, this machine's cores) before numpy is imported, through the
OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / MKL_NUM_THREADS variables, unless they are
set already: on a small shared machine more threads than cores only adds contention.
Run: python benchmarks/pipeline.py [--runs 5] [--threads 2] [sizes...]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path


def _cap_threads(argv: list[str]) -> int:
    """Set the BLAS/OpenMP thread variables from --threads before numpy loads."""
    threads = 2
    if "--threads" in argv and argv.index("--threads") + 1 < len(argv):
        threads = max(1, int(argv[argv.index("--threads") + 1]))
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, str(threads))
    return threads


THREADS = _cap_threads(sys.argv)

import numpy as np  # noqa: E402

# the project root first: this folder's bot.py would otherwise shadow the bot package
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.analysis.clustering import cluster_tracks  # noqa: E402
from bot.analysis.features import build_feature_table  # noqa: E402
from bot.model import (  # noqa: E402
    PROVIDER_AUDIO_FEATURES,
    AnalysisOptions,
    Playlist,
    PlaylistRef,
    Track,
)
from bot.pipeline.runner import compute_analysis  # noqa: E402
from bot.render.markdown import render_markdown  # noqa: E402

#: Spotify's scale, as the providers and CSV exports give it.
FEATURES = PROVIDER_AUDIO_FEATURES
GENRES = ("pop", "k-pop", "j-pop", "rock", "latin", "indie", "edm", "hip hop", "jazz", "folk")


def synthetic_playlist(n: int, seed: int = 0) -> Playlist:
    """n tracks in 5 loose groups with audio features, years, durations and genres."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 1, size=(5, len(FEATURES)))
    groups = rng.integers(0, 5, n)
    values = centres[groups] + rng.normal(0, 0.08, size=(n, len(FEATURES)))
    tracks = []
    for i in range(n):
        audio = dict(zip(FEATURES, values[i].tolist(), strict=True))
        audio["tempo"] = 60 + 120 * audio["tempo"]
        audio["loudness"] = -20 + 18 * audio["loudness"]
        tracks.append(
            Track(
                id=f"t{i}",
                title=f"Track {i} 曲",
                artists=(f"Artist {i % 500}",),
                album=f"Album {i % 900}",
                label=f"Label {i % 40}",
                url=f"https://open.spotify.com/track/{i:022d}",
                release_year=int(1970 + rng.integers(0, 56)),
                duration_ms=int(rng.integers(120, 400) * 1000),
                explicit=bool(rng.random() < 0.2),
                popularity=float(rng.integers(0, 100)),
                genres=(GENRES[groups[i] * 2 % 10], GENRES[int(rng.integers(0, 10))]),
                audio=audio,
                audio_provider="csv",
            )
        )
    return Playlist(PlaylistRef("csv", "bench"), f"Benchmark {n}", tracks, "s")


def measure(playlist: Playlist) -> dict[str, float]:
    """Stage times of one run: table, clustering, and the whole analysis + markdown."""
    start = time.perf_counter()
    table = build_feature_table(playlist.tracks)
    t_table = time.perf_counter()
    cluster_tracks(table.matrix, lead_columns=table.lead_columns)
    t_cluster = time.perf_counter()
    analysis = compute_analysis(playlist, AnalysisOptions())  # table + clustering + PCA + PNG
    render_markdown(analysis)
    t_total = time.perf_counter()
    return {
        "table_s": t_table - start,
        "cluster_s": t_cluster - t_table,
        "total_s": t_total - t_cluster,
        "k": len(analysis.clusters),
    }


def peak_memory_mb(playlist: Playlist) -> float:
    """Peak traced memory of one whole analysis + markdown (a separate, slower run)."""
    tracemalloc.start()
    render_markdown(compute_analysis(playlist, AnalysisOptions()))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def spread(values: list[float]) -> str:
    """'median (min-max)' in seconds."""
    return f"{statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})"


def measure_size(n: int, runs: int) -> dict[str, float]:
    """Median, min and max over ``runs`` runs of one size, and its peak memory."""
    playlist = synthetic_playlist(n)
    rows = [measure(playlist) for _ in range(runs)]
    totals = [r["total_s"] for r in rows]
    print(
        f"{n:>8,} {spread([r['table_s'] for r in rows]):>22} "
        f"{spread([r['cluster_s'] for r in rows]):>22} {spread(totals):>22} "
        f"{peak_memory_mb(playlist):>8.1f} {int(rows[-1]['k']):>3}",
        flush=True,
    )
    return {"n": n, "total_s": statistics.median(totals)}


def main() -> None:
    parser = argparse.ArgumentParser(description="Offline analysis time per playlist size.")
    parser.add_argument("sizes", nargs="*", type=int, default=[100, 1_000, 10_000, 50_000])
    parser.add_argument("--runs", type=int, default=5, help="runs per size (at least 5)")
    parser.add_argument("--threads", type=int, default=2, help="BLAS/OpenMP threads")
    args = parser.parse_args()
    runs = max(5, args.runs)
    print(
        f"BLAS/OpenMP threads: {os.environ['OMP_NUM_THREADS']}; {runs} runs per size; "
        "seconds as median (min-max); shared machine: figures are noisy"
    )
    measure(synthetic_playlist(100))  # warm imports and caches
    header = (
        f"{'tracks':>8} {'table s':>22} {'cluster s':>22} {'total s':>22} {'peak MB':>8} {'k':>3}"
    )
    print(header)
    by_n = {int(row["n"]): row for row in (measure_size(n, runs) for n in args.sizes)}
    if 10_000 in by_n and 50_000 in by_n:
        growth = by_n[50_000]["total_s"] / by_n[10_000]["total_s"]
        nlogn = 5 * math.log(50_000) / math.log(10_000)
        print(f"growth 10k -> 50k (medians): x{growth:.2f} (n log n would be x{nlogn:.2f})")
    if 10_000 in by_n:
        verdict = "meets" if by_n[10_000]["total_s"] < 2 else "MISSES"
        print(f"10,000 tracks: median {by_n[10_000]['total_s']:.2f} s ({verdict} the 2 s target)")


if __name__ == "__main__":
    main()
