"""Tracks like this one: nearest neighbours in the analysis' feature space (pure).

Distances are measured in the weighted, standardised matrix the clustering used,
so "near" means what it meant for the clusters. What makes two tracks close is told
by the features on which both sit on the same side of the playlist's average, well
away from it, and near each other: two tracks that are both average are close too,
but that says nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Both tracks at least this many standard deviations from the playlist's mean ...
SHARED_MIN = 0.5
#: ... and at most this far apart, for a feature to count as what they share.
SHARED_MAX_GAP = 0.6
REASONS = 3
NEIGHBOURS = 10


@dataclass(frozen=True, slots=True)
class Neighbour:
    """A near track: its position in the playlist, its distance, and what it shares:
    ``(column, above)`` pairs, strongest first (``above``: both above the average)."""

    index: int
    distance: float
    shared: tuple[tuple[str, bool], ...]


def shared_traits(
    scaled: np.ndarray, columns: list[str], a: int, b: int, limit: int = REASONS
) -> tuple[tuple[str, bool], ...]:
    """The features on which tracks ``a`` and ``b`` stand out together, strongest first."""
    za, zb = scaled[a], scaled[b]
    same_side = np.sign(za) == np.sign(zb)
    strength = np.minimum(np.abs(za), np.abs(zb))
    gap = np.abs(za - zb)
    ok = same_side & (strength >= SHARED_MIN) & (gap <= SHARED_MAX_GAP)
    score = strength - gap
    order = [i for i in np.argsort(-score, kind="stable") if ok[i]]
    return tuple((columns[i], bool(za[i] > 0)) for i in order[:limit])


def nearest(
    matrix: np.ndarray,
    scaled: np.ndarray,
    columns: list[str],
    index: int,
    count: int = NEIGHBOURS,
) -> list[Neighbour]:
    """The ``count`` tracks nearest to track ``index`` (itself excluded), nearest first.

    ``matrix`` is the weighted matrix (distances), ``scaled`` the unweighted
    standardised one (what is shared); both have one row per track in playlist order.
    Ties keep playlist order.
    """
    n = matrix.shape[0]
    if not 0 <= index < n:
        raise IndexError(f"track {index} is not in the playlist ({n} tracks)")
    distances = np.sqrt(((matrix - matrix[index]) ** 2).sum(axis=1))
    distances[index] = np.inf
    order = np.argsort(distances, kind="stable")[: min(count, n - 1)]
    return [
        Neighbour(int(j), float(distances[j]), shared_traits(scaled, columns, index, int(j)))
        for j in order
    ]
