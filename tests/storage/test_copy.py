"""`playlist-clusters db copy`: a SQLite database moved into a real PostgreSQL schema.

Everything a bot keeps comes over (cache, paging state, schedules, server settings,
accounts), the counts are checked and printed, a second run copies nothing, and the
copied database works: its analyses load, its schedules keep their ids and new ones
get fresh ids, features keep their values though the key lists get other ids.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from bot.model import PlaylistRef
from storage.accounts import StoredAccount
from storage.copy import NOT_COPIED, TABLES, copy_database
from storage.database import Database, open_database
from storage.guild_settings import GuildSettings
from storage.messages import MessageState
from storage.schedules import Schedule
from tests.pg_server import new_schema
from tests.storage.helpers import ROOT, raw_fetchall, sample_playlist

pytestmark = pytest.mark.usefixtures("postgres_url")


#: The text above a layout page (issue 23), in scripts a wrong encoding would mangle.
INTRO = "📅 **毎週の投稿 #1** · 夜に駆ける · עושה לי צרות · ก่อนฤดูฝน 💚"


def schedule(guild: int, channel: int) -> Schedule:
    return Schedule(
        guild_id=guild,
        channel_id=channel,
        ref_source="csv",
        ref_id="international_pop_synthetic_features.csv",
        weekday=4,
        time="18:00",
        timezone="Europe/Berlin",
        created_by=7,
    )


async def fill(db: Database, sample_analysis) -> None:
    """One of everything a bot stores; features under two key lists."""
    playlist = sample_playlist()
    await db.cache.put_playlist(playlist)
    await db.cache.put_analysis("key-1", sample_analysis)
    await db.cache.put_features(
        "spotify", {"t1": {"energy": 0.5, "tempo": 120.0}, "t2": {"energy": 0.25}}, "csv", 1
    )
    await db.messages.save(
        MessageState(1001, 55, 66, "key-1", 7, cluster=1, page=2, intro=INTRO, locale="ja")
    )
    await db.members.set_shows_liked(7, True)
    first = await db.schedules.add(schedule(66, 55))
    await db.schedules.add(schedule(66, 56))
    assert first.id is not None
    await db.schedules.remove(first.id)  # ids are not reused: the copy keeps them
    await db.schedules.add(schedule(67, 57))
    await db.guild_settings.save(GuildSettings(66, default_k=4, schedule_role_id=99))
    await db.accounts.save(
        StoredAccount(7, "spotify-user", "Ünïcödé 🎧", "playlist-read-private", b"\x00ct", 9e9)
    )


@pytest.fixture
async def sqlite_db(tmp_path: Path, sample_analysis) -> Path:
    path = tmp_path / "bot.db"
    async with await open_database(path) as db:
        await fill(db, sample_analysis)
    return path


@pytest.fixture
def pg_target(postgres_url: str):
    url, drop = new_schema(postgres_url)
    yield url
    drop()


def test_every_table_is_copied_or_left_out_for_a_reason(tmp_path: Path) -> None:
    async def tables() -> dict[str, list[str]]:
        async with await open_database(tmp_path / "x.db") as db, db.read() as conn:
            names = [
                r[0]
                for r in await conn.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
            ]
            return {
                n: [c[1] for c in await conn.fetchall(f"PRAGMA table_info({n})")]
                for n in names
                if not n.startswith("sqlite_")
            }

    found = asyncio.run(tables())
    copied = {t.name: t for t in TABLES}
    assert set(found) - set(NOT_COPIED) == set(copied)
    for name, table in copied.items():
        assert sorted(table.all) == sorted(found[name]), name


async def test_a_sqlite_database_moves_to_postgres_whole(sqlite_db: Path, pg_target: str) -> None:
    async with await open_database(sqlite_db) as old, await open_database(pg_target) as new:
        report = await copy_database(old, new)
        counts = {t.name: (t.source, t.copied) for t in report.tables}
        assert counts == {
            "playlists": (1, 1),
            "track_features": (2, 2),
            "analyses": (1, 1),
            "messages": (1, 1),
            "schedules": (2, 2),
            "guild_settings": (1, 1),
            "member_settings": (1, 1),
            "taste_shares": (0, 0),
            "spotify_accounts": (1, 1),
        }
        # it works as the bot uses it
        analysis = await new.cache.get_analysis("key-1")
        assert analysis is not None and analysis.playlist.name == "International Pop"
        cached = await new.cache.get_playlist(PlaylistRef("csv", sample_playlist().ref.id))
        assert cached is not None and len(cached[0].tracks) == len(sample_playlist().tracks)
        features = await new.cache.get_features("spotify", ["t1", "t2"], "csv", 1)
        assert features == {"t1": {"energy": 0.5, "tempo": 120.0}, "t2": {"energy": 0.25}}
        assert await new.messages.get(1001) == MessageState(
            1001, 55, 66, "key-1", 7, 1, 2, intro=INTRO, locale="ja"
        )
        assert await new.members.shows_liked(7) is True
        assert [s.id for s in await new.schedules.all_enabled()] == [2, 3]
        assert (await new.schedules.add(schedule(68, 58))).id == 4  # not a taken id
        assert (await new.guild_settings.get(66)).default_k == 4
        account = await new.accounts.get(7)
        assert account is not None and account.display_name == "Ünïcödé 🎧"
        assert account.tokens == b"\x00ct"
        stats = await new.cache.stats()
        assert (stats.analyses, stats.playlists, stats.features) == (1, 1, 2)
        assert await new.integrity_check() == "ok"


async def test_a_second_copy_copies_nothing(sqlite_db: Path, pg_target: str) -> None:
    async with await open_database(sqlite_db) as old, await open_database(pg_target) as new:
        await copy_database(old, new)
        again = await copy_database(old, new)
        assert all(t.copied == 0 and t.present == t.source for t in again.tables)
        assert len(await new.schedules.all_enabled()) == 2


async def test_the_command_prints_the_counts_and_is_safe_to_run_twice(
    sqlite_db: Path, pg_target: str, tmp_path: Path
) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "bot.roots.cli", "db", "copy"]
    outputs = []
    for _ in range(2):
        process = await asyncio.create_subprocess_exec(
            *command,
            "--from",
            str(sqlite_db),
            "--to",
            pg_target,
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 120)
        assert process.returncode == 0, err.decode()
        assert err == b""
        outputs.append(out.decode())
    lines = [[" ".join(line.split()) for line in out.splitlines()] for out in outputs]
    assert "schedules: 2 rows, 2 new, 0 already there" in lines[0]
    assert "schedules: 2 rows, 0 new, 2 already there" in lines[1]
    assert lines[1][-1] == "Every row of the source is in the target (checked by key)."
    assert "password" not in outputs[0]
    assert raw_fetchall(pg_target, "SELECT count(*) FROM schedules") == [(2,)]


async def test_a_missing_source_file_is_one_line_exit_2(tmp_path: Path, pg_target: str) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.roots.cli",
        "db",
        "copy",
        "--from",
        str(tmp_path / "nothing.db"),
        "--to",
        pg_target,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 2
    assert err.decode().splitlines() == [
        f"playlist-clusters: There is no database file at {tmp_path / 'nothing.db'}."
    ]
    assert not (tmp_path / "nothing.db").exists()
