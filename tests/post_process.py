"""A bot process posting weekly schedules in real time, for the crash tests of issue 25.

    python -m tests.post_process DB CHANNEL T0 MODE LEASE_SECONDS [FIND]

A :class:`~bot.weekly.clock.WeeklyClock` on the database ``DB`` (a SQLite file or a
PostgreSQL URL) whose clock reads Friday 2026-01-02 18:00 UTC at the Unix time ``T0``
and runs in real time from there, so several processes share one timeline and a lease
of ``LEASE_SECONDS`` lapses in real seconds. ``CHANNEL`` is the channel: a post appends
``schedule_id pid`` to it (O_APPEND: lines never mix), as Discord accepting a message.
The post does what the schedule cog does: confirm the claim, recording that it sends
(:meth:`~bot.weekly.clock.WeeklyClock.confirm` with what the post shows), send, then
record the week as posted. ``find_post`` looks in ``CHANNEL`` (``FIND=0``: no looking,
the control). Modes:

- ``die``: post the first due schedule but stop between sending and recording: print
  ``sent ID`` and hang (the test kills the process with SIGKILL there);
- ``until``: check every 50 ms until a post is made or found, then print
  ``posted ID UNIX_TIME`` (the instant it was sent or recorded).
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from datetime import UTC, datetime, timedelta

from bot.weekly.clock import WeeklyClock
from bot.weekly.rules import this_weeks_slot
from storage.database import Database
from storage.schedules import Schedule

FRIDAY = datetime(2026, 1, 2, 18, tzinfo=UTC)
TICK = 0.05


def append(path: str, line: str) -> None:
    with open(path, "a", encoding="utf-8") as channel:
        channel.write(line)


def in_channel(path: str, schedule_id: int) -> bool:
    try:
        with open(path, encoding="utf-8") as channel:
            return any(line.split()[0] == str(schedule_id) for line in channel)
    except FileNotFoundError:
        return False


async def main(db_path: str, channel: str, t0: str, mode: str, lease: str, find: str = "1") -> None:
    start = float(t0)
    db = await Database.open(db_path)
    done: list[int] = []

    def now() -> datetime:
        return FRIDAY + timedelta(seconds=time.time() - start)

    async def post(schedule: Schedule, at: datetime) -> None:
        assert schedule.id is not None
        week, _ = this_weeks_slot(schedule, at)
        await clock.confirm(schedule, ["t1", "t2"], {"t1": 0, "t2": 1})
        await asyncio.to_thread(append, channel, f"{schedule.id} {os.getpid()}\n")
        if mode == "die":
            print(f"sent {schedule.id}", flush=True)
            await asyncio.Event().wait()  # SIGKILL arrives here: sent, not recorded
        await db.schedules.mark_posted(schedule.id, week, ["t1", "t2"], {"t1": 0, "t2": 1})
        done.append(schedule.id)

    async def find_post(schedule: Schedule, week: str, since: datetime) -> bool:
        assert schedule.id is not None
        found = await asyncio.to_thread(in_channel, channel, schedule.id)
        if found:
            done.append(schedule.id)
        return found

    async def notify(schedule: Schedule, reason: str) -> None:
        raise AssertionError(f"schedule {schedule.id} stopped: {reason}")

    clock = WeeklyClock(
        db.schedules,
        post,
        notify,
        now=now,
        retry_delay=timedelta(seconds=TICK),
        max_sleep=timedelta(seconds=TICK),
        lease=timedelta(seconds=float(lease)),
        find_post=find_post if find == "1" else None,
    )
    try:
        while not done:
            await clock.check()
            await asyncio.sleep(TICK)
        print(f"posted {done[0]} {time.time():.3f}", flush=True)
    finally:
        await db.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))
