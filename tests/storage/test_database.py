"""Opening, configuring and migrating real SQLite files."""

from __future__ import annotations

import asyncio
import sqlite3
import struct
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiosqlite
import pytest

from bot.errors import DatabaseTooNew, DatabaseUnusable
from bot.model import AnalysisOptions, PlaylistRef, analysis_key
from bot.render.document import to_document
from storage.codec import encode_analysis, encode_playlist
from storage.database import Database, Migration, load_migrations, migrate, split_statements
from storage.guild_settings import GuildSettings
from storage.messages import MessageState
from tests.storage.helpers import analyse, synthetic_playlist

MIGRATIONS = load_migrations()
LATEST = MIGRATIONS[-1].version


def _raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def _apply_up_to(path: Path, version: int) -> None:
    """Create ``path`` at schema ``version`` exactly as an older release would have."""
    conn = _raw(path)
    try:
        for migration in MIGRATIONS[:version]:
            conn.execute("BEGIN IMMEDIATE")
            for statement in split_statements(migration.sql):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {migration.version}")
            conn.execute("COMMIT")
    finally:
        conn.close()


# --- data written at each schema version, and how the newest code must read it back ----
#
# Every migration needs an entry in SEEDS and CHECKS (a test below enforces it): the
# seed writes rows the way that version's code did; the check reads them through the
# newest repositories after migrating to the latest version.

SEED_PLAYLIST = synthetic_playlist(24, seed=7, source="deezer", playlist_id="908622995")
SEED_ANALYSIS = analyse(SEED_PLAYLIST, k=2, png=False)
SEED_ANALYSIS.png = b"\x89PNG seed"
SEED_KEY = analysis_key(SEED_PLAYLIST, AnalysisOptions(k=2))


def _seed_shared(conn: sqlite3.Connection) -> None:
    """Rows whose tables are the same at every version so far."""
    blob = encode_analysis(SEED_ANALYSIS)
    conn.execute(
        "INSERT INTO analyses (key, source, playlist_id, snapshot, options, analysis_version,"
        " track_count, created_at, last_used, size_bytes, document, png)"
        " VALUES (?, 'deezer', '908622995', ?, 'k=2;mw=0.5', 1, 24, 100.0, 100.0, ?, ?, ?)",
        (SEED_KEY, SEED_PLAYLIST.snapshot, len(blob), blob, SEED_ANALYSIS.png),
    )
    data = encode_playlist(SEED_PLAYLIST)
    conn.execute(
        "INSERT INTO playlists VALUES ('deezer', '908622995', ?, ?, 24, 100.0, 100.0, ?, ?)",
        (SEED_PLAYLIST.snapshot, SEED_PLAYLIST.name, len(data), data),
    )
    conn.execute(
        "INSERT INTO messages (message_id, channel_id, guild_id, analysis_key, owner_id, cluster,"
        " page, created_at, updated_at) VALUES (1234567890123456789, 42, 7, ?, 99, 1, 2, 100.0,"
        " 100.0)",
        (SEED_KEY,),
    )
    conn.execute(
        "INSERT INTO schedules (guild_id, channel_id, ref_source, ref_id, weekday, time, timezone,"
        " k, created_by, created_at, enabled, disabled_reason, last_posted_week, last_track_ids,"
        " last_labels) VALUES (7, 42, 'deezer', '908622995', 4, '18:30', 'Asia/Tokyo', NULL, 99,"
        " 100.0, 1, '', '2026-W47', '[\"a\", \"夜\"]', '{\"a\": 0, \"夜\": 1}')"
    )
    conn.execute("INSERT INTO guild_settings VALUES (7, 5, 555, 100.0)")


def _seed_v1(conn: sqlite3.Connection) -> None:
    _seed_shared(conn)
    conn.execute(
        "INSERT INTO track_features VALUES ('deezer', '3135556', 'reccobeats', 2, 100.0, 60,"
        ' \'{"energy": 0.5, "tempo": 120.0}\')'
    )


def _seed_v2(conn: sqlite3.Connection) -> None:
    _seed_shared(conn)
    conn.execute('INSERT INTO feature_keys (id, keys) VALUES (3, \'["energy", "tempo"]\')')
    conn.execute(
        "INSERT INTO track_features VALUES ('deezer', '3135556', 'reccobeats', 2, 100.0, 60, 3, ?)",
        (struct.pack("<2d", 0.5, 120.0),),
    )


def _seed_v3(conn: sqlite3.Connection) -> None:
    _seed_v2(conn)
    conn.execute("UPDATE analyses SET variant = 'providers=deezer/1' WHERE key = ?", (SEED_KEY,))


