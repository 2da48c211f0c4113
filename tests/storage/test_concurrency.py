"""50 tasks on two connections plus a writer process on one database: nothing locked or lost.

On SQLite the two connections and the process share one file (WAL, busy timeout); on
PostgreSQL two pools and the process share one server (the write lock).
"""

from __future__ import annotations

import asyncio
import json
import random
import signal
import subprocess
from pathlib import Path

from bot.model import Analysis
from bot.render.document import to_document
from storage.database import Database
from storage.guild_settings import GuildSettings
from storage.messages import MessageState
from storage.schedules import Schedule
from tests.storage.conftest import Location
from tests.storage.helpers import ROOT, WRITER, analyse, synthetic_playlist

TASKS = 50
FEATURES_PER_TASK = 40
PAGE_MOVES = 8


async def _task(i: int, db: Database, analysis: Analysis, rng: random.Random) -> None:
    """One user's worth of mixed reads and writes, yielding to the others in between."""
    await db.messages.save(MessageState(10_000 + i, 1, 2, f"a{i}", 3))
    await db.cache.put_analysis(f"a{i}", analysis)
    for move in range(1, PAGE_MOVES + 1):
        assert await db.messages.update_position(10_000 + i, move, move * 2)
        await asyncio.sleep(rng.random() / 1000)
        other = await db.cache.get_analysis(f"a{rng.randrange(TASKS)}")
        assert other is None or other.track_count == analysis.track_count
    await db.cache.put_features(
        "spotify",
        {f"t{i}-{j}": {"energy": j / 100, "task": float(i)} for j in range(FEATURES_PER_TASK)},
        "reccobeats",
        1,
    )
    added = await db.schedules.add(
        Schedule(
            guild_id=i,
            channel_id=1,
            ref_source="deezer",
            ref_id=f"p{i}",
            weekday=i % 7,
            time=f"{i % 24:02d}:00",
            timezone="UTC",
            created_by=3,
        )
    )
    assert added.id is not None
    await db.schedules.mark_posted(added.id, "2026-W48", [f"t{i}-0"], {f"t{i}-0": 0})
    await db.guild_settings.save(GuildSettings(i, default_k=2 + i % 10))
    got = await db.cache.get_features("spotify", [f"t{i}-0"], "reccobeats", 1)
    assert got == {f"t{i}-0": {"energy": 0.0, "task": float(i)}}


async def test_fifty_tasks_two_connections_and_another_process(
    location: Location, tmp_path: Path
) -> None:
    analysis = analyse(synthetic_playlist(60, seed=2), k=3, png=False)
    analysis.png = b"\x89PNG" + bytes(range(256)) * 40
    folder = tmp_path / "input"
    folder.mkdir()
    (folder / "doc.json").write_text(json.dumps(to_document(analysis)), "utf-8")
    (folder / "png").write_bytes(analysis.png)

    first = await Database.open(location)
    second = await Database.open(location)  # as the CLI would, beside the bot
    writer = await asyncio.create_subprocess_exec(
        *WRITER, str(location), str(folder), str(10**12), "loop", cwd=ROOT, stdout=subprocess.PIPE
    )
    try:
        assert writer.stdout is not None
        assert (await writer.stdout.readline()).strip() == b"ready"
        rng = random.Random(1)
        results = await asyncio.gather(
            *(
                _task(i, first if i % 2 else second, analysis, random.Random(rng.random()))
                for i in range(TASKS)
            ),
            return_exceptions=True,
        )
        failures = [r for r in results if isinstance(r, BaseException)]
        assert failures == []
    finally:
        writer.send_signal(signal.SIGKILL)
        await writer.wait()
        await first.close()
        await second.close()

    async with await Database.open(location) as db:
        assert await db.integrity_check() == "ok"
        for i in range(TASKS):
            state = await db.messages.get(10_000 + i)
            assert state is not None and (state.cluster, state.page) == (PAGE_MOVES, PAGE_MOVES * 2)
            cached = await db.cache.get_analysis(f"a{i}")
            assert cached is not None and to_document(cached) == to_document(analysis)
            (schedule,) = await db.schedules.list_for_guild(i)
            assert schedule.last_posted_week == "2026-W48"
            assert (await db.guild_settings.get(i)).default_k == 2 + i % 10
        features = await db.cache.get_features(
            "spotify",
            [f"t{i}-{j}" for i in range(TASKS) for j in range(FEATURES_PER_TASK)],
            "reccobeats",
            1,
        )
        assert len(features) == TASKS * FEATURES_PER_TASK
        stats = await db.cache.stats()
        assert stats.messages == stats.schedules == TASKS
        assert stats.analyses >= TASKS + 1  # plus what the other process wrote
