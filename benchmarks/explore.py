"""Explore figures for a 1,000-track playlist: map re-render, re-clustering, similar
tracks, the bar chart, the pictures in a member's language (the first Japanese map an
analysis is shown with, drawn in a worker thread, then kept), and the sizes of what the
bot attaches.

Target: re-rendering the map (two features on the axes) under 1 s for 1,000 tracks.
Prints median, min and max of N runs (default 7) at DEFAULT settings, with the
automatic-projection PNG of the first analysis (the pipeline's own render) as the
baseline in the same run. The machine may be shared: figures are noisy.
Run: python benchmarks/explore.py [tracks] [runs]
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import numpy as np

# the project root first: this folder's bot.py would otherwise shadow the bot package
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.pipeline import synthetic_playlist
from benchmarks.timing import row, timed
from bot.analysis.apart import differences
from bot.analysis.features import build_feature_table
from bot.analysis.similar import nearest
from bot.locales import ENGLISH, Words, words_for
from bot.model import Analysis, AnalysisOptions
from bot.pipeline.runner import compute_analysis, draw
from bot.render.apart import render_apart
from bot.render.export import export_files
from bot.render.map import render_map
from bot.services.explorer import Explorer, cluster_tracks_in_order


async def _kept(explorer: Explorer, analysis: Analysis, words: Words | None) -> bytes:
    return await explorer.overview(analysis, words or ENGLISH)


def pictures(analysis: Analysis, found: list[tuple[str, float]], runs: int) -> None:
    """The map in Japanese beside the English one: English is the stored PNG (the
    pipeline's draw, timed as the baseline); the first Japanese page of an analysis
    draws it through the explorer (a worker thread), the next ones find it kept."""
    ja = words_for("ja")
    loop = asyncio.new_event_loop()
    kept = Explorer(None, None)  # type: ignore[arg-type]

    def first() -> bytes:  # a new explorer: nothing kept yet
        return loop.run_until_complete(Explorer(None, None).overview(analysis, ja))  # type: ignore[arg-type]

    try:
        row("map, first Japanese draw (explorer, thread)", timed(first, runs))
        for name, words in (("English (the stored PNG)", None), ("Japanese again (kept)", ja)):
            found_in = timed(
                lambda w=words: loop.run_until_complete(_kept(kept, analysis, w)), runs
            )
            median, low, high = (round(x * 1e6) for x in found_in)
            print(f"{'map, ' + name:<44} {median:8} µs  (min {low}, max {high})")
        png = loop.run_until_complete(kept.overview(analysis, ja))
    finally:
        loop.close()
    row("bar chart, English", timed(lambda: render_apart(found, cluster=0, title="#1"), runs))
    row(
        "bar chart, Japanese",
        timed(lambda: render_apart(found, cluster=0, title="#1", words=ja), runs),
    )
    print(f"  map PNG (projection, ja)   {len(png):>9,}")


def main(n: int = 1000, runs: int = 7) -> None:
    playlist = synthetic_playlist(n)
    analysis = compute_analysis(playlist, AnalysisOptions())
    k = len(analysis.clusters)
    print(f"{n:,} tracks, {k} clusters, {runs} runs each (shared machine: noisy)")
    row("baseline: projection PNG (pipeline's draw)", timed(lambda: draw(analysis), runs))
    row(
        "map re-render: energy x valence",
        timed(lambda: render_map(analysis, "energy", "valence"), runs),
    )
    row(
        "map re-render: tempo x danceability",
        timed(lambda: render_map(analysis, "tempo", "danceability"), runs),
    )
    more = min(12, k + 1)
    row(
        f"re-cluster {k} -> {more} (cluster, name, project, draw)",
        timed(lambda: compute_analysis(playlist, AnalysisOptions(k=more)), runs),
    )
    table = build_feature_table(playlist.tracks)
    row(
        "feature table from cached tracks",
        timed(lambda: build_feature_table(playlist.tracks), runs),
    )
    row(
        "ten similar tracks",
        timed(lambda: nearest(table.matrix, table.scaled, table.columns, 0), runs),
    )
    labels = np.asarray(analysis.labels)
    found = differences(table.scaled, table.columns, labels, 0)
    row(
        "what sets cluster 1 apart (chart)",
        timed(lambda: render_apart(found, cluster=0, title="#1"), runs),
    )
    print("\nin a member's language")
    pictures(analysis, found, runs)

    print("\nattachment sizes (bytes)")
    print(f"  map PNG (projection)       {len(analysis.png):>9,}")
    print(f"  map PNG (energy x valence) {len(render_map(analysis, 'energy', 'valence')):>9,}")
    print(f"  bar chart PNG              {len(render_apart(found, cluster=0, title='#1')):>9,}")
    for label, tracks in (
        ("all tracks", playlist.tracks),
        ("largest cluster", cluster_tracks_in_order(analysis, 0)),
    ):
        files = export_files(playlist.name, 1, tracks)
        sizes = ", ".join(f"{name.rsplit('.', 1)[1]} {len(data):,}" for name, data in files.items())
        print(f"  {label} ({len(tracks):,} tracks): {sizes}")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
