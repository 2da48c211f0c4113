"""A fast form of benchmarks/quality.py on real labelled tracks: floors, not timings.

Real tracks with real audio features and genres (tests/data/labelled). The full
benchmark finds k within one of the true k on 88-100% of the separable samples of
every source and keeps 95-99% of the true-k ARI; these floors sit below that so they
catch a regression without flaking. Shuffling the rows must change nothing at all.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tests.labelled import SOURCES

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "quality.py"
_SPEC = importlib.util.spec_from_file_location("benchmark_quality", _PATH)
assert _SPEC and _SPEC.loader
quality = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = quality  # dataclasses look their module up there
_SPEC.loader.exec_module(quality)


@pytest.mark.parametrize("name", ["tidytuesday", "fma"])
def test_automatic_k_holds_on_a_tuned_and_an_untouched_source(name: str) -> None:
    source = next(s for s in SOURCES if s.name == name)
    result = quality.run_source(source, samples=1, sizes=(2, 3), other_per_size=0)
    assert result.count >= 6, "too few separable samples to judge"
    assert result.share(1) >= 0.7, list(zip(result.chosen_k, result.truth_k, strict=True))
    assert result.mean("auto k") >= 0.8 * result.mean("true k")
    assert result.mean("true k") >= result.mean("KMeans") - 0.05
    # the same playlist shuffled: the same clusters and the same k, every time
    assert min(result.shuffle_ari) >= 0.95 and all(result.shuffle_same_k)
