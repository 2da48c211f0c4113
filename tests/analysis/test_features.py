"""The feature table: which family leads, what is dropped, how metadata is weighted."""

from __future__ import annotations

import numpy as np

from bot.analysis.features import build_feature_table, choose_family
from bot.analysis.scripts import title_script
from bot.model import Track


def track(i: int, **kwargs: object) -> Track:
    return Track(id=str(i), title=f"t{i}", artists=("a",), **kwargs)  # type: ignore[arg-type]


def test_provider_features_lead_and_preview_features_are_never_mixed_in() -> None:
    tracks = [
        track(
            i,
            audio={"energy": i / 10, "tempo": 100 + i},
            audio_provider="reccobeats",
            preview_features={"rms_db": -10.0 - i, "spectral_centroid": 1000.0 + i},
        )
        for i in range(10)
    ]
    table = build_feature_table(tracks)
    assert table.family == "provider"
    assert {"energy", "tempo"} <= set(table.columns)
    assert not {"rms_db", "spectral_centroid"} & set(table.columns)
    assert table.providers == {"reccobeats": 10}


def test_preview_features_lead_when_providers_cover_too_few() -> None:
    tracks = [
        track(i, preview_features={"rms_db": -float(i), "spectral_centroid": 900.0 + 30 * i})
        for i in range(10)
    ]
    tracks[0].audio = {"energy": 0.5, "tempo": 120.0}
    assert choose_family(tracks) == "preview"
    table = build_feature_table(tracks)
    assert "energy" not in table.columns and "rms_db" in table.columns


def test_metadata_only_when_no_audio_family_covers_most_tracks() -> None:
    tracks = [track(i, release_year=1990 + i, duration_ms=200_000 + i * 1000) for i in range(8)]
    table = build_feature_table(tracks)
    assert table.family == "metadata"
    assert "release_year" in table.columns
    assert table.weights[table.columns.index("release_year")] == 1.0


def test_columns_missing_for_most_tracks_are_dropped_and_gaps_imputed() -> None:
    tracks = [
        track(i, audio={"energy": i / 10, **({"tempo": 120.0 + i} if i < 3 else {})})
        for i in range(10)
    ]
    table = build_feature_table(tracks)
    assert "tempo" not in table.columns and "tempo" in table.dropped
    assert not np.isnan(table.matrix).any()


def test_metadata_weighs_less_than_audio_and_popularity_least() -> None:
    tracks = [
        track(i, audio={"energy": i / 10}, release_year=2000 + i, popularity=float(i * 7))
        for i in range(10)
    ]
    table = build_feature_table(tracks, metadata_weight=0.5)
    weight = dict(zip(table.columns, table.weights, strict=True))
    assert weight["energy"] == 1.0
    assert weight["release_year"] == 0.5
    assert weight["popularity"] == 0.25


def test_genres_are_a_bounded_multi_hot() -> None:
    genres = [f"g{j}" for j in range(20)]
    tracks = [
        track(i, audio={"energy": i / 30}, genres=(genres[i % 20], genres[(i + 1) % 20]))
        for i in range(30)
    ]
    table = build_feature_table(tracks)
    genre_cols = [c for c in table.columns if c.startswith("genre:")]
    assert 0 < len(genre_cols) <= 8


def test_title_scripts() -> None:
    assert title_script("脳裏上のクラッカー") == "Japanese"
    assert title_script("白月光与朱砂痣") == "Han"
    assert title_script("עושה לי צרות") == "Hebrew"
    assert title_script("ก่อนฤดูฝน") == "Thai"
    assert title_script("Tout oublier") == "Latin"
    assert title_script("404 !!") is None
