"""A weekly post is sent at most once, even when its sender dies between Discord
accepting it and the database recording it (issue 25).

Real processes (``tests/post_process.py``) on one database of each backend, in real
time with a short lease: the first sends and is killed with SIGKILL before recording;
a second, started at once, waits out the lease, takes the claim over, finds the post
in the channel and records it instead of sending it again. The control (the second
process does not look) sends it twice. Each run prints the takeover time.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

from storage.database import Database
from tests.conftest import ROOT, Location
from tests.weekly.test_claims import add_schedules, guild_on_shard

#: The lease of these tests (the default, SCHEDULE_LEASE_SECONDS, is 1800).
LEASE = 2.0


def start(db: Location, channel: Path, t0: float, mode: str, find: bool = True) -> subprocess.Popen:
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "tests.post_process", str(db), str(channel)),
            *(f"{t0:.6f}", mode, str(LEASE), "1" if find else "0"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


def sends(channel: Path) -> list[int]:
    return [int(line.split()[0]) for line in channel.read_text("utf-8").splitlines()]


def crash_after_sending(db: Location, channel: Path, *, find: bool) -> tuple[int, float]:
    """One due schedule; the first poster dies after sending; a second one takes over.
    Returns the schedule id and the seconds from the kill to the second's post/record."""

    async def prepare() -> list[int]:
        async with await Database.open(db) as database:
            return await add_schedules(database, [guild_on_shard(0, 1)])

    (sid,) = asyncio.run(prepare())
    t0 = time.time()
    first = start(db, channel, t0, "die")
    assert first.stdout is not None
    assert first.stdout.readline().strip() == f"sent {sid}"
    first.kill()  # SIGKILL: sent, never recorded
    killed_at = time.time()
    first.wait(30)
    second = start(db, channel, t0, "until", find=find)
    out, _ = second.communicate(timeout=120)
    assert second.returncode == 0, out
    word, posted_id, at = out.split()
    assert (word, int(posted_id)) == ("posted", sid)
    took = float(at) - killed_at
    print(f"takeover after a SIGKILL, lease {LEASE:g} s: {took:.2f} s")
    return sid, took


def test_a_post_sent_but_not_recorded_is_not_sent_again(location: Location, tmp_path: Path) -> None:
    channel = tmp_path / "channel.log"
    sid, took = crash_after_sending(location, channel, find=True)
    assert sends(channel) == [sid]  # once, by the process that died

    async def stored() -> tuple[str | None, list[str], float]:
        async with await Database.open(location) as database:
            schedule = await database.schedules.get(sid)
            assert schedule is not None
            async with database.read() as conn:
                row = await conn.fetchone(
                    "SELECT claim_expires FROM schedules WHERE id = ?", (sid,)
                )
            assert row is not None
            return schedule.last_posted_week, schedule.last_track_ids, float(row[0])

    week, track_ids, _ = asyncio.run(stored())
    assert week == "2026-W01"
    assert track_ids == ["t1", "t2"]  # what the post that was found showed
    assert took > 0


def test_control_a_taker_over_that_does_not_look_sends_it_twice(
    location: Location, tmp_path: Path
) -> None:
    channel = tmp_path / "channel.log"
    sid, _ = crash_after_sending(location, channel, find=False)
    assert sends(channel) == [sid, sid]