async def _check_usage_is_exact(db: Database) -> None:
    async with db.read() as conn:
        for kind in ("analyses", "playlists", "track_features"):
            async with conn.execute(
                f"SELECT count(*), coalesce(sum(size_bytes), 0) FROM {kind}"
            ) as cursor:
                actual = await cursor.fetchone()
            async with conn.execute(
                "SELECT rows, bytes FROM cache_usage WHERE kind = ?", (kind,)
            ) as cursor:
                assert await cursor.fetchone() == actual, kind


async def _check_claims(db: Database) -> None:
    """0006: a schedule from before the claims can be claimed, by one process only."""
    (old,) = await db.schedules.list_for_guild(7)
    assert old.id is not None
    assert await db.schedules.claim(old.id, "2026-W48", "a", now=100.0, until=200.0)
    assert not await db.schedules.claim(old.id, "2026-W48", "b", now=150.0, until=250.0)
    assert await db.schedules.renew(old.id, "2026-W48", "a", until=300.0)
    assert not await db.schedules.renew(old.id, "2026-W48", "b", until=300.0)
    assert not await db.schedules.claim(old.id, "2026-W47", "b", now=150.0, until=250.0)


async def _check_shared(db: Database) -> None:
    await _check_usage_is_exact(db)
    cached = await db.cache.get_analysis(SEED_KEY)
    assert cached is not None
    assert to_document(cached) == to_document(SEED_ANALYSIS)
    assert cached.png == SEED_ANALYSIS.png
    found = await db.cache.get_playlist(PlaylistRef("deezer", "908622995"))
    assert found is not None and found[0] == SEED_PLAYLIST
    assert await db.messages.get(1234567890123456789) == MessageState(
        1234567890123456789, 42, 7, SEED_KEY, 99, 1, 2
    )
    (schedule,) = await db.schedules.list_for_guild(7)
    assert (schedule.timezone, schedule.time, schedule.last_posted_week) == (
        "Asia/Tokyo",
        "18:30",
        "2026-W47",
    )
    assert schedule.last_track_ids == ["a", "夜"] and schedule.last_labels == {"a": 0, "夜": 1}
    settings = await db.guild_settings.get(7)
    assert (settings.default_k, settings.schedule_role_id) == (5, 555)
    await _check_claims(db)


async def _check_v1(db: Database) -> None:
    await _check_shared(db)
    # 0002 drops features stored as JSON (a cache: they are fetched again)
    assert await db.cache.get_features("deezer", ["3135556"], "reccobeats", 2) == {}
    stats = await db.cache.stats()
    assert (stats.analyses, stats.playlists, stats.features) == (1, 1, 0)
    await db.cache.put_features("deezer", {"3135556": {"energy": 0.5}}, "reccobeats", 2)
    assert (await db.cache.stats()).features == 1


async def _check_v2(db: Database) -> None:
    await _check_shared(db)
    features = await db.cache.get_features("deezer", ["3135556"], "reccobeats", 2)
    assert features == {"3135556": {"energy": 0.5, "tempo": 120.0}}
    stats = await db.cache.stats()
    assert (stats.analyses, stats.playlists) == (1, 1)


async def _check_v3(db: Database) -> None:
    await _check_v2(db)
    assert await db.cache.get_analysis(SEED_KEY, variant="providers=deezer/1") is not None
    assert await db.cache.get_analysis(SEED_KEY, variant="providers=spotify/1") is None


def _seed_v4(conn: sqlite3.Connection) -> None:
    _seed_v3(conn)
    conn.execute(
        "INSERT INTO messages VALUES (1234567890123456790, 42, 7, ?, 99, 0, 0, 100.0, 100.0,"
        " 'tempo', 'energy')",
        (SEED_KEY,),
    )


def _seed_v5(conn: sqlite3.Connection) -> None:
    _seed_v4(conn)
    conn.execute(
        "INSERT INTO spotify_accounts VALUES (99, 'spotify-ユーザー', '名前 🎧',"
        " 'user-library-read', x'00ff10', 2000.0, 100.0, 100.0)"
    )
    conn.execute("INSERT INTO spotify_pending VALUES ('ab12', 99, x'beef', 100.0)")


async def _check_v4(db: Database) -> None:
    await _check_v3(db)
    state = await db.messages.get(1234567890123456790)
    assert state is not None and (state.map_x, state.map_y) == ("tempo", "energy")
    assert await db.messages.update_map(1234567890123456789, "valence", "")
    moved = await db.messages.get(1234567890123456789)
    assert moved is not None and (moved.map_x, moved.map_y) == ("valence", "")


