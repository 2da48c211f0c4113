"""What the map's axes can show: the automatic projection or any plottable feature (pure).

A map axis is either the projection's own axis (``None``) or one feature column of
the analysis, plotted in its own units (BPM, dB, 0..1, minutes, year) so the ticks
mean something. Multi-hot columns (genres, title scripts) and yes/no columns are not
offered: as an axis they would be two lines of dots.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.analysis.vocabulary import column_label
from bot.model import Analysis, Track

#: A select menu holds 25 options; one is "automatic".
MAX_AXIS_CHOICES = 24
#: Two-valued columns: nothing to spread along an axis.
BINARY_COLUMNS = frozenset({"explicit", "mode"})
UNITS: dict[str, str] = {
    "tempo": "BPM",
    "loudness": "dB",
    "rms_db": "dBFS",
    "duration": "min",
    "spectral_centroid": "Hz",
    "spectral_rolloff": "Hz",
    "spectral_contrast": "dB",
    "onset_rate": "per s",
}
METADATA_AXES = ("release_year", "duration", "popularity")


def axis_choices(columns: Sequence[str]) -> list[str]:
    """The feature columns a map axis may show, in the analysis' column order."""
    plottable = [c for c in columns if ":" not in c and c not in BINARY_COLUMNS]
    return plottable[:MAX_AXIS_CHOICES]


def axis_label(column: str) -> str:
    """'tempo (BPM)', 'energy', 'release year'."""
    unit = UNITS.get(column)
    label = column_label(column)
    return f"{label} ({unit})" if unit else label


def _metadata_value(track: Track, column: str) -> float | None:
    if column == "release_year":
        return None if track.release_year is None else float(track.release_year)
    if column == "duration":
        return None if track.duration_ms is None else track.duration_ms / 60_000
    if column == "popularity":
        return track.popularity
    return None


def axis_values(tracks: Sequence[Track], family: str, column: str) -> np.ndarray:
    """Each track's value of ``column`` in its own units; NaN where a track has none."""
    values = np.full(len(tracks), np.nan)
    for row, track in enumerate(tracks):
        if column in METADATA_AXES:
            value = _metadata_value(track, column)
        else:
            features = track.preview_features if family == "preview" else track.audio
            value = (features or {}).get(column)
        if value is not None:
            values[row] = float(value)
    return values


@dataclass(frozen=True, slots=True)
class MapData:
    """Points of a map, the labels of the tracks shown, the axis names, and how many
    tracks had no value on a chosen feature (left out of the picture)."""

    points: np.ndarray
    labels: np.ndarray
    x_label: str
    y_label: str
    missing: int
    features: bool


def map_data(analysis: Analysis, x: str | None, y: str | None) -> MapData:
    """The positions of the map whose axes are ``x`` and ``y`` (None: the projection's)."""
    tracks = analysis.playlist.tracks
    family = analysis.features.family
    labels = np.asarray(analysis.labels)
    columns = []
    names = []
    for axis, column in enumerate((x, y)):
        if column is None:
            columns.append(np.asarray(analysis.points, dtype=float)[:, axis])
            names.append(analysis.x_label if axis == 0 else analysis.y_label)
        else:
            columns.append(axis_values(tracks, family, column))
            names.append(axis_label(column))
    points = np.column_stack(columns) if tracks else np.zeros((0, 2))
    known = ~np.isnan(points).any(axis=1) if len(points) else np.zeros(0, dtype=bool)
    return MapData(
        points=points[known],
        labels=labels[known] if len(labels) == len(known) else labels,
        x_label=names[0],
        y_label=names[1],
        missing=int((~known).sum()),
        features=x is not None or y is not None,
    )
