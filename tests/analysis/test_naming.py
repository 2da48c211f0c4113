"""Cluster names say what sets a cluster apart, and always differ."""

from __future__ import annotations

import numpy as np

from bot.analysis.naming import FALLBACK, cluster_traits, name_clusters
from bot.model import AnalysisOptions
from bot.pipeline.runner import compute_analysis
from tests.conftest import blob_playlist


def test_names_describe_the_groups() -> None:
    playlist, _ = blob_playlist((40, 30, 20))
    analysis = compute_analysis(playlist, AnalysisOptions(), render_png=False)
    names = [c.name for c in analysis.clusters]
    assert len(set(names)) == len(names)
    # group 1 (30 tracks: acoustic, slow, low energy) is the second largest
    assert "acoustic" in analysis.clusters[1].traits
    assert "slow" in analysis.clusters[1].traits
    # group 2 (20 tracks: very fast, very energetic)
    assert "fast" in analysis.clusters[2].traits


def test_identical_trait_lists_still_give_distinct_names() -> None:
    names = name_clusters([["fast", "loud"], ["fast", "loud"], [], []])
    assert len(set(names)) == 4
    assert names[0] == "fast · loud"
    assert FALLBACK in names[2]


def test_names_grow_before_falling_back_to_numbers() -> None:
    names = name_clusters([["fast", "loud", "live", "acoustic"], ["fast", "loud", "live", "vocal"]])
    assert names == ["fast · loud · live", "fast · loud · live · vocal"]


def test_small_differences_are_not_named() -> None:
    scaled = np.zeros((10, 2))
    scaled[:5, 0] = 0.1
    scaled[5:, 0] = -0.1
    labels = np.array([0] * 5 + [1] * 5)
    assert cluster_traits(scaled, ["energy", "tempo"], labels) == [[], []]


def test_differences_too_small_to_hear_are_not_named() -> None:
    # instrumentalness 0.00 vs 0.02 is many playlist-sds apart but inaudible
    scaled = np.array([[-1.0, -1.0]] * 5 + [[1.0, 1.0]] * 5)
    labels = np.array([0] * 5 + [1] * 5)
    spread = np.array([0.01, 0.3])  # instrumentalness sd 0.01, energy sd 0.3
    traits = cluster_traits(scaled, ["instrumentalness", "energy"], labels, spread)
    assert traits == [["low energy"], ["high energy"]]