async def _check_v5(db: Database) -> None:
    await _check_v4(db)
    account = await db.accounts.get(99)
    assert account is not None
    assert (account.spotify_user_id, account.display_name, account.tokens) == (
        "spotify-ユーザー",
        "名前 🎧",
        b"\x00\xff\x10",
    )
    pending = await db.accounts.take_pending("ab12")
    assert pending is not None and pending.verifier == b"\xbe\xef"


def _seed_v6(conn: sqlite3.Connection) -> None:
    _seed_v5(conn)
    # a schedule of guild 8 whose week 2026-W48 another process claimed until t=5000
    conn.execute(
        "INSERT INTO schedules (guild_id, channel_id, ref_source, ref_id, weekday, time, timezone,"
        " k, created_by, created_at, enabled, disabled_reason, last_posted_week, last_track_ids,"
        " last_labels, claim_week, claim_owner, claim_expires) VALUES (8, 43, 'deezer', '1', 0,"
        " '09:00', 'UTC', 3, 99, 100.0, 1, '', '2026-W47', '[]', '{}', '2026-W48', 'host:1:ab',"
        " 5000.0)"
    )


async def _check_v6(db: Database) -> None:
    await _check_v5(db)
    (held,) = await db.schedules.list_for_guild(8)
    assert held.id is not None and held.k == 3 and held.last_posted_week == "2026-W47"
    assert not await db.schedules.claim(held.id, "2026-W48", "me", now=4999.0, until=9000.0)
    assert await db.schedules.claim(held.id, "2026-W48", "me", now=5000.0, until=9000.0)


SEEDS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _seed_v1,
    2: _seed_v2,
    3: _seed_v3,
    4: _seed_v4,
    5: _seed_v5,
    6: _seed_v6,
}
CHECKS: dict[int, Callable[[Database], Awaitable[None]]] = {
    1: _check_v1,
    2: _check_v2,
    3: _check_v3,
    4: _check_v4,
    5: _check_v5,
    6: _check_v6,
}


def test_every_migration_has_a_seed_and_a_check() -> None:
    assert set(SEEDS) == set(CHECKS) == set(range(1, LATEST + 1))


@pytest.mark.parametrize("start", range(LATEST + 1))
async def test_migrating_from_every_version_keeps_the_data(tmp_path: Path, start: int) -> None:
    path = tmp_path / f"from-{start}.db"
    _apply_up_to(path, start)
    if start:
        conn = _raw(path)
        with conn:
            conn.execute("BEGIN")
            SEEDS[start](conn)
        conn.close()
    db = await Database.open(path)
    try:
        assert await db.user_version() == LATEST
        assert await db.integrity_check() == "ok"
        if start:
            await CHECKS[start](db)
        else:
            assert (await db.cache.stats()).analyses == 0
    finally:
        await db.close()


async def test_open_creates_the_folder_and_configures_the_connection(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "bot.db"
    async with await Database.open(path) as db:
        assert path.is_file()
        assert await db.user_version() == LATEST
        async with db.read() as conn:
            pragmas = {}
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "auto_vacuum"):
                async with conn.execute(f"PRAGMA {name}") as cursor:
                    pragmas[name] = (await cursor.fetchone())[0]
    assert pragmas == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": 10_000,
        "auto_vacuum": 2,
    }


async def test_data_survives_close_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    async with await Database.open(path) as db:
        await db.messages.save(MessageState(1, 2, None, "k", 3, cluster=4, page=5))
    async with await Database.open(path) as db:
        assert await db.messages.get(1) == MessageState(1, 2, None, "k", 3, 4, 5)


