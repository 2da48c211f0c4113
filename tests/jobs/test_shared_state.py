"""Page-turn locks and the member cooldown hold across processes (issue 25).

Two real processes (``tests/page_process.py``) press "next" on one shared message at
the same instant; each edit takes 0.3 s (a slow Discord). With the lock shared through
the database (SQLite file, PostgreSQL schema) or Redis the message turns once per
press, in order: page 2 then page 3. The control, with a lock in each process only,
turns it once for two presses. The cooldown: two processes' SharedCooldowns on one
database or one Redis let a member through once.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bot.services.leases import DatabaseLeases, RedisLeases, SharedCooldown
from bot.services.queue import OnCooldown
from storage.database import Database, open_database
from storage.messages import MessageState
from tests.conftest import ROOT, Location
from tests.storage.helpers import analyse, synthetic_playlist

MESSAGE = 4242


async def shared_message(location: Location) -> None:
    """A posted message on page 1 of cluster 1, whose cluster has 3 pages."""
    analysis = analyse(synthetic_playlist(60), k=2, png=False)
    async with await open_database(location) as db:
        await db.cache.put_analysis("key-1", analysis)
        await db.messages.save(MessageState(MESSAGE, 55, 66, "key-1", 7))


def press_together(location: Location, edits: Path, shared: bool, redis_url: str = "") -> None:
    """Two processes press "next" on the message at the same instant."""
    command = [sys.executable, "-m", "tests.page_process", str(location), str(MESSAGE)]
    extra = [str(edits), "1" if shared else "0", *([redis_url] if redis_url else [])]
    processes = [
        subprocess.Popen(
            [*command, *extra], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    for process in processes:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    for process in processes:
        out, _ = process.communicate(timeout=120)
        assert process.returncode == 0, out


def pages(edits: Path) -> list[str]:
    """The page each edit showed, in the order the edits landed ("Page 2/6")."""
    return [line.split(" · ")[0].split(" ", 1)[1] for line in edits.read_text().splitlines()]


async def stored_page(location: Location) -> int:
    async with await open_database(location) as db:
        state = await db.messages.get(MESSAGE)
        assert state is not None
        return state.page


def test_two_processes_pressing_together_turn_the_page_once_each_in_order(
    location: Location, tmp_path: Path
) -> None:
    asyncio.run(shared_message(location))
    edits = tmp_path / "edits.log"
    press_together(location, edits, shared=True)
    assert pages(edits) == ["Page 2/6", "Page 3/6"]
    assert asyncio.run(stored_page(location)) == 2


def test_the_same_through_redis(location: Location, tmp_path: Path, redis_url: str) -> None:
    asyncio.run(shared_message(location))
    edits = tmp_path / "edits.log"
    press_together(location, edits, shared=True, redis_url=redis_url)
    assert pages(edits) == ["Page 2/6", "Page 3/6"]
    assert asyncio.run(stored_page(location)) == 2


@pytest.mark.sqlite_only
def test_control_with_a_lock_per_process_two_presses_turn_once(
    location: Location, tmp_path: Path
) -> None:
    asyncio.run(shared_message(location))
    edits = tmp_path / "edits.log"
    press_together(location, edits, shared=False)
    assert pages(edits) == ["Page 2/6", "Page 2/6"]
    assert asyncio.run(stored_page(location)) == 1


async def test_the_cooldown_lets_a_member_through_once_across_processes(
    location: Location, redis_url: str
) -> None:
    dbs: list[Database] = [await open_database(location) for _ in range(2)]
    redis = [Redis.from_url(redis_url) for _ in range(2)]
    try:
        for leases in ([DatabaseLeases(db.leases) for db in dbs], [RedisLeases(r) for r in redis]):
            first, second = (SharedCooldown(one, 60) for one in leases)
            outcomes = await asyncio.gather(first.check(7), second.check(7), return_exceptions=True)
            refused = [o for o in outcomes if isinstance(o, OnCooldown)]
            assert len(refused) == 1 and 59 < refused[0].seconds_left <= 60
            await second.check(8)  # another member is not held up
            await first.reset(7)  # a failed request gives the attempt back, everywhere
            await second.check(7)
            with pytest.raises(OnCooldown):
                await first.check(7)
    finally:
        for db in dbs:
            await db.close()
        for client in redis:
            await client.aclose()
