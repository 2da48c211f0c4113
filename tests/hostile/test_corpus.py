"""The hostile-input corpus, fast form: no traceback, hang, stray write or second line.

Most cases run in this process through ``bot.roots.cli.main`` (the libraries load once);
those that could hang or exhaust memory (a FIFO, /dev/zero, /dev/urandom, ...) run
in a child process with an address-space limit and a timeout. The network is
unreachable (closed ports on 127.0.0.1) and, to keep CI fast, connection failures
are not retried (``HTTP_MAX_RETRIES=0``); `python benchmarks/hostile.py` runs every
case in a child process with the default settings and prints the outcome by class.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from tests.hostile.corpus import all_cases
from tests.hostile.runner import offline_env, run

CASES = all_cases()
CLASSES = ("names", "numbers", "files", "special", "links", "options", "settings", "compare")


@pytest.fixture(scope="module")
def corpus_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture(scope="module")
def offline() -> dict[str, str]:
    return offline_env(retries=0)


def test_the_corpus_covers_every_class() -> None:
    counts = Counter(case.cls for case in CASES)
    assert len(CASES) >= 300
    assert set(counts) == set(CLASSES)
    assert min(counts.values()) >= 25
    assert len({case.id for case in CASES}) == len(CASES)
    assert sum(case.process for case in CASES) >= 5


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_case(case, corpus_root: Path, offline: dict[str, str]) -> None:
    outcome = run(case, corpus_root, offline, timeout=60, child=False)
    assert not outcome.problems, (outcome.code, outcome.stderr[-2000:])
    shutil.rmtree(corpus_root / case.id, ignore_errors=True)


def _misbehaving(kind: str):
    def main(argv: list[str]) -> int:
        import sys
        import time

        if kind == "traceback":
            raise RuntimeError("boom")
        if kind == "hang":
            time.sleep(30)
        if kind == "outside":
            Path("../outside/leak.txt").write_text("x", encoding="utf-8")
        if kind == "two-lines":
            print("one\ntwo", file=sys.stderr)
            return 2
        if kind == "half":
            Path("out").mkdir(exist_ok=True)
            Path("out/clusters.md").write_text("half", encoding="utf-8")
            print("playlist-clusters: disk full", file=sys.stderr)
            return 2
        if kind == "ansi":
            print("\x1b[31mred")
        return 0

    return main


@pytest.mark.parametrize(
    ("kind", "problem"),
    [
        ("traceback", "traceback"),
        ("hang", "hang"),
        ("outside", "wrote outside --out"),
        ("two-lines", "exit 2 with 2 stderr lines"),
        ("ansi", "control characters on stdout"),
        ("nothing", "exit 0 but no output folder"),
        ("half", "exit 2 but results changed"),
    ],
)
def test_the_runner_catches_what_it_looks_for(
    kind: str, problem: str, corpus_root: Path, offline: dict[str, str], monkeypatch
) -> None:
    import bot.roots.cli

    monkeypatch.setattr(bot.roots.cli, "main", _misbehaving(kind))
    case = next(c for c in CASES if c.id == "names-001")
    outcome = run(case, corpus_root, offline, timeout=1, child=False)
    assert any(p.startswith(problem) for p in outcome.problems), outcome.problems
