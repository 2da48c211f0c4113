"""Builders shared by the storage tests: real playlists and analyses, no mocks."""

from __future__ import annotations

import random
import sys
from pathlib import Path

from bot.model import (
    PROVIDER_AUDIO_FEATURES,
    Analysis,
    AnalysisOptions,
    Playlist,
    PlaylistRef,
    Track,
)
from bot.pipeline import compute_analysis
from bot.sources.csvfile import parse_playlist_csv

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CSV = ROOT / "samples" / "international_pop_synthetic_features.csv"
#: The crash/concurrency writer process (see crash_writer.py), run from the repository root.
WRITER = [sys.executable, "-m", "tests.storage.crash_writer"]

#: Titles in several scripts: they must survive the cache byte for byte.
TITLES = ("夜に駆ける", "稻香", "שיר לשלום", "ใจเย็น", "Ünïcödé 🎧💚", "Plain title")


def sample_playlist() -> Playlist:
    """The bundled sample CSV, read by the real CSV source."""
    return parse_playlist_csv(
        SAMPLE_CSV.read_bytes(), name="International Pop", ref_id=SAMPLE_CSV.name
    )


def synthetic_playlist(
    n: int,
    *,
    seed: int = 0,
    source: str = "spotify",
    playlist_id: str = "synthetic",
    snapshot: str = "",
) -> Playlist:
    """``n`` tracks with provider audio features in two loose groups, titles in many scripts."""
    rng = random.Random(seed)
    tracks = []
    for i in range(n):
        group = i % 2
        tracks.append(
            Track(
                id=f"{seed:04d}{i:018d}",
                title=f"{TITLES[i % len(TITLES)]} {i}",
                artists=(f"Artist {i % 37}", "Guest ✨") if i % 5 == 0 else (f"Artist {i % 37}",),
                album=f"Album {i % 11}",
                label="Label ‘quoted’",
                url=f"https://open.spotify.com/track/{seed:04d}{i:018d}",
                liked=bool(i % 3 == 0),
                release_year=1990 + i % 30,
                duration_ms=180_000 + 1000 * (i % 60),
                genres=("pop", "k-pop") if group else ("rock",),
                preview_url=f"https://cdnt-preview.dzcdn.net/{i}.mp3",
                audio={
                    name: rng.gauss(0.3 + 0.4 * group, 0.08) for name in PROVIDER_AUDIO_FEATURES
                },
                audio_provider="spotify",
            )
        )
    return Playlist(
        ref=PlaylistRef(source, playlist_id),  # type: ignore[arg-type]
        name=f"Synthetic {n} ✨",
        tracks=tracks,
        snapshot=snapshot or f"snap-{seed}-{n}",
        owner="Owner",
        skipped={"local file": 2},
    )


def analyse(playlist: Playlist, k: int | None = None, *, png: bool = True) -> Analysis:
    """The real pipeline's analysis of ``playlist``."""
    return compute_analysis(playlist, AnalysisOptions(k=k), render_png=png)
