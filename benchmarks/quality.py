"""How well automatic k holds on real labelled music it was not tuned on.

Four independent sources of real tracks with real audio features and genres
(tests/labelled.py; sources and licences in tests/data/labelled/README.md). The method
of choosing k and all its constants were chosen on ONE source, marked "(tuning)"; the
others are reported untouched.

Playlists are mixes of 2 to 5 genres of one source, PER_LABEL random tracks per genre,
shuffled. A sample counts as *separable* when plain KMeans, told the true k, recovers
the genres on the standardised audio features with ARI >= SEPARABLE_ARI: the genres
are then clearly apart in what the clustering can see, and automatic k should find
about as many groups. The other samples are genres that sound alike; for them no
particular k is right.

Per source it prints, over the separable samples: the share where automatic k = true
k and within +-1, the mean |k - true k|, the mean ARI of playlist-clusters with
automatic k and with the true k, of plain KMeans and Ward told the true k, and the
shuffle stability (the same playlist with its rows shuffled: ARI between the two
answers and the share with the same k), then the issue's targets per source.

Run: python benchmarks/quality.py [--samples N] [--criteria]
(--criteria compares ways of choosing k on the same separable samples; slower).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.mixture import GaussianMixture

from bot.analysis.clustering import choose_k_by_gap, cluster_tracks
from bot.analysis.features import build_feature_table
from bot.model import Playlist
from tests.labelled import SOURCES, Source, sample_labels

#: Tracks per genre in a benchmark playlist.
PER_LABEL = 40
#: Genre counts of the mixes, and how many mixes of each size are kept per source.
SIZES = (2, 3, 4, 5)
SEPARABLE_PER_SIZE = 5
OTHER_PER_SIZE = 2
#: Combinations tried per size when looking for separable mixes.
SCAN_PER_SIZE = 60
#: KMeans told the true k reaches this ARI on the standardised audio: "separable".
SEPARABLE_ARI = 0.3


@dataclass
class SourceResult:
    """Scores over the samples of one source."""

    source: Source
    truth_k: list[int] = field(default_factory=list)
    chosen_k: list[int] = field(default_factory=list)
    ari: dict[str, list[float]] = field(default_factory=dict)
    shuffle_ari: list[float] = field(default_factory=list)
    shuffle_same_k: list[bool] = field(default_factory=list)
    other_k: list[int] = field(default_factory=list)  # automatic k on non-separable samples
    other_truth: list[int] = field(default_factory=list)
    #: Whether the answer said "do not fall into clear groups": separable / other samples.
    loose: dict[bool, list[bool]] = field(default_factory=lambda: {True: [], False: []})

    def loose_share(self, separable: bool) -> float:
        said = self.loose[separable]
        return float(np.mean(said)) if said else float("nan")

    def mean(self, method: str) -> float:
        return float(np.mean(self.ari[method])) if self.ari.get(method) else float("nan")

    @property
    def count(self) -> int:
        return len(self.chosen_k)

    def share(self, within: int) -> float:
        diff = np.abs(np.array(self.chosen_k) - np.array(self.truth_k))
        return float(np.mean(diff <= within)) if self.count else float("nan")

    @property
    def mean_error(self) -> float:
        diff = np.abs(np.array(self.chosen_k) - np.array(self.truth_k))
        return float(diff.mean()) if self.count else float("nan")


def standardised_audio(playlist: Playlist) -> np.ndarray:
    """The baseline's matrix: the audio features, each column standardised."""
    names = list(playlist.tracks[0].audio or {})
    raw = np.array([[(t.audio or {})[f] for f in names] for t in playlist.tracks])
    spread = raw.std(axis=0)
    return (raw - raw.mean(axis=0)) / np.where(spread > 0, spread, 1.0)


def kmeans_true(matrix: np.ndarray, truth: np.ndarray) -> float:
    """ARI of plain KMeans told the true k (the separability test and a baseline)."""
    k = len(np.unique(truth))
    return adjusted_rand_score(truth, KMeans(k, n_init=10, random_state=0).fit_predict(matrix))


def choose_mixes(
    source: Source,
    pool: list,
    sizes: tuple[int, ...] = SIZES,
    separable_per_size: int = SEPARABLE_PER_SIZE,
    other_per_size: int = OTHER_PER_SIZE,
) -> list[tuple[tuple[str, ...], bool]]:
    """Up to ``separable_per_size`` separable and ``other_per_size`` other mixes per size.

    Combinations are tried in a seeded random order and judged on one sample (seed 0).
    """
    counts: dict[str, int] = {}
    for label, _ in pool:
        counts[label] = counts.get(label, 0) + 1
    labels = sorted(label for label, n in counts.items() if n >= PER_LABEL)
    rng = np.random.default_rng(22)
    chosen = []
    for size in sizes:
        combos = list(itertools.combinations(labels, size))
        separable, other = [], []
        for i in rng.permutation(len(combos))[:SCAN_PER_SIZE]:
            combo = combos[int(i)]
            playlist, truth = sample_labels(pool, combo, 0, PER_LABEL, source.name)
            apart = kmeans_true(standardised_audio(playlist), truth) >= SEPARABLE_ARI
            bucket, limit = (separable, separable_per_size) if apart else (other, other_per_size)
            if len(bucket) < limit:
                bucket.append((combo, apart))
            if len(separable) >= separable_per_size and len(other) >= other_per_size:
                break
        chosen += separable + other
    return chosen


