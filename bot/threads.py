"""How many threads the native math libraries (BLAS, OpenMP) may use, set once at start.

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

import os
import sys

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
