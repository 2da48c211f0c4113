"""How much playlists overlap in sound: a 0-100 score from nearest neighbours (pure).

All playlists being compared are put in one feature space (the lead audio columns of
:func:`bot.analysis.features.build_feature_table` on all their tracks together). For
two playlists A and B, every track of A looks at its ``k`` nearest tracks among A and
B together (itself left out) and counts how many belong to B; and the same from B's
side. If A and B were two random halves of one playlist, a track of A would find B's
tracks among its neighbours in proportion to B's size: |B| / (|A| + |B| - 1). The
score is the observed share divided by that expected share, averaged over both
sides, capped at 1 and shown as 0..100: 100 means "as mixed as two halves of one
playlist", 0 means no track of either has a neighbour in the other. docs/taste.md
explains the choice and gives the validation figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Neighbours each track looks at (fewer when the two playlists are smaller).
K_NEIGHBOURS = 10
#: A playlist needs at least this many tracks with features to be scored.
MIN_TRACKS = 3
#: Rows per block of distances (bounds memory: 2,048 x 500 doubles = 8 MB).
_BLOCK = 2048


@dataclass(frozen=True, slots=True)
class NearestByGroup:
    """Per playlist p, every track's distances to p's ``k`` nearest tracks, sorted.

    ``distances[p]`` has shape (n, k) over all n rows; a row of p does not count
    itself; slots past p's size are ``inf``. ``groups[i]`` is row i's playlist.
    """

    distances: list[np.ndarray]
    groups: np.ndarray
    k: int


def _nearest_in(matrix: np.ndarray, norms: np.ndarray, members: np.ndarray, k: int) -> np.ndarray:
    """Sorted distances of every row to its ``k`` nearest ``members`` (itself excluded)."""
    n = matrix.shape[0]
    out = np.full((n, k), np.inf)
    width = min(k, len(members))
    target = np.ascontiguousarray(matrix[members].T)
    member_norms = norms[members][None, :]
    for start in range(0, n, _BLOCK):
        rows = slice(start, min(n, start + _BLOCK))
        sq = matrix[rows] @ target  # in place from here: no temporaries of this size
        sq *= -2.0
        sq += norms[rows, None]
        sq += member_norms
        np.maximum(sq, 0.0, out=sq)
        inside = (members >= rows.start) & (members < rows.stop)
        sq[members[inside] - rows.start, np.flatnonzero(inside)] = np.inf  # not itself
        if width < len(members):
            sq = np.partition(sq, width - 1, axis=1)[:, :width]
        out[rows, : sq.shape[1]] = np.sqrt(np.sort(sq, axis=1))
    return out


def nearest_by_group(
    matrix: np.ndarray, groups: np.ndarray, count: int, k: int = K_NEIGHBOURS
) -> NearestByGroup:
    """The distances to the ``k`` nearest rows of each of ``count`` groups, for every row.

    ``matrix`` has shape (n, d); ``groups[i]`` in 0..count-1 is row i's playlist.
    Exact Euclidean distances by blocks of matrix products and a partial sort, once
    per group (not per pair): for 10 playlists of 500 tracks, 10 passes over 5,000.
    """
    groups = np.asarray(groups)
    norms = np.einsum("ij,ij->i", matrix, matrix)
    distances = []
    for group in range(count):
        members = np.flatnonzero(groups == group)
        if len(members) and matrix.shape[1]:
            distances.append(_nearest_in(matrix, norms, members, k))
        else:
            distances.append(np.full((matrix.shape[0], k), np.inf))
    return NearestByGroup(distances, groups, k)


def share_near_other(near: NearestByGroup, a: int, b: int) -> np.ndarray:
    """For each track of ``a``: the share of its k nearest tracks in a ∪ b that are b's."""
    rows = np.flatnonzero(near.groups == a)
    size = len(rows) + int(np.sum(near.groups == b)) - 1
    k = min(near.k, size)
    if not len(rows) or k <= 0:
        return np.zeros(len(rows))
    own = near.distances[a][rows]
    other = near.distances[b][rows]
    both = np.sort(np.concatenate([own, other], axis=1), axis=1)
    # Ties at the k-th distance (a track in both playlists, repeated values) are
    # shared in proportion, so identical playlists mix exactly like two halves.
    edge = both[:, k - 1 : k]
    below_all = np.sum(both < edge, axis=1)
    below_other = np.sum(other < edge, axis=1)
    tied_all = np.sum(both == edge, axis=1)
    tied_other = np.sum(other == edge, axis=1)
    found = below_other + (k - below_all) * tied_other / np.maximum(tied_all, 1)
    return found / k


def pair_score(near: NearestByGroup, a: int, b: int) -> float | None:
    """Overlap of playlists ``a`` and ``b`` in sound, 0..100; None if either is too small."""
    n_a = int(np.sum(near.groups == a))
    n_b = int(np.sum(near.groups == b))
    if n_a < MIN_TRACKS or n_b < MIN_TRACKS:
        return None
    ratios = []
    for one, other, n_one, n_other in ((a, b, n_a, n_b), (b, a, n_b, n_a)):
        expected = n_other / (n_one + n_other - 1)
        ratios.append(float(share_near_other(near, one, other).mean()) / expected)
    return round(100.0 * min(1.0, sum(ratios) / 2), 1)


def score_matrix(near: NearestByGroup) -> np.ndarray:
    """Symmetric (g, g) scores; NaN where a playlist is too small; 100 on the diagonal."""
    count = len(near.distances)
    scores = np.full((count, count), np.nan)
    for a in range(count):
        scores[a, a] = 100.0
        for b in range(a + 1, count):
            value = pair_score(near, a, b)
            if value is not None:
                scores[a, b] = scores[b, a] = value
    return scores


def closeness_to(
    near: NearestByGroup, a: int, b: int, count: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``a`` and their mean distance to b's ``count`` nearest tracks, closest first.

    A few neighbours rather than all ``k``: a track next to a small corner of b's
    music is close to it, even if most of b is elsewhere.
    """
    rows = np.flatnonzero(near.groups == a)
    d = near.distances[b][rows][:, :count]
    if not d.size or not np.isfinite(d[:, 0]).any():
        return rows[:0], np.zeros(0)
    mean = np.nanmean(np.where(np.isfinite(d), d, np.nan), axis=1)
    order = np.argsort(mean, kind="stable")
    return rows[order], mean[order]
