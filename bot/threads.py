"""How the process runs its threads, set once at start: native math libraries, GIL, GC.

:func:`limit_native_threads`: how many threads the native math libraries (BLAS,
OpenMP) may use. :func:`tune_interpreter`: the bot's cyclic GC and GIL switch interval,
so that no thread holds the event loop for long.

NumPy's BLAS (OpenBLAS or MKL) and scikit-learn's OpenMP loops start one thread per
core by default. On a small machine that oversubscribes the cores as soon as two
analyses run at once (the bot runs up to ``MAX_CONCURRENT_ANALYSES`` in worker
threads), and those threads spin while waiting. The composition roots call
:func:`limit_native_threads` before any analysis: ``NATIVE_THREADS`` when set, else
the cores shared among the analyses that may run at once (the bot: cores //
``MAX_CONCURRENT_ANALYSES``, at least 1; the CLI: every core). Preview-audio workers
already run one BLAS thread each (``features/audio.py``).

Thread counts a user set in the environment (``OMP_NUM_THREADS`` and friends) win:
nothing is changed then.
"""

from __future__ import annotations

import gc
import os
import sys

#: The cyclic GC's youngest-generation threshold in the bot (CPython's default is 700).
#: Answering a 10,000-track link allocates and frees a few hundred thousand containers
#: (pages, models, feature batches): at 700 that ran ~350 young collections, ~30 middle
#: and 2-3 full ones per answer, and each full collection walks every Track the bot
#: holds in memory (40-60 ms of held GIL: the event loop's longest stall). At 5,000,
#: short-lived objects mostly die before a collection sees them: ~15 young and one
#: middle collection per answer (10-30 ms) and no full one (benchmarks/bot.py; see
#: docs/sources.md). Older generations keep their
#: defaults, so cyclic garbage is still collected, only in fewer, similar passes.
GC_GEN0_THRESHOLD = 5_000
#: How long a thread may hold the GIL while another waits for it (CPython's default:
#: 5 ms). The event loop gives the GIL up on every socket call; while a worker thread
#: runs Python (decoding pages, the analysis) each time costs the loop up to one
#: interval, several per turn. At 1 ms the loop's worst stall and the answer time of a
#: 10,000-track link were both lower in alternating runs against 5 ms (benchmarks/bot.py
#: ``--switch``); the worker pays a few more switches.
SWITCH_INTERVAL_SECONDS = 0.001

#: The variables the common BLAS and OpenMP runtimes read when they load.
ENV_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


def cpu_count() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def native_threads(setting: int, analyses: int) -> int:
    """``setting`` when positive, else the cores divided among ``analyses`` (at least 1)."""
    if setting > 0:
        return setting
    return max(1, cpu_count() // max(1, analyses))


def limit_native_threads(threads: int) -> int | None:
    """Cap BLAS/OpenMP at ``threads``: environment defaults for libraries not loaded yet,
    threadpoolctl for those already loaded. Returns the cap, or None when the user's
    environment already chose one."""
    if any(var in os.environ for var in ENV_VARS):
        return None
    for var in ENV_VARS:
        os.environ[var] = str(threads)
    if any(name in sys.modules for name in ("numpy", "scipy", "sklearn")):
        from threadpoolctl import threadpool_limits

        threadpool_limits(threads)
    return threads


def tune_interpreter(
    gen0: int = GC_GEN0_THRESHOLD, switch_interval: float = SWITCH_INTERVAL_SECONDS
) -> None:
    """Tune CPython for the bot's event loop; called once, after start-up.

    Whatever holds the GIL holds the loop, in whichever thread. What is loaded by now
    (discord.py, scikit-learn, matplotlib, ...) lives as long as the process: it is
    frozen out of the cyclic GC (``gc.freeze``), so no collection walks it again. The
    young threshold is raised to ``gen0`` (:data:`GC_GEN0_THRESHOLD`), so a large
    answer no longer triggers full collections over the analyses held in memory; frozen
    objects are still freed by reference counting. The GIL switch interval is set to
    ``switch_interval`` (:data:`SWITCH_INTERVAL_SECONDS`), so the loop waits less for
    the GIL after each socket call while a worker thread computes.
    """
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(gen0, middle, old)
    sys.setswitchinterval(switch_interval)
