"""Shared test helpers: synthetic playlists and the bundled sample."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.model import Playlist, PlaylistRef, Track

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CSV = ROOT / "samples" / "international_pop_synthetic_features.csv"
REFERENCE_PAGE = ROOT / "tests" / "data" / "reference_page.md"


def blob_playlist(
    sizes: tuple[int, ...] = (40, 30, 20), seed: int = 1
) -> tuple[Playlist, np.ndarray]:
    """A playlist of well-separated audio-feature groups and the true group of each track."""
    rng = np.random.default_rng(seed)
    centres = [
        {
            "danceability": 0.85,
            "energy": 0.85,
            "valence": 0.8,
            "acousticness": 0.05,
            "tempo": 128.0,
        },
        {"danceability": 0.35, "energy": 0.2, "valence": 0.2, "acousticness": 0.9, "tempo": 75.0},
        {"danceability": 0.5, "energy": 0.95, "valence": 0.4, "acousticness": 0.02, "tempo": 175.0},
        {"danceability": 0.6, "energy": 0.5, "valence": 0.9, "acousticness": 0.5, "tempo": 100.0},
    ]
    tracks: list[Track] = []
    truth: list[int] = []
    for group, size in enumerate(sizes):
        for i in range(size):
            audio = {
                key: float(value + rng.normal(0, 4.0 if key == "tempo" else 0.04))
                for key, value in centres[group].items()
            }
            tracks.append(
                Track(
                    id=f"g{group}t{i}",
                    title=f"Track {group}-{i}",
                    artists=(f"Artist {i % 7}",),
                    audio=audio,
                    audio_provider="csv",
                )
            )
            truth.append(group)
    order = rng.permutation(len(tracks))
    playlist = Playlist(
        PlaylistRef("csv", "blobs.csv"), "Blobs", [tracks[i] for i in order], "snap"
    )
    return playlist, np.array(truth)[order]


@pytest.fixture
def sample_csv() -> Path:
    return SAMPLE_CSV
