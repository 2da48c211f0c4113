"""Repeat-and-report helpers shared by the in-process benchmarks: every figure is a
median of several runs printed with its min and max, as the project's benchmarks promise."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

Figures = tuple[float, float, float]


def timed(fn: Callable[[], object], runs: int) -> Figures:
    """Median, min and max seconds of ``runs`` calls (after one warm-up call, so imports
    and first-use caches are not counted)."""
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times)


def row(name: str, figures: Figures, width: int = 44) -> None:
    """One printed line: the name, then the median in ms with min and max."""
    median, low, high = figures
    print(f"{name:<{width}} {median * 1000:8.0f} ms  (min {low * 1000:.0f}, max {high * 1000:.0f})")
