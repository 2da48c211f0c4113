"""Sound first: metadata refines the sound families but never merges or splits them."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import adjusted_rand_score

from bot.analysis.clustering import cluster_tracks
from bot.analysis.features import build_feature_table
from bot.model import Track

#: Club, acoustic and rap: three sound families far apart in Spotify's features.
FAMILIES = (
    {"danceability": 0.8, "energy": 0.9, "acousticness": 0.03, "speechiness": 0.05,
     "instrumentalness": 0.6, "tempo": 126.0, "loudness": -4.0, "valence": 0.5},
    {"danceability": 0.4, "energy": 0.2, "acousticness": 0.9, "speechiness": 0.04,
     "instrumentalness": 0.1, "tempo": 90.0, "loudness": -14.0, "valence": 0.3},
    {"danceability": 0.75, "energy": 0.6, "acousticness": 0.15, "speechiness": 0.35,
     "instrumentalness": 0.0, "tempo": 150.0, "loudness": -6.0, "valence": 0.55},
)  # fmt: skip
TITLES = ("Night Drive", "夜に駆ける", "白月光与朱砂痣", "사랑해요", "עושה לי צרות", "ก่อนฤดูฝน")


def family_playlist(seed: int, per_family: int = 40) -> tuple[list[Track], np.ndarray]:
    """Three sound families; scripts, years and durations independent of the family."""
    rng = np.random.default_rng(seed)
    tracks, truth = [], []
    for family, centre in enumerate(FAMILIES):
        for i in range(per_family):
            audio = {
                k: float(
                    v + rng.normal(0, 4.0 if k == "tempo" else 0.8 if k == "loudness" else 0.05)
                )
                for k, v in centre.items()
            }
            tracks.append(
                Track(
                    id=f"f{family}t{i}",
                    title=f"{TITLES[int(rng.integers(0, len(TITLES)))]} {i}",
                    release_year=int(rng.integers(1960, 2026)),
                    duration_ms=int(rng.integers(90, 600) * 1000),
                    explicit=bool(rng.random() < 0.3),
                    popularity=float(rng.integers(0, 100)),
                    audio=audio,
                    audio_provider="csv",
                )
            )
            truth.append(family)
    order = rng.permutation(len(tracks))
    return [tracks[i] for i in order], np.array(truth)[order]


def cluster(tracks: list[Track], **options: float) -> tuple[int, np.ndarray]:
    table = build_feature_table(tracks, **options)
    result = cluster_tracks(table.matrix, lead_columns=table.lead_columns)
    return result.k, result.labels


def test_three_sound_families_whatever_the_scripts_years_and_durations() -> None:
    for seed in range(4):
        tracks, truth = family_playlist(seed)
        k, labels = cluster(tracks)  # the default METADATA_WEIGHT (0.5)
        assert k == 3
        assert adjusted_rand_score(truth, labels) >= 0.9


def test_heavier_metadata_still_cannot_merge_the_families() -> None:
    tracks, truth = family_playlist(7)
    k, labels = cluster(tracks, metadata_weight=1.0)
    assert k == 3 and adjusted_rand_score(truth, labels) >= 0.9


def test_titles_without_letters_are_neutral() -> None:
    tracks, _ = family_playlist(3)
    for i, t in enumerate(tracks[:40]):
        t.title = ("20", "1922", "404", "7/11")[i % 4]
    table = build_feature_table(tracks)
    for j, column in enumerate(table.columns):
        if column.startswith("script:"):
            assert np.all(table.matrix[:40, j] == 0.0)


def test_one_stray_script_does_not_join() -> None:
    tracks, _ = family_playlist(4)
    for t in tracks:
        t.title = "Plain Latin title"
    tracks[0].title = "夜に駆ける"
    table = build_feature_table(tracks)
    assert not [c for c in table.columns if c.startswith("script:")]


def test_outlier_years_and_durations_are_clipped() -> None:
    tracks, _ = family_playlist(5)
    tracks[0].release_year = 0
    tracks[1].duration_ms = 10**15
    table = build_feature_table(tracks)
    scaled = dict(zip(table.columns, table.scaled.T, strict=True))
    assert np.abs(scaled["release_year"]).max() < 3
    assert np.abs(scaled["duration"]).max() < 3
