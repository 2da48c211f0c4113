"""Weekly posts with several bot processes on one database: never twice, never lost.

Each "process" is a :class:`~bot.weekly.clock.WeeklyClock` with its own
:class:`~storage.database.Database` on the same database (and, at the end, real
separate processes: ``tests/clock_process.py``), on both backends: one SQLite file, and
one PostgreSQL schema. The races are forced, not hoped for: every clock reads the due
schedules before any of them posts.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.shards import ShardPlan, shard_of
from bot.weekly.clock import ClaimLost, WeeklyClock
from bot.weekly.rules import this_weeks_slot
from storage.database import Database
from storage.schedules import Schedule, ScheduleRepository
from tests.conftest import ROOT, Location

FRIDAY = datetime(2026, 1, 2, 18, tzinfo=UTC)  # the schedules' slot: Fridays 18:00 UTC
LEASE = timedelta(minutes=30)
RETRY = timedelta(minutes=15)


def guild_on_shard(shard: int, count: int, n: int = 0) -> int:
    """A guild id (a snowflake) that Discord puts on ``shard`` of ``count``."""
    guild = ((1_000 + n * count + shard) << 22) | 12345
    assert shard_of(guild, count) == shard
    return guild


async def add_schedules(db: Database, guilds: list[int]) -> list[int]:
    """One schedule per guild, due on Friday 2026-01-02 at 18:00 UTC (never posted)."""
    ids = []
    for guild in guilds:
        schedule = await db.schedules.add(
            Schedule(
                guild_id=guild,
                channel_id=guild + 1,
                ref_source="deezer",
                ref_id="908622995",
                weekday=4,
                time="18:00",
                timezone="UTC",
                created_by=3,
            )
        )
        assert schedule.id is not None
        ids.append(schedule.id)
    return ids


class Barrier:
    """Holds every clock after its first read of the schedules until all have read."""

    def __init__(self, parties: int) -> None:
        self.parties = parties
        self.arrived = 0
        self.all_read = asyncio.Event()

    async def arrive(self) -> None:
        self.arrived += 1
        if self.arrived == self.parties:
            self.all_read.set()
        await self.all_read.wait()


class RacingRepo:
    """A schedules repository whose first read waits at ``barrier`` (a stale list)."""

    def __init__(self, repo: ScheduleRepository, barrier: Barrier) -> None:
        self._repo = repo
        self._barrier = barrier
        self._reads = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self._repo, name)

    async def all_enabled(self) -> list[Schedule]:
        found = await self._repo.all_enabled()
        self._reads += 1
        if self._reads == 1:
            await self._barrier.arrive()
        return found


class NoClaims(RacingRepo):
    """The control: claims always granted, as if there were none."""

    async def claim(self, *args: object, **kwargs: object) -> bool:
        return True

    async def renew(self, *args: object, **kwargs: object) -> bool:
        return True


class Process:
    """One bot process: a database connection, a clock, and the posts it made."""

    def __init__(
        self,
        db: Database,
        name: str,
        posts: list[tuple[int, str]],
        *,
        repo: object = None,
        plan: ShardPlan | None = None,
    ) -> None:
        self.db = db
        self.name = name
        self.posts = posts
        self.now = FRIDAY
        self.held: asyncio.Event | None = None  # set: the post waits for it before sending
        self.entered = asyncio.Event()  # a post began (its week is claimed)
        self.notified: list[str] = []
        self.clock = WeeklyClock(
            repo or db.schedules,  # type: ignore[arg-type]
            self.post,
            self.notify,
            now=lambda: self.now,
            retry_delay=RETRY,
            max_sleep=timedelta(hours=1),
            owns=(plan or ShardPlan()).owns,
            owner=name,
            lease=LEASE,
        )

    async def post(self, schedule: Schedule, now: datetime) -> None:
        """What the schedule cog does: analyse (here: maybe wait), confirm, send, mark."""
        assert schedule.id is not None
        self.entered.set()
        if self.held is not None:
            await self.held.wait()
        await self.clock.confirm(schedule)
        self.posts.append((schedule.id, self.name))
        await asyncio.sleep(0)  # the send: another task may run meanwhile
        week, _ = this_weeks_slot(schedule, now)
        await self.db.schedules.mark_posted(schedule.id, week, [], {})

    async def notify(self, schedule: Schedule, reason: str) -> None:
        self.notified.append(reason)


@pytest.fixture
async def dbs(location: Location) -> AsyncIterator[list[Database]]:
    """Three databases opened on one location: three processes' views of one database."""
    opened = [await Database.open(location) for _ in range(3)]
    try:
        yield opened
    finally:
        for db in opened:
            await db.close()


