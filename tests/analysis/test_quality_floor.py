"""A fast form of benchmarks/quality.py on real labelled tracks: floors, not timings.

Real tracks with Spotify audio features and playlist genres (tests/data/labelled,
CC0). The full benchmark reaches ARI about 0.5 on clearly different genres and picks
the true k on 12 of 15 samples; these floors sit well below that so they catch a
regression (the silhouette rule this replaced chose 2 clusters almost every time)
without flaking.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np

from tests.labelled import MIXES

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "quality.py"
_SPEC = importlib.util.spec_from_file_location("benchmark_quality", _PATH)
assert _SPEC and _SPEC.loader
quality = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = quality  # dataclasses look their module up there
_SPEC.loader.exec_module(quality)


def test_clearly_different_genres_are_found_on_real_tracks() -> None:
    separable = tuple(m for m in MIXES if m.separable)
    results = quality.run(samples=2, mixes=separable)
    hits = sum(r.hits for r in results)
    assert hits >= 3, [r.chosen_k for r in results]  # of 6 samples
    auto = np.mean([r.mean("auto k") for r in results])
    told = np.mean([r.mean("true k") for r in results])
    kmeans = np.mean([r.mean("KMeans") for r in results])
    assert auto >= 0.35
    assert told >= kmeans - 0.02
