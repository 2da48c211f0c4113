"""Storage figures: loading a cached 10,000-track analysis, and bytes per 1,000 tracks.

    python benchmarks/storage.py [--tracks 10000] [--repeat 30]

Prints:
- the time for a cached analysis to be loaded and ready to send (``get_analysis``:
  read, decompress, rebuild every Track, PNG in hand); target under 50 ms. Wall time
  depends on what else the machine runs, so the CPU time is printed too;
- the same through the public JSON document (``from_document``), for comparison;
- the time to store it;
- database bytes per 1,000 cached tracks for an analysis (PNG included), a playlist
  and track features, measured as growth of the checkpointed file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.model import (
    PROVIDER_AUDIO_FEATURES,
    AnalysisOptions,
    Playlist,
    PlaylistRef,
    Track,
    analysis_key,
)
from bot.pipeline.runner import compute_analysis
from bot.render.document import from_document, to_document
from storage.database import Database

WORDS = ("love", "night", "夜", "city", "사랑", "אור", "ฝน", "fire", "dream", "🎧", "blue", "home")


def make_playlist(n: int, seed: int = 0) -> Playlist:
    """A Spotify-like playlist of ``n`` tracks with realistic field lengths."""
    rng = random.Random(seed)
    tracks = []
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEF"
    for _ in range(n):
        track_id = "".join(rng.choice(alphabet) for _ in range(22))
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))).title()
        tracks.append(
            Track(
                id=track_id,
                title=title,
                artists=tuple(
                    f"Artist {rng.randrange(3000)}" for _ in range(rng.choice((1, 1, 2)))
                ),
                album=f"Album {rng.randrange(5000)} {rng.choice(WORDS)}",
                label=f"Label {rng.randrange(300)} Records",
                url=f"https://open.spotify.com/track/{track_id}",
                image=f"https://i.scdn.co/image/ab67616d0000b273{rng.getrandbits(96):024x}",
                liked=rng.random() < 0.3,
                isrc=f"USRC1{rng.randrange(10**7):07d}",
                spotify_id=track_id,
                release_year=rng.randint(1960, 2025),
                duration_ms=rng.randint(120_000, 360_000),
                explicit=rng.random() < 0.2,
                popularity=float(rng.randint(0, 100)),
                genres=tuple(rng.sample(("pop", "rock", "k-pop", "latin", "edm", "jazz"), 2)),
                audio={name: rng.random() for name in PROVIDER_AUDIO_FEATURES},
                audio_provider="spotify",
            )
        )
    return Playlist(
        ref=PlaylistRef("spotify", "37i9dQZF1DXcBWIGoYBM5M"),
        name="Benchmark",
        tracks=tracks,
        snapshot="MTcwMDAwMDAwMCwwMDAwMDAwMDAwMDAw",
    )


async def file_growth(path: Path, action) -> int:  # type: ignore[no-untyped-def]
    """Bytes the checkpointed file grows by while ``action(db)`` runs."""
    async with await Database.open(path) as db:
        await db.reclaim_space()
        before = await db.file_bytes()
        await action(db)
        await db.reclaim_space()
        return await db.file_bytes() - before


def summary(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"median {statistics.median(ms):.1f} ms, min {ms[0]:.1f} ms, p95 {p95:.1f} ms"


async def main(n: int, repeat: int) -> None:
    print(f"Building and analysing a {n:,}-track playlist…", flush=True)
    playlist = make_playlist(n)
    started = time.perf_counter()
    analysis = compute_analysis(playlist, AnalysisOptions())
    print(
        f"  analysis computed in {time.perf_counter() - started:.2f} s "
        f"({len(analysis.clusters)} clusters, PNG {len(analysis.png) / 1e3:.0f} kB)"
    )
    key = analysis_key(playlist, analysis.options)

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        async with await Database.open(path) as db:
            stores = []
            for _ in range(3):
                started = time.perf_counter()
                await db.cache.put_analysis(key, analysis)
                stores.append(time.perf_counter() - started)
        async with await Database.open(path) as db:  # fresh process state: nothing in memory
            started = time.perf_counter()
            first = await db.cache.get_analysis(key)
            cold = time.perf_counter() - started
            assert first is not None and to_document(first) == to_document(analysis)
            loads, cpu = [], []
            for _ in range(repeat):
                started, cpu_started = time.perf_counter(), time.process_time()
                cached = await db.cache.get_analysis(key)
                loads.append(time.perf_counter() - started)
                cpu.append(time.process_time() - cpu_started)
                assert cached is not None and cached.png
                del cached  # freeing the previous result is not part of the next load
            # the same playlist as if its features came from preview audio (~40 per track)
            rng = random.Random(1)
            for track in analysis.playlist.tracks:
                track.preview_features = {f"feature_{j}": rng.gauss(0, 1) for j in range(40)}
            await db.cache.put_analysis("preview", analysis)
            previews = []
            for _ in range(max(3, repeat // 3)):
                started = time.perf_counter()
                cached = await db.cache.get_analysis("preview")
                previews.append(time.perf_counter() - started)
                assert cached is not None
                del cached
            for track in analysis.playlist.tracks:
                track.preview_features = None
        document = json.dumps(to_document(analysis), ensure_ascii=False)
        via_json = []
        for _ in range(max(3, repeat // 5)):
            started = time.perf_counter()
            rebuilt = from_document(json.loads(document), analysis.png)
            via_json.append(time.perf_counter() - started)
            del rebuilt

        per_k = 1000 / n
        analysis_bytes = await file_growth(
            Path(folder) / "a.db", lambda db: db.cache.put_analysis(key, analysis)
        )
        playlist_bytes = await file_growth(
            Path(folder) / "p.db", lambda db: db.cache.put_playlist(playlist)
        )
        feature_bytes = await file_growth(
            Path(folder) / "f.db",
            lambda db: db.cache.put_features(
                "spotify", {t.id: t.audio or {} for t in playlist.tracks}, "reccobeats", 1
            ),
        )

    print(f"\nCached {n:,}-track analysis, loaded and ready to send (get_analysis):")
    print(f"  first load after opening: {cold * 1000:.1f} ms")
    print(f"  {repeat} loads: {summary(loads)}   (target < 50 ms)")
    print(f"  CPU time per load (all threads): {summary(cpu)}")
    print(f"  with 40 preview-audio features per track as well: {summary(previews)}")
    print(f"  through the JSON document instead: {summary(via_json)}")
    print(f"  storing it: {summary(stores)}")
    print("\nDatabase size per 1,000 cached tracks:")
    print(
        f"  analysis (document + PNG): {analysis_bytes * per_k / 1e3:8.1f} kB"
        f"   (PNG alone {len(analysis.png) * per_k / 1e3:.1f} kB)"
    )
    print(f"  playlist with its tracks:  {playlist_bytes * per_k / 1e3:8.1f} kB")
    print(f"  track features:            {feature_bytes * per_k / 1e3:8.1f} kB")
    total = (analysis_bytes + playlist_bytes + feature_bytes) * per_k
    print(f"  all three:                 {total / 1e3:8.1f} kB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    asyncio.run(main(args.tracks, args.repeat))
