"""Clustering: recovers real groups, is deterministic, and never crashes on odd input."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from bot.analysis.clustering import cluster_tracks
from bot.analysis.features import build_feature_table
from bot.errors import TooFewTracks
from tests.conftest import blob_playlist


def test_well_separated_groups_are_recovered() -> None:
    playlist, truth = blob_playlist((40, 30, 20))
    table = build_feature_table(playlist.tracks)
    result = cluster_tracks(table.matrix)
    assert result.k == 3
    assert adjusted_rand_score(truth, result.labels) >= 0.9


def test_four_groups_with_a_sample_larger_than_the_k_search_sample() -> None:
    playlist, truth = blob_playlist((1500, 1200, 900, 600), seed=3)
    table = build_feature_table(playlist.tracks)
    result = cluster_tracks(table.matrix)
    assert result.k == 4
    assert adjusted_rand_score(truth, result.labels) >= 0.9


def test_same_input_same_clusters() -> None:
    playlist, _ = blob_playlist()
    table = build_feature_table(playlist.tracks)
    first = cluster_tracks(table.matrix, random_state=7)
    second = cluster_tracks(table.matrix.copy(), random_state=7)
    assert np.array_equal(first.labels, second.labels)


def test_clusters_are_numbered_by_size_largest_first() -> None:
    playlist, _ = blob_playlist((10, 50, 25))
    result = cluster_tracks(build_feature_table(playlist.tracks).matrix, k=3)
    sizes = np.bincount(result.labels)
    assert list(sizes) == sorted(sizes, reverse=True)
    assert np.abs(sizes - np.array([50, 25, 10])).max() <= 1


def test_requested_k_is_used() -> None:
    playlist, _ = blob_playlist()
    result = cluster_tracks(build_feature_table(playlist.tracks).matrix, k=5)
    assert result.k == 5 and len(np.unique(result.labels)) == 5
    assert result.note == "5 clusters, as asked."


def test_automatic_k_says_how_it_was_chosen() -> None:
    playlist, _ = blob_playlist()
    table = build_feature_table(playlist.tracks)
    result = cluster_tracks(table.matrix, lead_columns=table.lead_columns)
    assert result.note.startswith("3 clusters chosen automatically (gap statistic")


def test_k_is_probed_on_a_random_sample_not_the_first_rows() -> None:
    """2,000 rows whose first 1,000 are one track: still three groups when asked."""
    playlist, _ = blob_playlist((700, 650, 650), seed=5)
    matrix = build_feature_table(playlist.tracks).matrix
    matrix[:1000] = matrix[0]
    result = cluster_tracks(matrix, k=3)
    assert result.k == 3 and "identical" not in result.note
    assert len(np.unique(result.labels)) == 3
    automatic = cluster_tracks(matrix)
    assert automatic.k >= 2 and "identical" not in automatic.note


def test_one_different_row_among_copies_is_not_identical() -> None:
    matrix = np.zeros((8_000, 3))
    matrix[-1] = 1.0
    result = cluster_tracks(matrix, k=2)
    assert result.k == 2 and sorted(np.bincount(result.labels)) == [1, 7_999]


@pytest.mark.parametrize("n", [1, 2, 3])
def test_tiny_playlists_are_one_cluster_with_a_note(n: int) -> None:
    result = cluster_tracks(np.random.default_rng(0).normal(size=(n, 4)))
    assert result.k == 1 and list(result.labels) == [0] * n
    assert "one cluster" in result.note


def test_identical_tracks_are_one_cluster() -> None:
    result = cluster_tracks(np.ones((25, 3)))
    assert result.k == 1 and "identical" in result.note


def test_requested_k_larger_than_the_data_is_lowered_with_a_note() -> None:
    matrix = np.repeat(np.array([[0.0, 0.0], [5.0, 5.0], [9.0, 0.0]]), 3, axis=0)
    result = cluster_tracks(matrix, k=8)
    assert result.k == 3
    assert "Asked for 8 clusters" in result.note


def test_no_rows_is_a_clear_error() -> None:
    with pytest.raises(TooFewTracks):
        cluster_tracks(np.zeros((0, 3)))


def test_no_columns_is_one_cluster() -> None:
    result = cluster_tracks(np.zeros((10, 0)))
    assert result.k == 1 and "No usable features" in result.note


def test_shuffled_rows_give_the_same_clusters_and_the_same_k() -> None:
    """Real-looking overlap (not clean blobs): the answer must not depend on row order."""
    rng = np.random.default_rng(11)
    matrix = np.vstack([rng.normal(c, 1.0, size=(70, 6)) for c in (0.0, 1.2, 2.4)])
    first = cluster_tracks(matrix)
    for seed in range(3):
        order = np.random.default_rng(seed).permutation(len(matrix))
        again = cluster_tracks(matrix[order])
        back = np.empty_like(again.labels)
        back[order] = again.labels
        assert again.k == first.k and np.array_equal(back, first.labels)
        assert again.note == first.note


def test_a_cloud_without_groups_is_said_to_have_none() -> None:
    cloud = np.random.default_rng(5).normal(size=(200, 6))
    assert "do not fall into clear groups" in cluster_tracks(cloud).note
    playlist, _ = blob_playlist()
    table = build_feature_table(playlist.tracks)
    clear = cluster_tracks(table.matrix, lead_columns=table.lead_columns)
    assert "clear groups" not in clear.note
    asked = cluster_tracks(cloud, k=3)
    assert asked.note == "3 clusters, as asked."
