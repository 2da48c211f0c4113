"""Group tracks with k-means; choose k with the gap statistic when the user did not (pure).

Sound first: k and the sound families are found on the lead columns (the audio
features when they cover the playlist); the other columns (metadata) may then move
tracks between those families but never merge or split them.

Why the gap statistic: on real labelled playlists (``benchmarks/quality.py``) it found
the true number of clearly different genres far more often than silhouette, which
rewards the coarsest split, or Calinski-Harabasz, BIC and stability (see
docs/analysis.md). Deterministic: the same matrix and options give the same
labels. Large playlists choose k on a seeded random sample and fit every row.
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score

from bot.errors import TooFewTracks
from bot.locales import N_
from bot.model import Clustering

#: The notes a clustering can carry, as message ids: the note is stored in English
#: (``str.format`` of these), and a page in another language says it again from them
#: (``bot.locales.said_again``).
ONLY_FEW = N_("Only {count} track(s): shown as one cluster.")
NO_FEATURES = N_("No usable features: shown as one cluster.")
AUTOMATIC = N_(
    "{count} clusters chosen automatically (gap statistic on {where}, from {low} to {high})."
)
SOUND = N_("the sound features")
ALL = N_("the features")
IDENTICAL = N_("All tracks have identical features: shown as one cluster.")
TOO_FEW_DISTINCT = N_("Too few distinct tracks to split.")
AS_ASKED = N_("{count} clusters, as asked.")
AT_MOST = N_("Asked for {asked} clusters; this playlist supports at most {count}.")
FEWER_FOUND = N_("{count} clusters: the tracks did not support {asked}.")
LOOSE = N_(
    "These tracks do not fall into clear groups (silhouette {silhouette}):"
    " the clusters are loose, neighbours in sound rather than separate kinds."
)
NOTES = (ONLY_FEW, NO_FEATURES, AUTOMATIC, IDENTICAL, TOO_FEW_DISTINCT, AS_ASKED, AT_MOST)
NOTES += (FEWER_FOUND, LOOSE)

#: Rows used to choose k (a seeded random sample when the playlist is larger).
K_SEARCH_SAMPLE = 1000
#: Rows used for each silhouette score.
SILHOUETTE_SAMPLE = 1500
#: Rows probed (at random) to count distinct tracks.
DISTINCT_SAMPLE = 5000
#: Reference data sets of the gap statistic, and the share of their spread a larger k
#: must beat: the smallest k with gap(k) >= gap(k+1) - GAP_TOLERANCE * s(k+1) wins.
GAP_REFERENCES = 10
GAP_TOLERANCE = 0.5
#: ... and a step to k+1 must also gain at least this share of the previous step's gain
#: (parsimony: three clear groups are not split into four for a sliver of dispersion).
GAP_MIN_GAIN_SHARE = 0.15
#: Below this mean silhouette an automatic answer says the tracks do not fall into
#: clear groups (chosen on the tuning source of benchmarks/quality.py: the median of
#: its separable mixes is 0.19, of its other mixes 0.15; see docs/clustering.md).
LOOSE_SILHOUETTE = 0.16
#: Above this many rows the final fit uses mini-batch k-means.
MINIBATCH_ABOVE = 20_000
#: Playlists smaller than this are shown as one cluster.
MIN_TRACKS_TO_SPLIT = 4
#: Metadata may refine the sound families only while the result still agrees with
#: them at least this much (adjusted Rand index); otherwise the families stand.
MIN_AGREEMENT_WITH_SOUND = 0.8


def _relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber labels so 0 is the largest cluster (ties: the one seen first)."""
    values, first, counts = np.unique(labels, return_index=True, return_counts=True)
    order = sorted(range(len(values)), key=lambda i: (-counts[i], first[i]))
    mapping = np.empty(values.max() + 1, dtype=np.int64)
    for new, old in enumerate(order):
        mapping[values[old]] = new
    return mapping[labels]


def _kmeans(matrix: np.ndarray, k: int, random_state: int) -> np.ndarray:
    """Labels of k-means (mini-batch above MINIBATCH_ABOVE rows)."""
    if matrix.shape[0] > MINIBATCH_ABOVE:
        model = MiniBatchKMeans(n_clusters=k, random_state=random_state, n_init=3, batch_size=2048)
    else:
        model = KMeans(n_clusters=k, random_state=random_state, n_init=4)
    return model.fit_predict(matrix)


def _fit(matrix: np.ndarray, lead: int, k: int, random_state: int) -> np.ndarray:
    """Sound families on the first ``lead`` columns, refined by the others when they agree."""
    sound = _kmeans(matrix[:, :lead], k, random_state)
    if lead >= matrix.shape[1] or len(np.unique(sound)) < k:
        return sound
    centres = np.array([matrix[sound == c].mean(axis=0) for c in range(k)])
    refined = KMeans(n_clusters=k, init=centres, n_init=1, random_state=random_state)
    labels = refined.fit_predict(matrix)
    if adjusted_rand_score(sound, labels) < MIN_AGREEMENT_WITH_SOUND:
        return sound
    return labels