async def test_two_clocks_racing_post_each_schedule_exactly_once(dbs: list[Database]) -> None:
    ids = await add_schedules(dbs[0], [guild_on_shard(0, 1, n) for n in range(20)])
    posts: list[tuple[int, str]] = []
    barrier = Barrier(2)
    a = Process(dbs[0], "a", posts, repo=RacingRepo(dbs[0].schedules, barrier))
    b = Process(dbs[1], "b", posts, repo=RacingRepo(dbs[1].schedules, barrier))
    made = await asyncio.gather(a.clock.check(), b.clock.check())
    assert Counter(sid for sid, _ in posts) == Counter(ids)  # every one, once
    assert sum(made) == len(ids)
    for sid in ids:
        stored = await dbs[2].schedules.get(sid)
        assert stored is not None and stored.last_posted_week == "2026-W01"
    # both looked at every schedule: the other's claims were refused, not unseen
    assert set(a.clock.retry_at) | {s for s, who in posts if who == "a"} == set(ids)
    assert set(b.clock.retry_at) | {s for s, who in posts if who == "b"} == set(ids)


async def test_the_same_race_without_claims_posts_twice(dbs: list[Database]) -> None:
    """The control for the test above: its race is real."""
    ids = await add_schedules(dbs[0], [guild_on_shard(0, 1, n) for n in range(5)])
    posts: list[tuple[int, str]] = []
    barrier = Barrier(2)
    a = Process(dbs[0], "a", posts, repo=NoClaims(dbs[0].schedules, barrier))
    b = Process(dbs[1], "b", posts, repo=NoClaims(dbs[1].schedules, barrier))
    await asyncio.gather(a.clock.check(), b.clock.check())
    assert Counter(sid for sid, _ in posts) == Counter(ids * 2)


async def test_each_process_posts_the_schedules_of_its_own_shards(dbs: list[Database]) -> None:
    zero = [guild_on_shard(0, 2, n) for n in range(4)]
    one = [guild_on_shard(1, 2, n) for n in range(3)]
    ids = await add_schedules(dbs[0], zero + one)
    posts: list[tuple[int, str]] = []
    a = Process(dbs[0], "shard-0", posts, plan=ShardPlan.of(2, [0]))
    b = Process(dbs[1], "shard-1", posts, plan=ShardPlan.of(2, [1]))
    await asyncio.gather(a.clock.check(), b.clock.check())
    by = {sid: who for sid, who in posts}
    assert len(posts) == len(ids)
    assert [by[sid] for sid in ids] == ["shard-0"] * 4 + ["shard-1"] * 3
    # neither looked at the other's schedules (no claims refused, nothing to retry)
    assert a.clock.retry_at == {} and b.clock.retry_at == {}


async def test_a_claim_left_by_a_crashed_process_is_taken_over_after_the_lease(
    dbs: list[Database],
) -> None:
    (sid,) = await add_schedules(dbs[0], [guild_on_shard(0, 1)])
    posts: list[tuple[int, str]] = []
    a = Process(dbs[0], "a", posts)
    a.held = asyncio.Event()  # a claims, then "crashes" while analysing
    crashed = asyncio.create_task(a.clock.check())
    await asyncio.wait_for(a.entered.wait(), 10)
    crashed.cancel()
    with pytest.raises(asyncio.CancelledError):
        await crashed

    b = Process(dbs[1], "b", posts)
    b.now = FRIDAY + LEASE - timedelta(seconds=1)
    assert await b.clock.check() == 0  # a's claim still holds
    assert b.clock.retry_at == {sid: b.now + RETRY}
    b.now = FRIDAY + LEASE + RETRY  # a never came back
    assert await b.clock.check() == 1
    assert posts == [(sid, "b")]


async def test_a_process_whose_claim_was_taken_over_sends_nothing(dbs: list[Database]) -> None:
    (sid,) = await add_schedules(dbs[0], [guild_on_shard(0, 1)])
    posts: list[tuple[int, str]] = []
    a = Process(dbs[0], "a", posts)
    a.held = asyncio.Event()  # a's analysis takes longer than its lease
    slow = asyncio.create_task(a.clock.check())
    await asyncio.wait_for(a.entered.wait(), 10)
    b = Process(dbs[1], "b", posts)
    b.now = a.now = FRIDAY + LEASE + timedelta(seconds=1)
    assert await b.clock.check() == 1  # b took the lapsed claim over and posted
    a.held.set()
    assert await slow == 0  # a confirmed before sending: ClaimLost, nothing sent
    assert posts == [(sid, "b")]
    assert a.notified == [] and sid in a.clock.retry_at


