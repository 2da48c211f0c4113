"""The whole hostile-input corpus, every case in its own process, outcome by class.

Each case runs as a fresh `python -c 'bot.roots.cli.main(...)'` child with DEFAULT
settings (retries included), the network unreachable (every base URL at a closed
127.0.0.1 port), an address-space limit, a timeout, and its peak resident memory
reported; the case folder is compared before and after for writes outside --out.
This is the slow, complete form of ``tests/hostile/test_corpus.py``.

Run: python benchmarks/hostile.py [--jobs 2] [--class names ...] [--timeout 120]
     [--in-process]   (the CI form: one process, no retries; labelled as such)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# the project root first: this folder's bot.py would otherwise shadow the bot package
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.hostile.corpus import all_cases
from tests.hostile.runner import Outcome, offline_env, run


def _table(outcomes: list[Outcome]) -> None:
    by_class: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_class[outcome.case.cls].append(outcome)
    head = f"{'class':10} {'cases':>6} {'passed':>7} {'tracebacks':>10} {'hangs':>6}"
    print(head + f" {'other':>6} {'exit 2':>7} {'median s':>9} {'max s':>7} {'peak MB':>8}")
    rows = [*sorted(by_class.items()), ("all", outcomes)]
    for cls, group in rows:
        tracebacks = sum(o.traceback for o in group)
        hangs = sum(o.hang for o in group)
        passed = sum(not o.problems for o in group)
        other = len(group) - passed - sum(o.traceback or o.hang for o in group if o.problems)
        seconds = [o.seconds for o in group]
        rss = max((o.rss for o in group), default=0) / 1e6
        print(
            f"{cls:10} {len(group):6} {passed:7} {tracebacks:10} {hangs:6} {other:6} "
            f"{sum(o.code == 2 for o in group):7} {statistics.median(seconds):9.2f} "
            f"{max(seconds):7.2f} {rss:8.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--class", dest="classes", action="append", default=[])
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--in-process", action="store_true", help="the CI form")
    args = parser.parse_args()
    cases = [c for c in all_cases() if not args.classes or c.cls in args.classes]
    env = offline_env(retries=0 if args.in_process else None)
    form = "in-process, HTTP_MAX_RETRIES=0 (CI form)" if args.in_process else "child processes"
    print(f"{len(cases)} cases, {form}, default settings otherwise, timeout {args.timeout:g} s")
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        if args.in_process:
            outcomes = [run(c, root, env, args.timeout, child=False) for c in cases]
        else:
            children = [c for c in cases if not c.in_process_only]
            with ThreadPoolExecutor(args.jobs) as pool:
                outcomes = list(
                    pool.map(lambda c: run(c, root, env, args.timeout, child=True), children)
                )
            # argv with a NUL cannot reach a child: run here, in the main thread (alarm)
            outcomes += [
                run(c, root, env, args.timeout, child=False) for c in cases if c.in_process_only
            ]
    _table(outcomes)
    print(f"wall time {time.perf_counter() - start:.0f} s")
    for outcome in outcomes:
        if outcome.problems:
            print(f"  {outcome.case.id}: {'; '.join(outcome.problems)}")


if __name__ == "__main__":
    main()
