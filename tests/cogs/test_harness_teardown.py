"""The SimCord world leaves nothing running behind it, even when the test fails.

A bot's database runs on aiosqlite's worker thread, which is not a daemon: left open,
the interpreter waits for it forever at exit. A failed test's traceback keeps the bot
referenced until pytest exits, so one failing SimCord test used to make the whole
pytest process hang after printing its report (that is how the first /clusters link:
test looked like a hang).
"""

from __future__ import annotations

import threading
from concurrent.futures import thread as pool_threads
from pathlib import Path

import pytest

from tests.harness import playlist_csv, world


def _new_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    """Threads started since ``before`` that would keep the interpreter from exiting.

    Thread-pool workers (the loop's default executor among them) do not: the pool
    tells them to stop when the interpreter exits.
    """
    left = [
        t
        for t in threading.enumerate()
        if t not in before
        and not t.daemon
        and getattr(t, "_target", None) is not pool_threads._worker
    ]
    for thread in left:
        thread.join(timeout=2)  # a closed connection's thread ends within moments
    return [t for t in left if t.is_alive()]


async def test_a_failing_test_leaves_no_thread_that_blocks_exit(tmp_path: Path) -> None:
    before = set(threading.enumerate())
    kept = []
    with pytest.raises(AssertionError, match="the test's own failure"):
        async with world(tmp_path) as w:
            result = await w.clusters(csv_bytes=playlist_csv(), clusters=2)
            kept.append(w.bot)  # as a failure's traceback keeps it
            assert result.response is None, "the test's own failure"
    assert not _new_threads(before)
    assert kept[0]._closed_resources


async def test_bots_replaced_by_a_restart_are_closed_too(tmp_path: Path) -> None:
    before = set(threading.enumerate())
    kept = []
    async with world(tmp_path) as w:
        kept.append(w.bot)
        kept.append(await w.restart())
    assert not _new_threads(before)
