"""BLAS/OpenMP thread caps set at the composition roots, the bot's GC and GIL tuning
(bot/threads.py)."""

from __future__ import annotations

import gc
import os
import sys

import numpy  # noqa: F401  (a loaded BLAS, as in the bot and the CLI)
import pytest
from threadpoolctl import threadpool_info

from bot import threads


def test_the_cores_are_shared_among_concurrent_analyses(monkeypatch) -> None:
    monkeypatch.setattr(threads, "cpu_count", lambda: 8)
    assert threads.native_threads(0, 2) == 4
    assert threads.native_threads(0, 1) == 8
    assert threads.native_threads(0, 16) == 1
    assert threads.native_threads(3, 2) == 3  # NATIVE_THREADS wins


def test_caps_loaded_libraries_and_those_loaded_later(monkeypatch) -> None:
    for var in threads.ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    cap = threads.cpu_count()  # the test process keeps its usual thread count
    assert threads.limit_native_threads(cap) == cap
    assert all(os.environ[var] == str(cap) for var in threads.ENV_VARS)
    assert all(pool["num_threads"] <= cap for pool in threadpool_info())


def test_a_users_own_setting_wins(monkeypatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "7")
    for var in threads.ENV_VARS[1:]:
        monkeypatch.delenv(var, raising=False)
    assert threads.limit_native_threads(1) is None
    assert os.environ["OMP_NUM_THREADS"] == "7"
    assert "OPENBLAS_NUM_THREADS" not in os.environ


@pytest.fixture(autouse=True)
def _restore_env(monkeypatch):
    # limit_native_threads writes os.environ directly; monkeypatch restores what it saw
    for var in threads.ENV_VARS:
        if var in os.environ:
            monkeypatch.setenv(var, os.environ[var])
        else:
            monkeypatch.delenv(var, raising=False)


def test_interpreter_tuned_for_the_loop_freezes_the_start_up_heap() -> None:
    before, interval = gc.get_threshold(), sys.getswitchinterval()
    loaded = [["start-up"]]  # lives as long as the process, like the modules loaded at start
    try:
        threads.tune_interpreter()
        assert gc.get_threshold() == (threads.GC_GEN0_THRESHOLD, before[1], before[2])
        assert sys.getswitchinterval() == pytest.approx(threads.SWITCH_INTERVAL_SECONDS)
        later = [["an analysis"]]
        tracked = {id(o) for o in gc.get_objects()}
        assert id(loaded) not in tracked  # frozen: no collection walks it again
        assert id(later) in tracked  # made after start-up: still collected
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
        sys.setswitchinterval(interval)
