"""Short commands load no heavy library (issue 11: `--help` at once, not after 4 s of imports).

Not timed (figures: benchmarks/startup.py); checks ``sys.modules`` in a fresh process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

# asyncpg too: only a DATABASE_URL of PostgreSQL loads it, never the SQLite default
HEAVY = ("sklearn", "matplotlib", "discord", "scipy", "miniaudio", "numpy", "aiohttp", "asyncpg")
PROBE = """
import runpy, sys
sys.argv = ["playlist-clusters", *sys.argv[1:]]
code = 0
try:
    runpy.run_module("bot.roots.cli", run_name="__main__")
except SystemExit as exc:
    code = exc.code
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(HEAVY_NAMES))
print("EXIT", code, "HEAVY", ",".join(heavy) or "none", file=sys.stderr)
""".replace("HEAVY_NAMES", repr(HEAVY))


def _loaded(args: list[str], tmp_path: Path) -> tuple[str, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_PATH": str(tmp_path / "c.db"),
        "DATABASE_URL": "",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("EXIT"), result.stderr
    _, code, _, heavy = last.split()
    return code, heavy


@pytest.mark.parametrize(
    ("args", "code"),
    [(["--help"], "0"), (["analyze"], "2"), (["analyze", "x.csv", "-k", "１２"], "2")],
)
def test_help_and_usage_errors_import_no_heavy_library(
    args: list[str], code: str, tmp_path: Path
) -> None:
    assert _loaded(args, tmp_path) == (code, "none")


def test_cache_stats_imports_no_analysis_library(tmp_path: Path) -> None:
    code, heavy = _loaded(["cache", "stats"], tmp_path)
    assert code == "0"
    assert heavy == "none"
    assert (tmp_path / "c.db").exists()