def _distinct_rows(matrix: np.ndarray, cap: int, random_state: int) -> int:
    """How many distinct rows ``matrix`` has, counting no further than ``cap``.

    Whether all rows are identical is exact; the count itself comes from a seeded
    random sample of DISTINCT_SAMPLE rows (never just the first rows: a file that
    starts with a thousand copies of one track is not a playlist of copies).
    """
    n = matrix.shape[0]
    if n == 0 or not np.any(np.ptp(matrix, axis=0) > 0):
        return min(cap, n and 1)
    sample = matrix
    if n > DISTINCT_SAMPLE:
        rows = np.random.default_rng(random_state).choice(n, DISTINCT_SAMPLE, replace=False)
        sample = matrix[np.sort(rows)]
    return max(2, min(cap, len(np.unique(np.round(sample, 9), axis=0))))


def _seed_centres(matrix: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeding: each next centre drawn in proportion to its squared distance."""
    centres = [matrix[rng.integers(matrix.shape[0])]]
    nearest = ((matrix - centres[0]) ** 2).sum(axis=1)
    for _ in range(1, k):
        total = nearest.sum()
        index = rng.choice(matrix.shape[0], p=nearest / total) if total > 0 else 0
        centres.append(matrix[index])
        nearest = np.minimum(nearest, ((matrix - matrix[index]) ** 2).sum(axis=1))
    return np.array(centres)


def _log_dispersion(
    matrix: np.ndarray, k: int, rng: np.random.Generator, n_init: int, iterations: int = 60
) -> float:
    """log of the within-cluster sum of squares of k-means (Lloyd's, k-means++ starts).

    A plain numpy loop: the gap statistic fits k-means about a hundred times on a
    small sample, where scikit-learn's per-call overhead would dominate.
    """
    squares = (matrix**2).sum(axis=1)
    best = np.inf
    for _ in range(n_init):
        centres = _seed_centres(matrix, k, rng)
        for _ in range(iterations):
            distances = squares[:, None] - 2 * matrix @ centres.T + (centres**2).sum(axis=1)
            labels = distances.argmin(axis=1)
            counts = np.bincount(labels, minlength=k)
            sums = np.eye(k)[labels].T @ matrix
            moved = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], centres)
            if np.allclose(moved, centres):
                break
            centres = moved
        inertia = float(np.maximum(distances[np.arange(len(labels)), labels], 0).sum())
        best = min(best, inertia)
    return float(np.log(max(best, 1e-12)))


def _references(matrix: np.ndarray, rng: np.random.Generator) -> list[np.ndarray]:
    """Uniform data sets in the box of the data's principal axes (Tibshirani et al., 2001)."""
    centred = matrix - matrix.mean(axis=0)
    _, _, axes = np.linalg.svd(centred, full_matrices=False)
    projected = centred @ axes.T
    low, high = projected.min(axis=0), projected.max(axis=0)
    return [rng.uniform(low, high, size=projected.shape) @ axes for _ in range(GAP_REFERENCES)]


def choose_k_by_gap(
    matrix: np.ndarray, k_min: int, k_max: int, random_state: int = 0
) -> tuple[int, dict[int, float]]:
    """The smallest k in ``k_min..k_max`` whose gap is within tolerance of the next one.

    Tibshirani, Walther and Hastie (2001): gap(k) = E*[log W_k] - log W_k, W_k the
    k-means dispersion, E* over uniform reference data; the rule is theirs with half
    their tolerance, plus a parsimony floor on the gain (GAP_MIN_GAIN_SHARE).

    Returns k and the gaps computed (ks are tried in order and the search stops at
    the first that holds, so a 3-genre playlist costs three gaps, not eleven).
    """
    rng = np.random.default_rng(random_state)
    references = _references(matrix, rng)
    gaps: dict[int, float] = {}

    def gap(k: int) -> tuple[float, float]:
        logs = np.array([_log_dispersion(r, k, rng, 1) for r in references])
        value = float(logs.mean()) - _log_dispersion(matrix, k, rng, 10)
        gaps[k] = value
        return value, float(logs.std() * np.sqrt(1 + 1 / GAP_REFERENCES))

    current, _ = gap(k_min)
    gain = 0.0
    for k in range(k_min, k_max):
        following, spread = gap(k + 1)
        step = following - current
        if step <= GAP_TOLERANCE * spread or step < GAP_MIN_GAIN_SHARE * gain:
            return k, gaps
        current, gain = following, step
    return k_max, gaps


def _single(n: int, note: str) -> Clustering:
    return Clustering(np.zeros(n, dtype=np.int64), 1, None, "single", note)


def _degenerate(matrix: np.ndarray) -> Clustering | None:
    """One cluster with a note when there is nothing to split, else None."""
    n = matrix.shape[0]
    if n == 0:
        raise TooFewTracks(N_("There are no usable tracks to cluster."))
    if n < MIN_TRACKS_TO_SPLIT:
        return _single(n, ONLY_FEW.format(count=n))
    if matrix.shape[1] == 0:
        return _single(n, NO_FEATURES)
    return None


def _automatic_k(
    matrix: np.ndarray, lead: int, k_min: int, upper: int, random_state: int
) -> tuple[int, str]:
    """k by the gap statistic on the lead columns of a seeded sample, and the note."""
    n = matrix.shape[0]
    search = matrix[:, :lead]
    if n > K_SEARCH_SAMPLE:
        rows = np.random.default_rng(random_state).choice(n, K_SEARCH_SAMPLE, replace=False)
        search = search[np.sort(rows)]
    low = min(max(2, k_min), upper)
    k, _ = choose_k_by_gap(search, low, upper, random_state)
    where = SOUND if lead < matrix.shape[1] else ALL
    note = AUTOMATIC.format(count=k, where=where, low=low, high=upper)
    return k, note


def canonical_order(matrix: np.ndarray) -> np.ndarray:
    """A row order that depends only on the rows' values, not on where they stand.

    Rows are sorted by their sum, then their sum of squares, then their sorted values
    (all unchanged when the columns are reordered), so a playlist whose tracks are
    shuffled is clustered as exactly the same set of rows: same k, same clusters.
    """
    values = np.sort(np.round(matrix, 9), axis=1)
    keys = [values[:, j] for j in range(values.shape[1] - 1, -1, -1)]
    keys += [np.round((matrix**2).sum(axis=1), 9), np.round(matrix.sum(axis=1), 9)]
    return np.lexsort(keys)


def cluster_tracks(
    matrix: np.ndarray,
    *,
    k: int | None = None,
    k_min: int = 2,
    k_max: int = 12,
    random_state: int = 0,
    lead_columns: int = 0,
) -> Clustering:
    """Cluster the rows of ``matrix`` (shape (n, d)) into ``k`` groups, or the best k.

    The first ``lead_columns`` columns (0: all) define the sound families. The note
    says how k was chosen; tiny or degenerate inputs give one cluster with a note
    saying why; a requested k above what the data supports is lowered, with a note.
    The order of the rows does not matter (see :func:`canonical_order`).
    """
    special = _degenerate(matrix)
    if special is not None:
        return special
    order = canonical_order(matrix)
    result = _cluster_ordered(matrix[order], k, k_min, k_max, random_state, lead_columns)
    labels = np.empty_like(result.labels)
    labels[order] = result.labels
    result.labels = labels
    return result


def _cluster_ordered(
    matrix: np.ndarray,
    k: int | None,
    k_min: int,
    k_max: int,
    random_state: int,
    lead_columns: int,
) -> Clustering:
    """:func:`cluster_tracks` on rows already in canonical order."""
    n, width = matrix.shape
    lead = lead_columns if 0 < lead_columns <= width else width
    limit = min(k_max if k is None else k, n - 1)
    distinct = _distinct_rows(matrix, limit + 1, random_state)
    if distinct < 2:
        return _single(n, IDENTICAL)
    if k is not None:
        chosen = min(k, distinct, n - 1)
        if chosen == 1:
            return _single(n, TOO_FEW_DISTINCT)
        note = AS_ASKED.format(count=chosen)
        if chosen < k:
            note = AT_MOST.format(asked=k, count=chosen)
    else:
        upper = max(2, min(k_max, distinct, n - 1, max(2, n // 3)))
        chosen, note = _automatic_k(matrix, lead, k_min, upper, random_state)
    labels = _relabel_by_size(_fit(matrix, lead, chosen, random_state))
    found = int(labels.max()) + 1
    if found < chosen:
        note = FEWER_FOUND.format(count=found, asked=chosen)
    silhouette = _silhouette(matrix, labels, random_state)
    if k is None and silhouette is not None and silhouette < LOOSE_SILHOUETTE:
        note += " " + LOOSE.format(silhouette=f"{silhouette:.2f}")
    return Clustering(labels, found, silhouette, "kmeans", note)


def _silhouette(matrix: np.ndarray, labels: np.ndarray, random_state: int) -> float | None:
    """Mean silhouette on at most SILHOUETTE_SAMPLE rows; None when undefined."""
    found = len(np.unique(labels))
    if found < 2 or found >= matrix.shape[0]:
        return None
    sample = min(SILHOUETTE_SAMPLE, matrix.shape[0])
    return float(silhouette_score(matrix, labels, sample_size=sample, random_state=random_state))
