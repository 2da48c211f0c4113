"""A bot process's weekly clock, alone, for the tests of several processes on one database.

    python -m tests.clock_process DB LOG NOW MODE [SHARD_COUNT SHARD_ID]

Runs one check of a :class:`~bot.weekly.clock.WeeklyClock` at the instant ``NOW`` (ISO
8601) on the database ``DB`` (a SQLite file or a PostgreSQL URL); each post appends
``schedule_id pid`` to ``LOG`` and marks the week posted, as the schedule cog does after
sending. With ``SHARD_COUNT`` and
``SHARD_ID`` the clock owns only that shard's guilds. Modes:

- ``race``: read the schedules, print ``ready``, and wait for a line on stdin before
  posting, so two processes both hold the same stale list of due schedules;
- ``hang``: claim the first due schedule, print ``claimed ID`` and hang inside the post
  (the test kills the process: a crash after the claim, before any post);
- ``once``: one check, nothing else.

Prints ``done N`` (posts made) at the end.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import datetime, timedelta

from bot.shards import ShardPlan
from bot.weekly.clock import WeeklyClock
from bot.weekly.rules import this_weeks_slot
from storage.database import Database
from storage.schedules import Schedule, ScheduleRepository

LEASE = timedelta(minutes=30)


class WaitingRepo:
    """The schedules repository, pausing after the first read until the test says go."""

    def __init__(self, repo: ScheduleRepository) -> None:
        self._repo = repo
        self._reads = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self._repo, name)

    async def all_enabled(self) -> list[Schedule]:
        found = await self._repo.all_enabled()
        self._reads += 1
        if self._reads == 1:
            print("ready", flush=True)
            await asyncio.to_thread(sys.stdin.readline)
        return found


def append(path: str, line: str) -> None:
    """One line onto the shared log (O_APPEND: lines of two processes never mix)."""
    with open(path, "a", encoding="utf-8") as log:
        log.write(line)


async def main(db_path: str, log_path: str, now_text: str, mode: str, *shard: str) -> None:
    now = datetime.fromisoformat(now_text)
    plan = ShardPlan.of(int(shard[0]), [int(shard[1])]) if shard else ShardPlan()
    db = await Database.open(db_path)
    try:
        repo = WaitingRepo(db.schedules) if mode == "race" else db.schedules

        async def post(schedule: Schedule, at: datetime) -> None:
            assert schedule.id is not None
            if mode == "hang":
                print(f"claimed {schedule.id}", flush=True)
                await asyncio.Event().wait()  # the test kills this process here
            await clock.confirm(schedule)
            await asyncio.to_thread(append, log_path, f"{schedule.id} {os.getpid()}\n")
            week, _ = this_weeks_slot(schedule, at)
            await db.schedules.mark_posted(schedule.id, week, [], {})

        async def notify(schedule: Schedule, reason: str) -> None:
            raise AssertionError(f"schedule {schedule.id} stopped: {reason}")

        clock = WeeklyClock(
            repo,  # type: ignore[arg-type]
            post,
            notify,
            now=lambda: now,
            retry_delay=timedelta(minutes=15),
            max_sleep=timedelta(hours=1),
            owns=plan.owns,
            lease=LEASE,
        )
        posted = await clock.check()
        print(f"done {posted}", flush=True)
    finally:
        await db.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))
