"""The weekly clock on its own: a fake clock, a real schedules table, no Discord.

The clock starts on Thursday 2026-01-01 00:00 UTC. ``post`` stands in for the cog:
it records the instant and marks the week posted, as the cog does after sending.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.errors import PlaylistUnavailable, ProviderDown
from bot.weekly.clock import REREAD, Undeliverable, WeeklyClock
from bot.weekly.rules import this_weeks_slot, week_done_at_creation
from storage.database import Database
from storage.schedules import Schedule

START = datetime(2026, 1, 1, tzinfo=UTC)  # a Thursday


class OutOfTime(Exception):
    """The fake clock reached the end of the test's window."""


class World:
    """A fake clock whose ``sleep`` moves time on, and the cog's two callbacks."""

    def __init__(self, db: Database, end: datetime) -> None:
        self.db = db
        self.now = START
        self.end = end
        self.sleeps: list[float] = []
        self.posts: list[tuple[int, datetime]] = []
        self.notified: list[tuple[int, str]] = []
        #: Errors to raise from the next posts of a schedule id, in order.
        self.failures: dict[int, list[Exception]] = {}

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if self.now + timedelta(seconds=seconds) > self.end:
            raise OutOfTime
        self.now += timedelta(seconds=seconds)
        await asyncio.sleep(0)

    async def post(self, schedule: Schedule, now: datetime) -> None:
        assert schedule.id is not None
        pending = self.failures.get(schedule.id)
        if pending:
            raise pending.pop(0)
        self.posts.append((schedule.id, now))
        week, _ = this_weeks_slot(schedule, now)
        await self.db.schedules.mark_posted(schedule.id, week, [], {})

    async def notify(self, schedule: Schedule, reason: str) -> None:
        assert schedule.id is not None
        self.notified.append((schedule.id, reason))

    def clock(self, **overrides: object) -> WeeklyClock:
        options: dict[str, object] = {
            "now": lambda: self.now,
            "retry_delay": timedelta(minutes=15),
            "max_sleep": REREAD,
            "sleep": self.sleep,
        }
        options.update(overrides)
        return WeeklyClock(self.db.schedules, self.post, self.notify, **options)  # type: ignore[arg-type]

    async def add(self, weekday: int = 4, time: str = "18:00", zone: str = "UTC") -> Schedule:
        schedule = Schedule(
            guild_id=1,
            channel_id=2,
            ref_source="deezer",
            ref_id="908622995",
            weekday=weekday,
            time=time,
            timezone=zone,
            created_by=3,
        )
        schedule.last_posted_week = week_done_at_creation(schedule, self.now)
        return await self.db.schedules.add(schedule)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "schedules.db")
    try:
        yield database
    finally:
        await database.close()


def friday(week: int, hour: int = 18) -> datetime:
    return datetime(2026, 1, 2, hour, tzinfo=UTC) + timedelta(weeks=week)


async def run_until_out_of_time(clock: WeeklyClock) -> None:
    with pytest.raises(OutOfTime):
        await clock.run()


async def test_it_sleeps_until_each_due_post_and_posts_once_a_week(db: Database) -> None:
    w = World(db, end=friday(3, 19))
    schedule = await w.add()
    await run_until_out_of_time(w.clock())
    assert [at for _, at in w.posts] == [friday(0), friday(1), friday(2), friday(3)]
    assert {sid for sid, _ in w.posts} == {schedule.id}
    # one sleep to each post (42 h to the first Friday), then a week each: no polling
    assert w.sleeps[:4] == [42 * 3600.0, 7 * 86400.0, 7 * 86400.0, 7 * 86400.0]


async def test_max_sleep_bounds_each_sleep_without_posting_early(db: Database) -> None:
    w = World(db, end=friday(0, 19))
    await w.add()
    await run_until_out_of_time(w.clock(max_sleep=timedelta(hours=10)))
    assert [at for _, at in w.posts] == [friday(0)]
    assert w.sleeps[:5] == [36000.0, 36000.0, 36000.0, 36000.0, 7200.0]


async def test_a_post_missed_while_stopped_is_made_once_at_start(db: Database) -> None:
    w = World(db, end=friday(0, 12))
    await w.add()
    saturday = friday(0) + timedelta(hours=15)
    w.now = saturday  # the process was down over this week's Friday slot
    w.end = friday(1, 12)
    await run_until_out_of_time(w.clock())
    assert [at for _, at in w.posts] == [saturday]


async def test_an_undeliverable_schedule_is_disabled_and_its_creator_told(db: Database) -> None:
    w = World(db, end=friday(2))
    schedule = await w.add()
    assert schedule.id is not None
    w.failures[schedule.id] = [Undeliverable("The channel no longer exists.")]
    await run_until_out_of_time(w.clock())
    assert w.posts == []
    assert w.notified == [(schedule.id, "The channel no longer exists.")]
    stored = await db.schedules.get(schedule.id)
    assert stored is not None and not stored.enabled
    assert stored.disabled_reason == "The channel no longer exists."


async def test_a_gone_playlist_disables_but_a_provider_outage_is_retried(db: Database) -> None:
    w = World(db, end=friday(0, 20))
    gone, flaky = await w.add(), await w.add()
    assert gone.id is not None and flaky.id is not None
    w.failures[gone.id] = [PlaylistUnavailable("That playlist is private or gone.")]
    w.failures[flaky.id] = [ProviderDown("Deezer is not answering."), RuntimeError("a bug")]
    await run_until_out_of_time(w.clock())
    # the outage and the bug each cost one retry delay; the other schedule is not held up
    assert w.posts == [(flaky.id, friday(0) + timedelta(minutes=30))]
    assert w.notified == [(gone.id, "That playlist is private or gone.")]
    stored = await db.schedules.get(flaky.id)
    assert stored is not None and stored.enabled and stored.last_posted_week == "2026-W01"


async def test_wake_cuts_a_sleep_short_and_stop_ends_the_clock(db: Database) -> None:
    w = World(db, end=friday(10))
    parked = asyncio.Event()

    async def park(seconds: float) -> None:
        w.sleeps.append(seconds)
        parked.set()
        await asyncio.Event().wait()  # only a cancellation ends this sleep

    clock = w.clock(sleep=park)
    clock.start()
    await asyncio.wait_for(parked.wait(), 5)
    assert w.sleeps == [REREAD.total_seconds()]  # nothing scheduled: sleep the longest
    # a schedule due right now appears (as after /schedule add on a late Friday)
    w.now = friday(0, 18)
    schedule = await w.add()
    await db.schedules.mark_posted(schedule.id or 0, "2025-W52", [], {})
    parked.clear()
    clock.wake()
    await asyncio.wait_for(parked.wait(), 5)
    assert w.posts == [(schedule.id, friday(0, 18))]
    assert clock.running
    await asyncio.wait_for(clock.stop(), 5)
    assert not clock.running


async def test_a_closing_bot_posts_nothing(db: Database) -> None:
    w = World(db, end=friday(0, 19))
    await w.add()
    await run_until_out_of_time(w.clock(active=lambda: False))
    assert w.posts == []