LOOSE = "do not fall into clear groups"


def _auto(playlist: Playlist) -> tuple[np.ndarray, int, np.ndarray, int, bool]:
    """Automatic-k labels (as a user gets them) and k, the table and its lead columns,
    and whether the answer said the tracks do not fall into clear groups."""
    table = build_feature_table(playlist.tracks)
    result = cluster_tracks(table.matrix, lead_columns=table.lead_columns)
    return result.labels, result.k, table.matrix, table.lead_columns, LOOSE in result.note


def score_sample(result: SourceResult, playlist: Playlist, truth: np.ndarray) -> None:
    """Cluster one sampled playlist every way and record the scores."""
    k = len(np.unique(truth))
    baseline = standardised_audio(playlist)
    separable = kmeans_true(baseline, truth) >= SEPARABLE_ARI
    labels, chosen, matrix, lead, loose = _auto(playlist)
    result.loose[separable].append(loose)
    if not separable:
        result.other_k.append(chosen)
        result.other_truth.append(k)
        return
    told = cluster_tracks(matrix, k=k, lead_columns=lead)
    result.truth_k.append(k)
    result.chosen_k.append(chosen)
    for method, found in (
        ("auto k", labels),
        ("true k", told.labels),
        ("KMeans", KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(baseline)),
        ("Ward", AgglomerativeClustering(n_clusters=k).fit_predict(baseline)),
    ):
        result.ari.setdefault(method, []).append(adjusted_rand_score(truth, found))
    order = np.random.default_rng(k).permutation(len(playlist.tracks))
    shuffled = Playlist(playlist.ref, playlist.name, [playlist.tracks[i] for i in order], "s")
    again, again_k, _, _, _ = _auto(shuffled)
    back = np.empty_like(again)
    back[order] = again
    result.shuffle_ari.append(adjusted_rand_score(labels, back))
    result.shuffle_same_k.append(again_k == chosen)


def run_source(source: Source, samples: int, **mixes: Any) -> SourceResult:
    """Score every chosen mix of ``source`` over ``samples`` random samples
    (``mixes``: arguments of :func:`choose_mixes`, for a shorter run)."""
    pool = source.pool()
    result = SourceResult(source)
    for combo, _ in choose_mixes(source, pool, **mixes):
        for seed in range(samples):
            playlist, truth = sample_labels(pool, combo, seed, PER_LABEL, source.name)
            score_sample(result, playlist, truth)
    return result


def targets(result: SourceResult) -> list[tuple[str, bool, str]]:
    """The issue's targets on one source: (what, met, figures)."""
    auto, told = result.mean("auto k"), result.mean("true k")
    same = float(np.mean(result.shuffle_same_k)) if result.shuffle_same_k else float("nan")
    lowest = min(result.shuffle_ari, default=float("nan"))
    return [
        ("automatic k within +-1 of the true k on >= 80% of separable samples",
         result.share(1) >= 0.8, f"{result.share(1):.0%} of {result.count}"),
        ("automatic-k ARI >= 90% of true-k ARI", auto >= 0.9 * told,
         f"{auto:.3f} vs {told:.3f} ({auto / told:.0%})"),
        ("shuffled rows: same clusters (ARI >= 0.95) and same k", lowest >= 0.95 and same == 1,
         f"lowest ARI {lowest:.3f}, same k {same:.0%}"),
    ]  # fmt: skip


def print_table(results: list[SourceResult]) -> None:
    head = (
        f"{'source':<26} {'n':>3} {'k=true':>7} {'+-1':>5} {'|dk|':>5} "
        f"{'auto k':>7} {'true k':>7} {'KMeans':>7} {'Ward':>7} {'shuffle':>8} {'same k':>7}"
    )
    print(head)
    for r in results:
        name = r.source.name + (" (tuning)" if r.source.tuning else "")
        shuffle = min(r.shuffle_ari, default=float("nan"))
        same = float(np.mean(r.shuffle_same_k)) if r.shuffle_same_k else float("nan")
        print(
            f"{name:<26} {r.count:>3} {r.share(0):>7.0%} {r.share(1):>5.0%} "
            f"{r.mean_error:>5.2f} {r.mean('auto k'):>7.3f} {r.mean('true k'):>7.3f} "
            f"{r.mean('KMeans'):>7.3f} {r.mean('Ward'):>7.3f} {shuffle:>8.3f} {same:>7.0%}"
        )
    print(
        "(separable samples only; cells: mean ARI against the genres; shuffle: lowest ARI\n"
        " between the answers for the playlist and for its rows shuffled)"
    )
    print()
    print(f"{'source':<26} 'do not fall into clear groups' said on: separable / other samples")
    for r in results:
        print(
            f"{r.source.name:<26} {r.loose_share(True):.0%} of {len(r.loose[True])} / "
            f"{r.loose_share(False):.0%} of {len(r.loose[False])}"
        )
    print()
    print(f"{'source':<26} non-separable samples: chosen k (true k)")
    for r in results:
        pairs = ", ".join(f"{k}({t})" for k, t in zip(r.other_k, r.other_truth, strict=True))
        print(f"{r.source.name:<26} {pairs}")


