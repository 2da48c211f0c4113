"""Group tracks with k-means, choosing k by silhouette when the user did not (pure).

Deterministic: the same matrix and options give the same labels (fixed
``random_state``). Large playlists choose k on a fixed random sample and fit the
final model on every row, so cost stays close to linear in the number of tracks.
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.metrics import silhouette_score

from bot.errors import TooFewTracks
from bot.model import Clustering

#: Rows used to choose k for large playlists, and for each silhouette score.
K_SEARCH_SAMPLE = 2000
SILHOUETTE_SAMPLE = 1500
#: Above this many rows the final fit uses mini-batch k-means.
MINIBATCH_ABOVE = 20_000
#: Playlists smaller than this are shown as one cluster.
MIN_TRACKS_TO_SPLIT = 4


def _relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber labels so 0 is the largest cluster (ties: the one seen first)."""
    values, first, counts = np.unique(labels, return_index=True, return_counts=True)
    order = sorted(range(len(values)), key=lambda i: (-counts[i], first[i]))
    mapping = np.empty(values.max() + 1, dtype=np.int64)
    for new, old in enumerate(order):
        mapping[values[old]] = new
    return mapping[labels]


def _fit(matrix: np.ndarray, k: int, random_state: int) -> np.ndarray:
    if matrix.shape[0] > MINIBATCH_ABOVE:
        model = MiniBatchKMeans(n_clusters=k, random_state=random_state, n_init=3, batch_size=2048)
    else:
        model = KMeans(n_clusters=k, random_state=random_state, n_init=4)
    return model.fit_predict(matrix)


def _distinct_rows(matrix: np.ndarray, cap: int) -> int:
    """How many distinct rows ``matrix`` has, counting no further than ``cap``."""
    sample = matrix[: max(cap * 50, 1000)]
    return min(cap, len(np.unique(np.round(sample, 9), axis=0)))


def cluster_tracks(
    matrix: np.ndarray,
    *,
    k: int | None = None,
    k_min: int = 2,
    k_max: int = 12,
    random_state: int = 0,
) -> Clustering:
    """Cluster the rows of ``matrix`` (shape (n, d)) into ``k`` groups, or the best k.

    Tiny or degenerate inputs give one cluster with a note saying why; a requested k
    above what the data supports is lowered, with a note.
    """
    n = matrix.shape[0]
    if n == 0:
        raise TooFewTracks("There are no usable tracks to cluster.")
    one = np.zeros(n, dtype=np.int64)
    if n < MIN_TRACKS_TO_SPLIT:
        return Clustering(one, 1, None, "single", f"Only {n} track(s): shown as one cluster.")
    if matrix.shape[1] == 0:
        return Clustering(one, 1, None, "single", "No usable features: shown as one cluster.")
    limit = min(k_max if k is None else k, n - 1)
    distinct = _distinct_rows(matrix, limit + 1)
    if distinct < 2:
        return Clustering(
            one, 1, None, "single", "All tracks have identical features: shown as one cluster."
        )
    note = ""
    if k is not None:
        chosen = min(k, distinct, n - 1)
        if chosen == 1:
            return Clustering(one, 1, None, "single", "Too few distinct tracks to split.")
        if chosen < k:
            note = f"Asked for {k} clusters; this playlist supports at most {chosen}."
        labels = _relabel_by_size(_fit(matrix, chosen, random_state))
        return Clustering(labels, chosen, _silhouette(matrix, labels, random_state), "kmeans", note)

    rng = np.random.default_rng(random_state)
    search = matrix
    if n > K_SEARCH_SAMPLE:
        search = matrix[np.sort(rng.choice(n, K_SEARCH_SAMPLE, replace=False))]
    upper = max(k_min, min(k_max, distinct, search.shape[0] - 1, max(2, n // 3)))
    best_k, best_score = k_min, -2.0
    for candidate in range(max(2, k_min), upper + 1):
        labels = KMeans(n_clusters=candidate, random_state=random_state, n_init=2).fit_predict(
            search
        )
        if len(np.unique(labels)) < 2:
            continue
        score = _silhouette(search, labels, random_state)
        if score is not None and score > best_score + 1e-9:
            best_k, best_score = candidate, score
    labels = _relabel_by_size(_fit(matrix, best_k, random_state))
    return Clustering(labels, best_k, _silhouette(matrix, labels, random_state), "kmeans", note)


def _silhouette(matrix: np.ndarray, labels: np.ndarray, random_state: int) -> float | None:
    """Mean silhouette on at most SILHOUETTE_SAMPLE rows; None when undefined."""
    found = len(np.unique(labels))
    if found < 2 or found >= matrix.shape[0]:
        return None
    sample = min(SILHOUETTE_SAMPLE, matrix.shape[0])
    return float(silhouette_score(matrix, labels, sample_size=sample, random_state=random_state))