async def test_confirm_without_a_claim_is_claim_lost(dbs: list[Database]) -> None:
    (sid,) = await add_schedules(dbs[0], [guild_on_shard(0, 1)])
    a = Process(dbs[0], "a", [])
    schedule = await dbs[0].schedules.get(sid)
    assert schedule is not None
    with pytest.raises(ClaimLost):
        await a.clock.confirm(schedule)


async def test_a_passing_failure_keeps_the_claim_until_the_retry(dbs: list[Database]) -> None:
    (sid,) = await add_schedules(dbs[0], [guild_on_shard(0, 1)])
    posts: list[tuple[int, str]] = []
    a = Process(dbs[0], "a", posts)

    async def down(schedule: Schedule, now: datetime) -> None:
        raise ConnectionError("Discord answered 503")

    a.clock.post = down
    assert await a.clock.check() == 0
    b = Process(dbs[1], "b", posts)
    b.now = FRIDAY + RETRY - timedelta(seconds=1)
    assert await b.clock.check() == 0  # a retries first: b does not jump in
    a.clock.post = a.post
    a.now = FRIDAY + RETRY
    a.clock.next_check = None
    assert await a.clock.check() == 1
    assert posts == [(sid, "a")]


# -- real processes -------------------------------------------------------------------


def clock_process(
    db: Location, log: Path, now: datetime, mode: str, *shard: int
) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.clock_process", str(db), str(log), now.isoformat(), mode]
        + [str(s) for s in shard],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen) -> str:
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 0, out
    return out


def posted(log: Path) -> Counter[int]:
    if not log.exists():
        return Counter()
    return Counter(int(line.split()[0]) for line in log.read_text("utf-8").splitlines())


def test_two_real_processes_racing_post_each_schedule_exactly_once(
    location: Location, tmp_path: Path
) -> None:
    db, log = location, tmp_path / "posts.log"

    async def prepare() -> list[int]:
        async with await Database.open(db) as database:
            return await add_schedules(database, [guild_on_shard(0, 1, n) for n in range(30)])

    ids = asyncio.run(prepare())
    processes = [clock_process(db, log, FRIDAY, "race") for _ in range(2)]
    for process in processes:  # both hold the list of 30 due schedules ...
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
    for process in processes:  # ... before either posts
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    outs = [finish(p) for p in processes]
    assert posted(log) == Counter(ids)
    assert sum(int(out.split()[-1]) for out in outs) == len(ids)


def test_a_killed_process_s_claim_is_posted_by_another_after_the_lease(
    location: Location, tmp_path: Path
) -> None:
    db, log = location, tmp_path / "posts.log"

    async def prepare() -> list[int]:
        async with await Database.open(db) as database:
            return await add_schedules(database, [guild_on_shard(0, 1)])

    (sid,) = asyncio.run(prepare())
    hung = clock_process(db, log, FRIDAY, "hang")
    assert hung.stdout is not None
    assert hung.stdout.readline().strip() == f"claimed {sid}"
    hung.kill()
    hung.wait(timeout=30)
    early = clock_process(db, log, FRIDAY + LEASE - timedelta(seconds=1), "once")
    assert finish(early).split()[-1] == "0"  # the dead process's claim still holds
    late = clock_process(db, log, FRIDAY + LEASE, "once")
    assert finish(late).split()[-1] == "1"
    assert posted(log) == Counter([sid])


def test_two_real_shard_processes_each_post_their_own_guilds(
    location: Location, tmp_path: Path
) -> None:
    db, log = location, tmp_path / "posts.log"
    zero = [guild_on_shard(0, 2, n) for n in range(3)]
    one = [guild_on_shard(1, 2, n) for n in range(2)]

    async def prepare() -> list[int]:
        async with await Database.open(db) as database:
            return await add_schedules(database, zero + one)

    ids = asyncio.run(prepare())
    processes = [clock_process(db, log, FRIDAY, "once", 2, shard) for shard in (0, 1)]
    pids = [p.pid for p in processes]
    outs = [finish(p) for p in processes]
    assert [out.split()[-1] for out in outs] == ["3", "2"]
    lines = [line.split() for line in log.read_text("utf-8").splitlines()]
    by = {int(sid): int(pid) for sid, pid in lines}
    assert len(lines) == len(ids)
    assert [by[sid] for sid in ids] == [pids[0]] * 3 + [pids[1]] * 2
