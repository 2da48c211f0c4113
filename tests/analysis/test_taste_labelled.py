"""The overlap score orders real labelled playlists as a listener would (issue 24).

Real tracks with Spotify's audio features and the genre of the playlist they came
from (tests/data/labelled, CC0): two playlists of one genre must score above two
playlists of different genres. benchmarks/taste_validation.py prints the full figures.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.labelled import load_rows, taste_pairs


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return load_rows()


def _auc(same: list[float], different: list[float]) -> float:
    """The chance that a same-label pair outscores a different-label pair (ties half)."""
    s, d = np.array(same)[:, None], np.array(different)[None, :]
    return float(np.mean(s > d) + 0.5 * np.mean(s == d))


def test_same_genre_pairs_score_above_different_genre_pairs(rows) -> None:
    same, different, _ = taste_pairs(rows, "playlist_genre", 100, seed=0)
    assert len(same) == 6 and len(different) == 30
    assert min(same) > max(different)  # every one, on this draw
    assert np.median(same) >= 90
    assert np.median(different) <= 80


def test_same_subgenre_pairs_outscore_different_subgenres_almost_always(rows) -> None:
    same, different, pairs = taste_pairs(rows, "playlist_subgenre", 50, seed=1)
    assert _auc(same, different) >= 0.97
    # Across genres (e.g. classic rock against gangster rap) the score stays low.
    genre = {r["playlist_subgenre"]: r["playlist_genre"] for r in rows}
    across = [score for x, y, score in pairs if genre[x] != genre[y]]
    within = [score for x, y, score in pairs if genre[x] == genre[y]]
    assert np.median(across) < np.median(within) < np.median(same)
