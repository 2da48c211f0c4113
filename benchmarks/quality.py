"""How well clusters match real genres: playlist-clusters beside plain KMeans and Ward.

Playlists are mixes of real labelled tracks (tests/data/labelled, TidyTuesday
2020-01-21 Spotify songs, CC0): 60 random tracks per genre, several random samples
per mix. For each mix it prints the mean adjusted Rand index (ARI) and normalised
mutual information (NMI) against the genres for

- playlist-clusters with automatic k, and told the true k (the whole feature table:
  audio features plus metadata at the default weight, as a user gets it);
- plain KMeans and Ward with the true k on the standardised audio features.

Then the targets of issue 12. Run: python benchmarks/quality.py [--samples N]
(--criteria also compares ways of choosing k on the same playlists; slower).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    normalized_mutual_info_score,
    silhouette_score,
)
from sklearn.mixture import GaussianMixture

from bot.analysis.clustering import choose_k_by_gap, cluster_tracks
from bot.analysis.features import build_feature_table
from bot.model import PROVIDER_AUDIO_FEATURES, Playlist
from tests.labelled import MIXES, Mix, load_rows, sample_mix

METHODS = ("auto k", "true k", "KMeans", "Ward")


@dataclass
class MixResult:
    """Scores of every method over the samples of one mix."""

    mix: Mix
    ari: dict[str, list[float]] = field(default_factory=dict)
    nmi: dict[str, list[float]] = field(default_factory=dict)
    chosen_k: list[int] = field(default_factory=list)

    def add(self, method: str, truth: np.ndarray, labels: np.ndarray) -> None:
        self.ari.setdefault(method, []).append(adjusted_rand_score(truth, labels))
        self.nmi.setdefault(method, []).append(normalized_mutual_info_score(truth, labels))

    def mean(self, method: str, metric: str = "ari") -> float:
        return float(np.mean((self.ari if metric == "ari" else self.nmi)[method]))

    @property
    def hits(self) -> int:
        return sum(k == len(self.mix.labels) for k in self.chosen_k)


def standardised_audio(playlist: Playlist) -> np.ndarray:
    """The baseline's matrix: the audio features, each column standardised."""
    raw = np.array([[t.audio[f] for f in PROVIDER_AUDIO_FEATURES] for t in playlist.tracks])
    return (raw - raw.mean(axis=0)) / raw.std(axis=0)


def score_sample(result: MixResult, playlist: Playlist, truth: np.ndarray) -> None:
    """Cluster one sampled playlist every way and record the scores."""
    k = len(result.mix.labels)
    table = build_feature_table(playlist.tracks)
    auto = cluster_tracks(table.matrix, lead_columns=table.lead_columns)
    told = cluster_tracks(table.matrix, k=k, lead_columns=table.lead_columns)
    baseline = standardised_audio(playlist)
    result.chosen_k.append(auto.k)
    result.add("auto k", truth, auto.labels)
    result.add("true k", truth, told.labels)
    result.add(
        "KMeans", truth, KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(baseline)
    )
    result.add("Ward", truth, AgglomerativeClustering(n_clusters=k).fit_predict(baseline))


def run(samples: int, per_label: int = 60, mixes: tuple[Mix, ...] = MIXES) -> list[MixResult]:
    """Score every mix over ``samples`` random samples (seeds 0..samples-1)."""
    rows = load_rows()
    results = []
    for mix in mixes:
        result = MixResult(mix)
        for seed in range(samples):
            playlist, truth = sample_mix(rows, mix, seed, per_label)
            score_sample(result, playlist, truth)
        results.append(result)
    return results