async def test_a_database_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    async with await Database.open(path) as db:
        await db.messages.save(MessageState(1, 2, 3, "k", 4))
    conn = _raw(path)
    conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.close()
    with pytest.raises(DatabaseTooNew, match=rf"newer version.*schema version {LATEST + 1}"):
        await Database.open(path)
    conn = _raw(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST + 1
    assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 1
    conn.close()


async def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not SQLite\n" * 200)
    with pytest.raises(DatabaseUnusable, match="not a usable playlist-clusters database"):
        await Database.open(path)


def _second_migration(sql: str) -> list[Migration]:
    return [*MIGRATIONS, Migration(LATEST + 1, f"{LATEST + 1:04d}_test.sql", sql)]


async def test_a_new_migration_applies_once_and_keeps_rows(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    async with await Database.open(path) as db:
        await db.messages.save(MessageState(1, 2, 3, "k", 4))
    extra = _second_migration(
        "ALTER TABLE messages ADD COLUMN locale TEXT NOT NULL DEFAULT 'en';\n"
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);\n"
    )
    async with await Database.open(path, migrations=extra) as db:
        assert await db.user_version() == LATEST + 1
        assert await db.messages.get(1) == MessageState(1, 2, 3, "k", 4)
    async with await Database.open(path, migrations=extra) as db:  # second open: no re-apply
        assert await db.user_version() == LATEST + 1


async def test_a_failing_migration_leaves_the_previous_version_whole(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    async with await Database.open(path) as db:
        await db.messages.save(MessageState(1, 2, 3, "k", 4))
    broken = _second_migration(
        "CREATE TABLE half_done (id INTEGER);\n"
        "ALTER TABLE messages ADD COLUMN x TEXT;\n"
        "INSERT INTO no_such_table VALUES (1);\n"
    )
    with pytest.raises(DatabaseUnusable, match="no such table"):
        await Database.open(path, migrations=broken)
    async with await Database.open(path) as db:
        assert await db.user_version() == LATEST
        assert await db.messages.get(1) == MessageState(1, 2, 3, "k", 4)
        async with (
            db.read() as conn,
            conn.execute("SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'") as cursor,
        ):
            assert (await cursor.fetchone())[0] == 0


async def test_two_processes_opening_a_fresh_file_at_once_migrate_it_once(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    first, second = await asyncio.gather(Database.open(path), Database.open(path))
    try:
        assert await first.user_version() == await second.user_version() == LATEST
        await first.messages.save(MessageState(1, 2, 3, "k", 4))
        assert await second.messages.get(1) is not None
    finally:
        await first.close()
        await second.close()


def test_migration_files_must_be_numbered_without_gaps(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("CREATE TABLE a (x);", "utf-8")
    (tmp_path / "0003_c.sql").write_text("CREATE TABLE c (x);", "utf-8")
    with pytest.raises(RuntimeError, match="without gaps"):
        load_migrations(tmp_path)


def test_statements_are_split_with_triggers_whole() -> None:
    sql = (
        "-- comment; with a semicolon\nCREATE TABLE t (x TEXT DEFAULT 'a;b');\n"
        "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET x = 'c';\nEND;\n"
    )
    statements = split_statements(sql)
    assert len(statements) == 2 and statements[1].endswith("END;")


async def test_migrate_to_a_target_version_stops_there(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "x.db")
    conn.close()
    async with aiosqlite.connect(tmp_path / "x.db", isolation_level=None) as conn:
        assert await migrate(conn, MIGRATIONS, target=0) == 0
        assert await migrate(conn, MIGRATIONS) == LATEST


async def test_a_failed_write_rolls_back_everything(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.write() as conn:
            await conn.execute(
                "INSERT INTO guild_settings (guild_id, default_k, updated_at) VALUES (1, 3, 0)"
            )
            raise RuntimeError("boom")
    assert (await db.guild_settings.get(1)).default_k is None


async def test_a_cancelled_write_rolls_back_and_frees_the_lock(db: Database) -> None:
    started = asyncio.Event()

    async def slow_write() -> None:
        async with db.write() as conn:
            await conn.execute(
                "INSERT INTO guild_settings (guild_id, default_k, updated_at) VALUES (1, 3, 0)"
            )
            started.set()
            await asyncio.sleep(30)

    task = asyncio.create_task(slow_write())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (await db.guild_settings.get(1)).default_k is None
    await db.messages.save(MessageState(1, 2, 3, "k", 4))
    assert await db.messages.get(1) is not None


async def test_a_write_cancelled_while_waiting_for_another_process_leaves_no_transaction(
    db: Database,
) -> None:
    loop = asyncio.get_running_loop()
    begun = asyncio.Event()

    def trace(sql: str) -> None:  # runs in aiosqlite's thread as each statement starts
        if sql.startswith("BEGIN IMMEDIATE"):
            loop.call_soon_threadsafe(begun.set)

    async with db.read() as conn:
        await conn.set_trace_callback(trace)
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    task = asyncio.create_task(db.guild_settings.save(GuildSettings(1, default_k=3)))
    # our BEGIN IMMEDIATE has started while the lock is held: it is in the busy handler
    await asyncio.wait_for(begun.wait(), 5)
    assert not task.done()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    other.execute("ROLLBACK")
    other.close()
    await db.guild_settings.save(GuildSettings(2, default_k=4))
    assert (await db.guild_settings.get(2)).default_k == 4
    assert (await db.guild_settings.get(1)).default_k is None


async def test_closing_twice_is_harmless(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.db")
    await db.close()
    await db.close()
