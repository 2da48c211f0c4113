"""The overlap score and the taste comparison on constructed playlists (pure)."""

from __future__ import annotations

import numpy as np
import pytest

from bot.analysis.overlap import nearest_by_group, pair_score, score_matrix
from bot.analysis.taste import (
    bridge,
    compare_playlists,
    meeting_points,
    neighbours,
    shared_between,
    track_key,
)
from bot.model import Track


def _cloud(rng: np.random.Generator, centre: float, n: int, prefix: str) -> list[Track]:
    return [
        Track(
            id=f"{prefix}{i}",
            title=f"{prefix} song {i}",
            artists=(f"{prefix} artist {i % 4}",),
            audio={
                "danceability": float(np.clip(centre + rng.normal(0, 0.05), 0, 1)),
                "energy": float(np.clip(1 - centre + rng.normal(0, 0.05), 0, 1)),
                "valence": float(np.clip(0.5 + rng.normal(0, 0.05), 0, 1)),
                "tempo": float(100 + 40 * centre + rng.normal(0, 3)),
            },
            audio_provider="csv",
        )
        for i in range(n)
    ]


def test_neighbours_per_group_match_a_brute_force_search() -> None:
    rng = np.random.default_rng(3)
    matrix = rng.normal(size=(60, 3))
    groups = np.repeat([0, 1, 2], 20)
    near = nearest_by_group(matrix, groups, 3, k=4)
    for row in (0, 25, 59):
        for group in range(3):
            members = np.flatnonzero(groups == group)
            members = members[members != row]
            want = np.sort(np.linalg.norm(matrix[members] - matrix[row], axis=1))[:4]
            assert np.allclose(near.distances[group][row], want)


def test_two_random_halves_of_one_playlist_score_near_100_and_far_clouds_0() -> None:
    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(400, 4))
    halves = rng.permutation(np.repeat([0, 1], 200))
    mixed = pair_score(nearest_by_group(matrix, halves, 2), 0, 1)
    apart = np.vstack([matrix[:200], matrix[200:] + 50.0])
    far = pair_score(nearest_by_group(apart, np.repeat([0, 1], 200), 2), 0, 1)
    assert mixed is not None and mixed >= 90
    assert far == 0.0


def test_the_score_is_symmetric_and_the_diagonal_is_100() -> None:
    rng = np.random.default_rng(1)
    matrix = np.vstack([rng.normal(0, 1, (50, 3)), rng.normal(1, 1, (80, 3))])
    scores = score_matrix(nearest_by_group(matrix, np.repeat([0, 1], [50, 80]), 2))
    assert scores[0, 1] == scores[1, 0]
    assert 0 < scores[0, 1] < 100
    assert scores[0, 0] == scores[1, 1] == 100


def test_a_partial_overlap_scores_between_none_and_full() -> None:
    rng = np.random.default_rng(2)
    a = _cloud(rng, 0.2, 60, "a")
    b = _cloud(rng, 0.2, 30, "b") + _cloud(rng, 0.9, 30, "c")
    c = _cloud(rng, 0.9, 60, "d")
    taste = compare_playlists([a, b, c], ["A", "B", "C"])
    assert taste.scores[0, 2] < taste.scores[0, 1] < 100
    assert taste.scores[1, 2] > taste.scores[0, 2]
    assert [other for other, _ in neighbours(taste, 1)] in ([0, 2], [2, 0])
    assert neighbours(taste, 0)[0][0] == 1


def test_identical_playlists_score_100_and_share_every_track() -> None:
    rng = np.random.default_rng(4)
    a = _cloud(rng, 0.5, 40, "a")
    taste = compare_playlists([a, list(a)], ["A", "A again"])
    assert taste.scores[0, 1] == 100
    assert taste.shared[(0, 1)].track_count == 40


def test_a_playlist_without_features_is_listed_but_not_scored() -> None:
    rng = np.random.default_rng(5)
    bare = [Track(id=f"x{i}", title=f"x {i}", artists=("X",)) for i in range(10)]
    taste = compare_playlists(
        [_cloud(rng, 0.2, 30, "a"), _cloud(rng, 0.8, 30, "b"), bare, []],
        ["A", "B", "no features", "empty"],
    )
    assert taste.placed == [30, 30, 0, 0]
    assert taste.sizes == [30, 30, 10, 0]
    assert np.isnan(taste.scores[0, 2]) and np.isnan(taste.scores[2, 3])
    assert [p[2] is None for p in taste.pairs()] == [False] + [True] * 5


def test_shared_tracks_artists_and_labels_match_across_spelling() -> None:
    a = [
        Track(id="1", title="Song", artists=("Daft Punk",), spotify_id="S1", label="Virgin"),
        Track(id="2", title="Other", artists=("Justice", "Daft Punk"), label="Ed Banger"),
    ]
    b = [
        Track(id="9", title="Song (remaster)", artists=("DAFT PUNK",), spotify_id="S1"),
        Track(id="8", title="  other ", artists=("justice",), label="virgin"),
    ]
    shared = shared_between(a, b)
    assert shared.track_count == 2
    assert shared.artists == ("Daft Punk", "Justice")
    assert shared.labels == ("Virgin",)
    assert track_key(a[0]) == track_key(b[0])


def test_the_bridge_takes_from_both_sides_the_tracks_nearest_the_other() -> None:
    rng = np.random.default_rng(6)
    a = _cloud(rng, 0.1, 40, "a") + _cloud(rng, 0.5, 5, "a-mid")
    b = _cloud(rng, 0.9, 40, "b") + _cloud(rng, 0.55, 5, "b-mid")
    taste = compare_playlists([a, b], ["A", "B"])
    tracks = bridge(taste, 0, 1, per_side=4)
    assert len(tracks) == 8
    # alternating sides, the middle tracks of each first
    assert [t.title.split(" song")[0] for t in tracks] == ["a-mid", "b-mid"] * 4


def test_meeting_points_count_each_side_per_cluster() -> None:
    rng = np.random.default_rng(7)
    a = _cloud(rng, 0.1, 30, "a") + _cloud(rng, 0.9, 30, "a2")
    b = _cloud(rng, 0.9, 30, "b")
    meetings = meeting_points(compare_playlists([a, b], ["A", "B"]), 0, 1)
    assert sum(m.count_a for m in meetings) == 60
    assert sum(m.count_b for m in meetings) == 30
    assert any(m.count_a >= 25 and m.count_b == 0 for m in meetings)
    assert any(m.count_a >= 25 and m.count_b >= 25 for m in meetings)


@pytest.mark.parametrize("count", [0, 1, 2])
def test_tiny_inputs_give_no_score_and_no_error(count: int) -> None:
    rng = np.random.default_rng(8)
    taste = compare_playlists([_cloud(rng, 0.5, count, "a"), _cloud(rng, 0.5, 20, "b")], ["A", "B"])
    assert np.isnan(taste.scores[0, 1])
    # nothing to bridge towards an empty playlist; otherwise both sides are offered
    assert len(bridge(taste, 0, 1)) == (0 if count == 0 else count + min(20, 10))
