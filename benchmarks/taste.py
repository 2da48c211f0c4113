"""A taste map of 10 playlists x 500 tracks from cached features (issue 24).

Target: under 2 s for the whole answer (median of runs). Timed, each as median of N
runs (default 5) with min and max, at DEFAULT settings:

- baseline: one /clusters analysis of one 500-track playlist (compute_analysis with
  its picture), the work the bot already does per playlist;
- reading the 10 playlists with their features from a SQLite cache;
- the comparison (one feature space, neighbours per playlist, 45 pair scores,
  shared artists and tracks);
- the whole answer: cache read + comparison + map PNG + markdown + JSON.

Tracks are real labelled tracks (tests/data/labelled) drawn with repetition, so
playlists share some tracks as members' playlists do. The machine may be shared:
figures are noisy. Run: python benchmarks/taste.py [runs]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.timing import row, timed
from bot.analysis.taste import compare_playlists
from bot.model import AnalysisOptions, Playlist, PlaylistRef
from bot.pipeline.compute import compute_analysis
from bot.roots.compare_cli import taste_files
from bot.threads import limit_native_threads, native_threads
from storage.database import open_database
from tests.labelled import load_rows, to_track

PLAYLISTS, TRACKS = 10, 500


def playlists() -> list[Playlist]:
    rows = load_rows()
    rng = np.random.default_rng(24)
    out = []
    for p in range(PLAYLISTS):
        picked = rng.choice(len(rows), size=TRACKS, replace=False)
        tracks = [replace(to_track(rows[int(i)]), spotify_id=f"{int(i):022d}") for i in picked]
        out.append(Playlist(PlaylistRef("csv", f"member-{p}.csv"), f"member {p}", tracks, f"s{p}"))
    return out


async def main(runs: int) -> None:
    lists = playlists()
    loop = asyncio.get_running_loop()
    with tempfile.TemporaryDirectory() as folder:
        db = await open_database(Path(folder) / "bench.db")
        for playlist in lists:
            await db.cache.put_playlist(playlist)

        def read() -> list[Playlist]:
            future = asyncio.run_coroutine_threadsafe(_read(db, lists), loop)
            return future.result()

        def compare(found: list[Playlist]) -> object:
            return compare_playlists([p.tracks for p in found], [p.name for p in found])

        def answer() -> object:
            return taste_files(compare(read()))

        def run_in_thread(fn: Callable[[], object]) -> tuple[float, float, float]:
            return timed(fn, runs)

        print(f"{PLAYLISTS} playlists x {TRACKS} tracks, median of {runs} runs")
        baseline = lambda: compute_analysis(lists[0], AnalysisOptions())  # noqa: E731
        row(
            "baseline: /clusters analysis of one playlist",
            await asyncio.to_thread(run_in_thread, baseline),
        )
        row("read 10 playlists from the cache", await asyncio.to_thread(run_in_thread, read))
        found = await asyncio.to_thread(read)
        assert sum(len(p.tracks) for p in found) == PLAYLISTS * TRACKS
        row(
            "compare (space, neighbours, 45 scores, shared)",
            await asyncio.to_thread(run_in_thread, lambda: compare(found)),
        )
        row(
            "whole answer: read + compare + PNG + md + JSON",
            await asyncio.to_thread(run_in_thread, answer),
        )
        await db.close()


async def _read(db: object, lists: list[Playlist]) -> list[Playlist]:
    found = []
    for playlist in lists:
        got = await db.cache.get_playlist(playlist.ref)  # type: ignore[attr-defined]
        assert got is not None
        found.append(got[0])
    return found


if __name__ == "__main__":
    limit_native_threads(native_threads(0, 2))  # as run_bot does at default settings
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
