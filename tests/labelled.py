"""Real labelled playlists for benchmarks/quality.py and its CI test (no network).

Four independent sources of real tracks with real audio features and a genre each
(``tests/data/labelled``; sources and licences in the README there):

- ``tidytuesday``: TidyTuesday 2020-01-21 Spotify songs (Spotify features, playlist
  subgenres). THE TUNING SOURCE: the method of choosing k and every constant of it
  were chosen on this one only.
- ``music-genre``: a Kaggle "music genre classification" export (Spotify features,
  11 genres such as metal, bollywood, instrumental, hip hop).
- ``fma``: the Free Music Archive's Echo Nest features with fma_small's top genres
  (eight features, no loudness).
- ``spotify-features``: a partial copy of the Kaggle "Spotify Tracks DB" (Spotify
  features, six genres that overlap a lot).

A playlist is a mix of genres of one source, ``per_label`` random tracks per genre,
shuffled, so its true grouping is known.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.model import PROVIDER_AUDIO_FEATURES, Playlist, PlaylistRef, Track

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "labelled"
FIXTURE = DATA / "spotify_songs_sample.csv"
FMA_FEATURES = (
    "acousticness",
    "danceability",
    "energy",
    "instrumentalness",
    "liveness",
    "speechiness",
    "tempo",
    "valence",
)


def load_rows(path: Path = FIXTURE) -> list[dict[str, str]]:
    """The fixture's rows as dicts (UTF-8, header names as in the original data)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def to_track(row: dict[str, str]) -> Track:
    """One TidyTuesday row as the pipeline would see a track with provider audio features."""
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


def _music_genre_track(row: dict[str, str]) -> Track:
    return Track(
        id=f"mg{row['row']}",
        title=f"track {row['row']}",
        artists=(row["artist"],),
        popularity=float(row["popularity"]),
        audio={name: float(row[name]) for name in PROVIDER_AUDIO_FEATURES},
        audio_provider="csv",
    )


def _fma_track(row: dict[str, str]) -> Track:
    return Track(
        id=f"fma{row['track_id']}",
        title=f"FMA track {row['track_id']}",
        audio={name: float(row[name]) for name in FMA_FEATURES},
        audio_provider="csv",
    )


def _spotify_features_track(row: dict[str, str]) -> Track:
    return Track(
        id=f"sf{row['row']}",
        title=row["track"],
        artists=(row["artist"],),
        duration_ms=int(row["duration_ms"]),
        popularity=float(row["popularity"]),
        audio={name: float(row[name]) for name in PROVIDER_AUDIO_FEATURES},
        audio_provider="csv",
    )


@dataclass(frozen=True, slots=True)
class Source:
    """One labelled source: its file, the label column and how a row becomes a Track."""

    name: str
    file: str
    column: str
    track: Callable[[dict[str, str]], Track]
    tuning: bool = False

    @property
    def path(self) -> Path:
        return DATA / self.file

    def available(self) -> bool:
        return self.path.is_file()

    def pool(self) -> list[tuple[str, Track]]:
        """(label, track) for every row of the source's fixture."""
        return [(row[self.column], self.track(row)) for row in load_rows(self.path)]


SOURCES: tuple[Source, ...] = (
    Source("tidytuesday", "spotify_songs_sample.csv", "playlist_subgenre", to_track, True),
    Source("music-genre", "music_genre_sample.csv", "genre", _music_genre_track),
    Source("fma", "fma_echonest_sample.csv", "genre_top", _fma_track),
    Source("spotify-features", "spotify_features_sample.csv", "genre", _spotify_features_track),
)


def sample_labels(
    pool: list[tuple[str, Track]], labels: tuple[str, ...], seed: int, per_label: int, name: str
) -> tuple[Playlist, np.ndarray]:
    """A shuffled playlist of ``per_label`` random tracks per label, and the true labels."""
    rng = np.random.default_rng(seed)
    picked: list[tuple[Track, int]] = []
    for index, label in enumerate(labels):
        tracks = [t for lab, t in pool if lab == label]
        for i in rng.choice(len(tracks), size=min(per_label, len(tracks)), replace=False):
            picked.append((tracks[int(i)], index))
    order = rng.permutation(len(picked))
    tracks = [picked[i][0] for i in order]
    truth = np.array([picked[i][1] for i in order])
    return Playlist(PlaylistRef("csv", f"{name}-{seed}"), name, tracks, "s"), truth


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
