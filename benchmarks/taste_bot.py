"""`/taste map` of 10 shared playlists x 500 tracks through discord.py (issue 24).

Runs the real bot (discord.py's command tree, the cog, the taste service, the SQLite
cache) against SimCord's in-memory Discord (the tests' harness). Ten members share
ten playlists of 500 real labelled tracks (tests/data/labelled) from a fake source;
after one warm-up map (which analyses and caches each playlist, as sharing does), it
times ``/taste map`` from the command to the answer with its picture: median of N runs
(default 5) with min and max (target < 2 s), beside `/help` in the same run as the
floor of the harness itself. At DEFAULT settings (native threads as run_bot sets them).

    python benchmarks/taste_bot.py [runs]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.model import Playlist, PlaylistRef
from bot.pipeline.runner import Pipeline
from bot.threads import limit_native_threads, native_threads
from tests.harness import world
from tests.labelled import load_rows, to_track

PLAYLISTS, TRACKS = 10, 500


class Source:
    """Deezer source and provider in one: playlist i is 500 labelled tracks."""

    name = "bench"
    family = "provider"

    def __init__(self) -> None:
        rows = load_rows()
        rng = np.random.default_rng(24)
        self.lists = {
            str(i): [
                replace(to_track(rows[int(r)]), spotify_id=f"{int(r):022d}")
                for r in rng.choice(len(rows), TRACKS, replace=False)
            ]
            for i in range(PLAYLISTS)
        }

    async def fetch(self, ref: PlaylistRef, progress) -> Playlist:
        return Playlist(ref, f"mix {ref.id}", list(self.lists[ref.id]), "v1")

    async def snapshot(self, ref: PlaylistRef) -> str:
        return "v1"

    async def enrich(self, tracks, progress) -> int:
        return 0


def figures(times: list[float]) -> str:
    ms = [t * 1000 for t in times]
    return f"{statistics.median(ms):7.0f} ms  (min {min(ms):.0f}, max {max(ms):.0f})"


async def main(runs: int) -> None:
    source = Source()

    def build(settings, web, cache) -> Pipeline:
        return Pipeline(sources={"deezer": source}, providers=[source], cache=cache)

    with tempfile.TemporaryDirectory() as folder:
        async with world(Path(folder), pipeline_factory=build) as w:
            members = [w.owner, w.stranger, w.moderator]
            members += [w.guild.add_member(w.env.create_user(f"m{i}")) for i in range(7)]
            for i, member in enumerate(members):
                link = f"https://www.deezer.com/playlist/{i}"
                await member.slash(w.channel, "taste share", link=link)
            await w.owner.slash(w.channel, "taste map")  # warm-up
            maps, helps = [], []
            for _ in range(runs):
                start = time.perf_counter()
                result = await w.owner.slash(w.channel, "taste map")
                maps.append(time.perf_counter() - start)
                assert result.response.embeds[0].footer.text.startswith("5,000 of 5,000")
                start = time.perf_counter()
                await w.owner.slash(w.channel, "help")
                helps.append(time.perf_counter() - start)
    print(f"/taste map, {PLAYLISTS} shared playlists x {TRACKS} tracks, {runs} runs")
    print(f"  /taste map (cached features)   {figures(maps)}")
    print(f"  baseline: /help                {figures(helps)}")


if __name__ == "__main__":
    limit_native_threads(native_threads(0, 2))  # as run_bot does at default settings
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
