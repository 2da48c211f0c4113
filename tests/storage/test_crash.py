"""A writer process killed with SIGKILL while saving an analysis never leaves half of it.

After each kill the database must open, pass its integrity check, keep the cache
totals exact, and hold the new analysis either whole (with the eviction its write
caused) or not at all (with nothing evicted). Kills at SQLite's own VM steps and
statements are about the SQLite file (``sqlite_only``); kills from outside at random
moments run on both backends.
"""

from __future__ import annotations

import asyncio
import json
import random
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.render.document import from_document, to_document
from storage.database import Database
from tests.storage.conftest import Location
from tests.storage.helpers import ROOT, WRITER, analyse, synthetic_playlist

OLD_KEYS = ("old-0", "old-1", "old-2")


@pytest.fixture(scope="module")
def crash_input(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, bytes]:
    """A 300-track analysis with a 200 kB incompressible picture, as files for the writer."""
    folder = tmp_path_factory.mktemp("crash-input")
    doc = to_document(analyse(synthetic_playlist(300, seed=11), k=3, png=False))
    png = random.Random(5).randbytes(200_000)
    (folder / "doc.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    (folder / "png").write_bytes(png)
    return folder, doc, png


async def _prepare(path: Location, doc: dict, png: bytes) -> int:
    """Three old analyses; returns a bound that makes one more evict exactly old-0."""
    clock = iter(range(100, 200))
    async with await Database.open(path) as db:
        db.cache.clock = lambda: float(next(clock))
        for key in OLD_KEYS:
            await db.cache.put_analysis(key, from_document(doc, png))
        return await db.cache.size_bytes() + 1000


async def _inspect(path: Location, doc: dict, png: bytes) -> set[str]:
    """Open after the crash, check everything, return the keys present."""
    async with await Database.open(path) as db:
        assert await db.integrity_check() == "ok"
        async with db.read() as conn:
            actual = await conn.fetchone(
                "SELECT count(*), coalesce(sum(size_bytes), 0) FROM analyses"
            )
            kept = await conn.fetchone(
                "SELECT rows, bytes FROM cache_usage WHERE kind = 'analyses'"
            )
            assert kept == actual
            keys = {row[0] for row in await conn.fetchall("SELECT key FROM analyses")}
        for key in keys:
            cached = await db.cache.get_analysis(key)
            assert cached is not None
            assert to_document(cached) == doc and cached.png == png, key
    return keys


def _write(
    path: Location, folder: Path, bound: int, *mode: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*WRITER, str(path), str(folder), str(bound), *mode],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _whole_or_absent(keys: set[str]) -> str:
    if "new" in keys:
        assert keys == {"new", "old-1", "old-2"}  # the eviction came with the write
        return "whole"
    assert keys == set(OLD_KEYS)  # nothing evicted either
    return "absent"


@pytest.mark.sqlite_only  # SQLite VM steps
def test_killed_at_every_stage_of_the_write(
    tmp_path: Path, crash_input: tuple[Path, dict, bytes]
) -> None:
    folder, doc, png = crash_input
    counted = tmp_path / "count.db"
    bound = asyncio.run(_prepare(counted, doc, png))
    done = _write(counted, folder, bound, "count")
    assert done.returncode == 0, done.stderr
    steps = int(done.stdout.split()[-1])
    assert steps > 20
    assert _whole_or_absent(asyncio.run(_inspect(counted, doc, png))) == "whole"

    outcomes = []
    for step in sorted({1, steps // 10, steps // 4, steps // 2, 3 * steps // 4, steps - 1}):
        path = tmp_path / f"step-{step}.db"
        bound = asyncio.run(_prepare(path, doc, png))
        killed = _write(path, folder, bound, "step", str(step))
        assert killed.returncode == -signal.SIGKILL, (step, killed.stderr)
        outcomes.append(_whole_or_absent(asyncio.run(_inspect(path, doc, png))))
    assert "absent" in outcomes


@pytest.mark.sqlite_only  # SQLite's statements, through its trace hook
@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO analyses",  # transaction open, nothing written
        "SELECT coalesce(sum(bytes), 0) FROM cache_usage",  # row and totals written
        "DELETE FROM analyses",  # eviction chose its victim
        "COMMIT",  # everything written, not committed
    ],
)
def test_killed_before_each_statement_of_the_write(
    tmp_path: Path, crash_input: tuple[Path, dict, bytes], statement: str
) -> None:
    folder, doc, png = crash_input
    path = tmp_path / "bot.db"
    bound = asyncio.run(_prepare(path, doc, png))
    killed = _write(path, folder, bound, "statement", statement)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert _whole_or_absent(asyncio.run(_inspect(path, doc, png))) == "absent"


def test_killed_from_outside_at_random_moments_of_a_stream_of_writes(
    new_location: Callable[[str], Location], crash_input: tuple[Path, dict, bytes]
) -> None:
    folder, doc, png = crash_input
    rng = random.Random(3)
    for attempt in range(4):
        path = new_location(f"loop-{attempt}")
        bound = asyncio.run(_prepare(path, doc, png))
        writer = subprocess.Popen(
            [*WRITER, str(path), str(folder), str(bound), "loop"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 0.6))
        writer.send_signal(signal.SIGKILL)
        acknowledged = [line.strip() for line in writer.stdout]
        writer.wait(timeout=30)
        keys = asyncio.run(_inspect(path, doc, png))
        assert 1 <= len(keys) <= 3  # still under the bound
        if acknowledged:  # a committed write survives the crash
            assert acknowledged[-1] in keys
