"""Real labelled playlists for benchmarks/quality.py and its CI test (no network).

Reads ``tests/data/labelled/spotify_songs_sample.csv`` (2,400 real tracks of the
TidyTuesday 2020-01-21 Spotify songs data, CC0; see the README beside it) and builds
playlists that mix genres: 60 tracks per genre drawn at random per sample, so a mix
of 3 genres is a 180-track playlist whose true grouping is known.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.model import PROVIDER_AUDIO_FEATURES, Playlist, PlaylistRef, Track

FIXTURE = (
    Path(__file__).resolve().parents[1] / "tests" / "data" / "labelled" / "spotify_songs_sample.csv"
)


@dataclass(frozen=True, slots=True)
class Mix:
    """A benchmark playlist recipe: which labels, from which column, how separable."""

    name: str
    column: str  # "playlist_genre" or "playlist_subgenre"
    labels: tuple[str, ...]
    separable: bool  # clearly different genres (the automatic-k target applies)


#: The mixes of the benchmark. The data's six top genres overlap heavily in audio
#: features (plain k-means on 3 of them scores ARI 0.1), so "clearly different"
#: mixes pair subgenres from different genres that sound apart (club, rock, rap).
MIXES: tuple[Mix, ...] = (
    Mix(
        "3 distinct: big room, classic rock, gangster rap",
        "playlist_subgenre",
        ("big room", "classic rock", "gangster rap"),
        True,
    ),
    Mix(
        "3 distinct: big room, classic rock, reggaeton",
        "playlist_subgenre",
        ("big room", "classic rock", "reggaeton"),
        True,
    ),
    Mix(
        "3 distinct: classic rock, gangster rap, progressive electro house",
        "playlist_subgenre",
        ("classic rock", "gangster rap", "progressive electro house"),
        True,
    ),
    Mix(
        "5 genres: one subgenre of each of five genres",
        "playlist_subgenre",
        ("big room", "classic rock", "gangster rap", "neo soul", "reggaeton"),
        False,
    ),
    Mix("6 genres", "playlist_genre", ("edm", "latin", "pop", "r&b", "rap", "rock"), False),
    Mix(
        "4 neighbours: rock subgenres",
        "playlist_subgenre",
        ("album rock", "classic rock", "hard rock", "permanent wave"),
        False,
    ),
)


def load_rows(path: Path = FIXTURE) -> list[dict[str, str]]:
    """The fixture's rows as dicts (UTF-8, header names as in the original data)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def to_track(row: dict[str, str]) -> Track:
    """One fixture row as the pipeline would see a track with provider audio features."""
    return Track(
        id=f"row{row['row']}",
        title=row["track_name"],
        artists=(row["track_artist"],),
        release_year=int(row["year"]) if row["year"].isdigit() else None,
        duration_ms=int(row["duration_ms"]),
        popularity=float(row["popularity"]),
        audio={name: float(row[name]) for name in PROVIDER_AUDIO_FEATURES},
        audio_provider="csv",
    )


def sample_mix(
    rows: list[dict[str, str]], mix: Mix, seed: int, per_label: int = 60
) -> tuple[Playlist, np.ndarray]:
    """A shuffled playlist of ``per_label`` random tracks per label, and the true labels."""
    rng = np.random.default_rng(seed)
    picked: list[tuple[dict[str, str], int]] = []
    for index, label in enumerate(mix.labels):
        pool = [r for r in rows if r[mix.column] == label]
        for i in rng.choice(len(pool), size=min(per_label, len(pool)), replace=False):
            picked.append((pool[int(i)], index))
    order = rng.permutation(len(picked))
    tracks = [to_track(picked[i][0]) for i in order]
    truth = np.array([picked[i][1] for i in order])
    return Playlist(PlaylistRef("csv", f"{mix.name}-{seed}"), mix.name, tracks, "s"), truth


def taste_pairs(
    rows: list[dict[str, str]], column: str, size: int, seed: int
) -> tuple[list[float], list[float], list[tuple[str, str, float]]]:
    """Overlap scores of same-label and different-label playlist pairs on one map.

    Per label two disjoint random playlists of ``size`` tracks (halves ``a`` and
    ``b``) are drawn; all of them go into one comparison (as ``/taste map`` would).
    Returns the same-label scores (a of x with b of x), the different-label scores
    (a of x with b of y, x != y) and every different pair as (x, y, score).
    """
    from bot.analysis.taste import compare_playlists

    rng = np.random.default_rng(seed)
    labels = sorted({r[column] for r in rows})
    playlists: list[list[Track]] = []
    for label in labels:
        pool = [r for r in rows if r[column] == label]
        order = rng.permutation(len(pool))
        for half in range(2):
            chosen = order[half * size : (half + 1) * size]
            playlists.append([to_track(pool[int(i)]) for i in chosen])
    names = [f"{label} {half}" for label in labels for half in "ab"]
    taste = compare_playlists(playlists, names)
    same = [float(taste.scores[2 * x, 2 * x + 1]) for x in range(len(labels))]
    different = [
        (labels[x], labels[y], float(taste.scores[2 * x, 2 * y + 1]))
        for x in range(len(labels))
        for y in range(len(labels))
        if x != y
    ]
    return same, [d[2] for d in different], different
