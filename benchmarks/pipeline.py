"""Time and peak memory of the offline analysis for 100 to 50,000 synthetic tracks.

Measures feature table + clustering + projection + PNG + markdown (what
`playlist-clusters analyze` does after reading the file) and prints one row per size.
Targets: 10,000 tracks in under 2 s on a 2-core machine, and growth no worse than
n log n from 10,000 to 50,000. Run: python benchmarks/pipeline.py [sizes...]
"""

from __future__ import annotations

import math
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

# the project root first: this folder's bot.py would otherwise shadow the bot package
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.analysis.clustering import cluster_tracks
from bot.analysis.features import build_feature_table
from bot.model import AnalysisOptions, Playlist, PlaylistRef, Track
from bot.pipeline import compute_analysis
from bot.render.markdown import render_markdown

FEATURES = (
    "danceability",
    "energy",
    "valence",
    "acousticness",
    "instrumentalness",
    "speechiness",
    "liveness",
    "tempo",
    "loudness",
)
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


def measure(n: int) -> dict[str, float]:
    """Stage times from one plain run, peak traced memory from a second run."""
    playlist = synthetic_playlist(n)
    start = time.perf_counter()
    table = build_feature_table(playlist.tracks)
    t_table = time.perf_counter()
    cluster_tracks(table.matrix)
    t_cluster = time.perf_counter()
    analysis = compute_analysis(playlist, AnalysisOptions())  # table + clustering + PCA + PNG
    render_markdown(analysis)
    t_total = time.perf_counter()
    tracemalloc.start()
    render_markdown(compute_analysis(playlist, AnalysisOptions()))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "n": n,
        "table_s": t_table - start,
        "cluster_s": t_cluster - t_table,
        "total_s": t_total - t_cluster,
        "peak_mb": peak / 1e6,
        "k": len(analysis.clusters),
    }


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [100, 1_000, 10_000, 50_000]
    measure(100)  # warm imports and caches
    print(f"{'tracks':>8} {'table s':>8} {'cluster s':>10} {'total s':>8} {'peak MB':>8} {'k':>3}")
    rows = []
    for n in sizes:
        row = measure(n)
        rows.append(row)
        print(
            f"{n:>8,} {row['table_s']:>8.3f} {row['cluster_s']:>10.3f} {row['total_s']:>8.3f} "
            f"{row['peak_mb']:>8.1f} {row['k']:>3}"
        )
    by_n = {int(r["n"]): r for r in rows}
    if 10_000 in by_n and 50_000 in by_n:
        growth = by_n[50_000]["total_s"] / by_n[10_000]["total_s"]
        nlogn = 5 * math.log(50_000) / math.log(10_000)
        print(f"growth 10k -> 50k: x{growth:.2f} (n log n would be x{nlogn:.2f})")
    if 10_000 in by_n:
        verdict = "meets" if by_n[10_000]["total_s"] < 2 else "MISSES"
        print(f"10,000 tracks: {by_n[10_000]['total_s']:.2f} s ({verdict} the 2 s target)")


if __name__ == "__main__":
    main()