# ---- --criteria: ways of choosing k side by side ---------------------------------

CANDIDATE_KS = range(2, 9)


def _stability(matrix: np.ndarray, k: int, rng: np.random.Generator) -> float:
    """Mean ARI between k-means fitted on two random 70% subsamples, on every row."""
    n = matrix.shape[0]
    scores = []
    for b in range(4):
        fits = [
            KMeans(n_clusters=k, n_init=2, random_state=b + 10 * i).fit(
                matrix[rng.choice(n, int(0.7 * n), replace=False)]
            )
            for i in range(2)
        ]
        scores.append(adjusted_rand_score(fits[0].predict(matrix), fits[1].predict(matrix)))
    return float(np.mean(scores))


def criteria_choices(matrix: np.ndarray) -> dict[str, int]:
    """The k each way of choosing it picks on ``matrix`` (the lead columns)."""
    ks = list(CANDIDATE_KS)
    labels = {k: KMeans(n_clusters=k, n_init=4, random_state=0).fit_predict(matrix) for k in ks}
    silhouette = {k: silhouette_score(matrix, labels[k]) for k in ks}
    bic = {
        k: GaussianMixture(k, covariance_type="full", n_init=1, random_state=0)
        .fit(matrix)
        .bic(matrix)
        for k in ks
    }
    rng = np.random.default_rng(0)
    stability = {k: _stability(matrix, k, rng) for k in ks}
    gap = choose_k_by_gap(matrix, ks[0], ks[-1])[0]
    by_bic = min(ks, key=bic.__getitem__)
    by_stability = max(ks, key=stability.__getitem__)
    return {
        "gap statistic (chosen)": gap,
        "silhouette": max(ks, key=silhouette.__getitem__),
        "BIC, full Gaussian mixture": by_bic,
        "stability under resampling": by_stability,
        "consensus (median of the three)": int(np.median([gap, by_bic, by_stability])),
    }


def compare_criteria(samples: int) -> None:
    """Per source and criterion: +-1 share and ARI at the chosen k / ARI at the true k."""
    for source in (s for s in SOURCES if s.available()):
        pool = source.pool()
        hits: dict[str, list[bool]] = {}
        ratio: dict[str, list[float]] = {}
        truth_ari: list[float] = []
        for combo, _ in choose_mixes(source, pool):
            for seed in range(samples):
                playlist, truth = sample_labels(pool, combo, seed, PER_LABEL, source.name)
                if kmeans_true(standardised_audio(playlist), truth) < SEPARABLE_ARI:
                    continue
                table = build_feature_table(playlist.tracks)
                lead = table.matrix[:, : table.lead_columns]
                told = cluster_tracks(table.matrix, k=len(combo), lead_columns=table.lead_columns)
                truth_ari.append(adjusted_rand_score(truth, told.labels))
                for name, k in criteria_choices(lead).items():
                    fitted = cluster_tracks(table.matrix, k=k, lead_columns=table.lead_columns)
                    hits.setdefault(name, []).append(abs(k - len(combo)) <= 1)
                    ratio.setdefault(name, []).append(adjusted_rand_score(truth, fitted.labels))
        tag = " (tuning)" if source.tuning else ""
        print(f"{source.name}{tag}: {len(truth_ari)} separable samples, true-k ARI "
              f"{np.mean(truth_ari):.3f}")  # fmt: skip
        for name in hits:
            share = np.mean(ratio[name]) / np.mean(truth_ari)
            print(f"  {name:<34} +-1 {np.mean(hits[name]):>4.0%}  ARI {share:>4.0%} of true k")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=2, help="random samples per mix")
    parser.add_argument("--criteria", action="store_true", help="compare ways of choosing k")
    args = parser.parse_args()
    if args.criteria:
        compare_criteria(max(1, args.samples))
        return
    results = [run_source(s, max(1, args.samples)) for s in SOURCES if s.available()]
    print_table(results)
    print()
    for r in results:
        for what, met, figures in targets(r):
            tag = " (tuning)" if r.source.tuning else ""
            print(f"{'meets ' if met else 'MISSES'} {r.source.name}{tag}: {what}: {figures}")


if __name__ == "__main__":
    main()