def targets(results: list[MixResult]) -> list[tuple[str, bool, str]]:
    """Issue 12's targets on the benchmark: (what, met, figures)."""
    separable = [r for r in results if r.mix.separable]
    hits = sum(r.hits for r in separable)
    tries = sum(len(r.chosen_k) for r in separable)
    auto = np.mean([r.mean("auto k") for r in separable])
    told = np.mean([r.mean("true k") for r in separable])
    worse = [r.mix.name for r in results if r.mean("true k") < r.mean("KMeans") - 1e-9]
    return [
        ("automatic k = true k on >= half the separable samples", 2 * hits >= tries,
         f"{hits}/{tries}"),
        ("automatic-k ARI >= 90% of true-k ARI (separable mixes)", auto >= 0.9 * told,
         f"{auto:.3f} vs {told:.3f} ({auto / told:.0%})"),
        ("true-k ARI not below KMeans on standardised features", not worse,
         "every mix" if not worse else "below on: " + "; ".join(worse)),
    ]  # fmt: skip


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
    best = max(silhouette.values())
    bic = {
        k: GaussianMixture(k, covariance_type="diag", n_init=2, random_state=0)
        .fit(matrix)
        .bic(matrix)
        for k in ks
    }
    rng = np.random.default_rng(0)
    stability = {k: _stability(matrix, k, rng) for k in ks}
    return {
        "gap statistic (chosen)": choose_k_by_gap(matrix, ks[0], ks[-1])[0],
        "silhouette (before)": max(ks, key=silhouette.__getitem__),
        "silhouette, smallest k within 0.02": min(k for k in ks if silhouette[k] >= best - 0.02),
        "Calinski-Harabasz": max(ks, key=lambda k: calinski_harabasz_score(matrix, labels[k])),
        "BIC, diagonal Gaussian mixture": min(ks, key=bic.__getitem__),
        "stability under resampling": max(ks, key=stability.__getitem__),
    }


def compare_criteria(samples: int) -> None:
    """Per criterion: true-k hits on the separable mixes and mean ARI at the k it chose."""
    rows = load_rows()
    hits: dict[str, int] = {}
    scores: dict[str, dict[str, list[float]]] = {}
    for mix in MIXES:
        for seed in range(samples):
            playlist, truth = sample_mix(rows, mix, seed)
            table = build_feature_table(playlist.tracks)
            lead = table.matrix[:, : table.lead_columns]
            for name, k in criteria_choices(lead).items():
                fitted = cluster_tracks(table.matrix, k=k, lead_columns=table.lead_columns)
                ari = adjusted_rand_score(truth, fitted.labels)
                scores.setdefault(name, {}).setdefault(mix.name, []).append(ari)
                hits[name] = hits.get(name, 0) + (mix.separable and k == len(mix.labels))
    tries = samples * sum(m.separable for m in MIXES)
    print(f"{'criterion':<36} {'true k':>7} " + " ".join(f"{m.name[:14]:>14}" for m in MIXES))
    for name, per_mix in scores.items():
        cells = " ".join(f"{np.mean(per_mix[m.name]):>14.3f}" for m in MIXES)
        print(f"{name:<36} {hits[name]:>3}/{tries:<3} {cells}")
    print("(true k: samples of the separable mixes where the criterion chose it; cells: mean ARI)")


def print_table(results: list[MixResult]) -> None:
    print(f"{'mix':<62} {'k':>2} " + " ".join(f"{m:>13}" for m in METHODS) + "  chosen k")
    for r in results:
        cells = " ".join(f"{r.mean(m):>6.3f}/{r.mean(m, 'nmi'):<6.3f}" for m in METHODS)
        print(f"{r.mix.name:<62} {len(r.mix.labels):>2} {cells}  {r.chosen_k}")
    print("(cells: mean ARI / mean NMI over the samples)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=8, help="random samples per mix (>= 5)")
    parser.add_argument("--criteria", action="store_true", help="compare ways of choosing k")
    args = parser.parse_args()
    if args.criteria:
        compare_criteria(max(5, args.samples))
        return
    results = run(max(5, args.samples))
    print_table(results)
    print()
    for what, met, figures in targets(results):
        print(f"{'meets ' if met else 'MISSES'} {what}: {figures}")


if __name__ == "__main__":
    main()
