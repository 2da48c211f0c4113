"""Opening, configuring and migrating real databases: SQLite files and PostgreSQL schemas."""

from __future__ import annotations

import asyncio
import sqlite3
import struct
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiosqlite
import asyncpg
import pytest

from bot.errors import DatabaseTooNew, DatabaseUnusable
from bot.model import AnalysisOptions, PlaylistRef, analysis_key
from bot.render.document import to_document
from storage.backends import postgres, sqlite
from storage.backends.schema import DIALECTS, Migration, load_migrations
from storage.backends.session import Session
from storage.backends.sqlite import split_statements
from storage.codec import encode_analysis, encode_playlist
from storage.database import Database, open_database
from storage.errors import StorageError
from storage.guild_settings import GuildSettings
from storage.messages import MessageState
from tests.pg_server import new_schema
from tests.storage.conftest import Location
from tests.storage.helpers import (
    analyse,
    closed_port,
    raw_fetchall,
    schema_version,
    set_schema_version,
    synthetic_playlist,
)

MIGRATIONS = {dialect: load_migrations(dialect) for dialect in DIALECTS}
LATEST = MIGRATIONS["sqlite"][-1].version


async def _apply_up_to(location: Location, backend: str, version: int) -> None:
    """Create the database at schema ``version`` exactly as an older release would have."""
    if version:
        older = MIGRATIONS[backend][:version]
        async with await open_database(location, migrations=older) as db:
            assert await db.schema_version() == version


# --- data written at each schema version, and how the newest code must read it back ----
#
# Every migration needs an entry in SEEDS and CHECKS (a test below enforces it): the
# seed writes rows the way that version's code did; the check reads them through the
# newest repositories after migrating to the latest version.

SEED_PLAYLIST = synthetic_playlist(24, seed=7, source="deezer", playlist_id="908622995")
SEED_ANALYSIS = analyse(SEED_PLAYLIST, k=2, png=False)
SEED_ANALYSIS.png = b"\x89PNG seed"
SEED_KEY = analysis_key(SEED_PLAYLIST, AnalysisOptions(k=2))


async def _seed_shared(conn: Session) -> None:
    """Rows whose tables are the same at every version so far."""
    blob = encode_analysis(SEED_ANALYSIS)
    await conn.execute(
        "INSERT INTO analyses (key, source, playlist_id, snapshot, options, analysis_version,"
        " track_count, created_at, last_used, size_bytes, document, png)"
        " VALUES (?, 'deezer', '908622995', ?, 'k=2;mw=0.5', 1, 24, 100.0, 100.0, ?, ?, ?)",
        (SEED_KEY, SEED_PLAYLIST.snapshot, len(blob), blob, SEED_ANALYSIS.png),
    )
    data = encode_playlist(SEED_PLAYLIST)
    await conn.execute(
        "INSERT INTO playlists VALUES ('deezer', '908622995', ?, ?, 24, 100.0, 100.0, ?, ?)",
        (SEED_PLAYLIST.snapshot, SEED_PLAYLIST.name, len(data), data),
    )
    await conn.execute(
        "INSERT INTO messages (message_id, channel_id, guild_id, analysis_key, owner_id, cluster,"
        " page, created_at, updated_at) VALUES (1234567890123456789, 42, 7, ?, 99, 1, 2, 100.0,"
        " 100.0)",
        (SEED_KEY,),
    )
    await conn.execute(
        "INSERT INTO schedules (guild_id, channel_id, ref_source, ref_id, weekday, time, timezone,"
        " k, created_by, created_at, enabled, disabled_reason, last_posted_week, last_track_ids,"
        " last_labels) VALUES (7, 42, 'deezer', '908622995', 4, '18:30', 'Asia/Tokyo', NULL, 99,"
        " 100.0, 1, '', '2026-W47', '[\"a\", \"夜\"]', '{\"a\": 0, \"夜\": 1}')"
    )
    await conn.execute("INSERT INTO guild_settings VALUES (7, 5, 555, 100.0)")


async def _seed_v1(conn: Session) -> None:
    await _seed_shared(conn)
    await conn.execute(
        "INSERT INTO track_features VALUES ('deezer', '3135556', 'reccobeats', 2, 100.0, 60,"
        ' \'{"energy": 0.5, "tempo": 120.0}\')'
    )


async def _seed_v2(conn: Session) -> None:
    await _seed_shared(conn)
    await conn.execute('INSERT INTO feature_keys (id, keys) VALUES (3, \'["energy", "tempo"]\')')
    await conn.execute(
        "INSERT INTO track_features VALUES ('deezer', '3135556', 'reccobeats', 2, 100.0, 60, 3, ?)",
        (struct.pack("<2d", 0.5, 120.0),),
    )


async def _seed_v3(conn: Session) -> None:
    await _seed_v2(conn)
    await conn.execute(
        "UPDATE analyses SET variant = 'providers=deezer/1' WHERE key = ?", (SEED_KEY,)
    )


async def _check_usage_is_exact(db: Database) -> None:
    async with db.read() as conn:
        for kind in ("analyses", "playlists", "track_features"):
            actual = await conn.fetchone(
                f"SELECT count(*), coalesce(sum(size_bytes), 0) FROM {kind}"
            )
            kept = await conn.fetchone(
                "SELECT rows, bytes FROM cache_usage WHERE kind = ?", (kind,)
            )
            assert kept == actual, kind


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


async def _seed_v4(conn: Session) -> None:
    await _seed_v3(conn)
    await conn.execute(
        "INSERT INTO messages (message_id, channel_id, guild_id, analysis_key, owner_id, cluster,"
        " page, created_at, updated_at, map_x, map_y) VALUES (1234567890123456790, 42, 7, ?, 99,"
        " 0, 0, 100.0, 100.0, 'tempo', 'energy')",
        (SEED_KEY,),
    )


async def _seed_v5(conn: Session) -> None:
    await _seed_v4(conn)
    await conn.execute(
        "INSERT INTO spotify_accounts VALUES (99, 'spotify-ユーザー', '名前 🎧',"
        " 'user-library-read', ?, 2000.0, 100.0, 100.0)",
        (b"\x00\xff\x10",),
    )
    await conn.execute("INSERT INTO spotify_pending VALUES ('ab12', 99, ?, 100.0)", (b"\xbe\xef",))


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


async def _seed_v6(conn: Session) -> None:
    await _seed_v5(conn)
    # a schedule of guild 8 whose week 2026-W48 another process claimed until t=5000
    await conn.execute(
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


async def _seed_v7(conn: Session) -> None:
    await _seed_v6(conn)
    await conn.execute(
        "INSERT INTO member_settings (user_id, show_liked, updated_at) VALUES (99, 1, 100.0)"
    )


async def _check_v7(db: Database) -> None:
    await _check_v6(db)
    # messages posted before 0007 show no intro text; 💚 answers are kept
    state = await db.messages.get(1234567890123456790)
    assert state is not None and state.intro == ""
    assert await db.members.shows_liked(99) is True
    assert await db.members.shows_liked(98) is None


SEEDS: dict[int, Callable[[Session], Awaitable[None]]] = {
    1: _seed_v1,
    2: _seed_v2,
    3: _seed_v3,
    4: _seed_v4,
    5: _seed_v5,
    6: _seed_v6,
    7: _seed_v7,
}
CHECKS: dict[int, Callable[[Database], Awaitable[None]]] = {
    1: _check_v1,
    2: _check_v2,
    3: _check_v3,
    4: _check_v4,
    5: _check_v5,
    6: _check_v6,
    7: _check_v7,
}


def test_every_migration_has_a_seed_and_a_check() -> None:
    assert set(SEEDS) == set(CHECKS) == set(range(1, LATEST + 1))


def test_both_backends_have_the_same_migrations() -> None:
    """Same numbers and names: each PostgreSQL file is its SQLite file's meaning."""
    names = {dialect: [m.name for m in found] for dialect, found in MIGRATIONS.items()}
    assert names["sqlite"] == names["postgres"]


@pytest.mark.parametrize("start", range(LATEST + 1))
async def test_migrating_from_every_version_keeps_the_data(
    location: Location, backend: str, start: int
) -> None:
    await _apply_up_to(location, backend, start)
    if start:
        older = MIGRATIONS[backend][:start]
        async with await open_database(location, migrations=older) as db, db.write() as conn:
            await SEEDS[start](conn)
    db = await open_database(location)
    try:
        assert await db.schema_version() == LATEST
        assert await db.integrity_check() == "ok"
        if start:
            await CHECKS[start](db)
        else:
            assert (await db.cache.stats()).analyses == 0
    finally:
        await db.close()


@pytest.mark.sqlite_only  # the file, its folder and SQLite's PRAGMAs
async def test_open_creates_the_folder_and_configures_the_connection(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "bot.db"
    async with await Database.open(path) as db:
        assert path.is_file()
        assert await db.schema_version() == LATEST
        assert (db.dialect, db.path, db.location) == ("sqlite", path, str(path))
        async with db.read() as conn:
            pragmas = {}
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "auto_vacuum"):
                (pragmas[name],) = await conn.fetchone(f"PRAGMA {name}")
    assert pragmas == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": 10_000,
        "auto_vacuum": 2,
    }


async def test_data_survives_close_and_reopen(location: Location) -> None:
    async with await Database.open(location) as db:
        await db.messages.save(MessageState(1, 2, None, "k", 3, cluster=4, page=5))
    async with await Database.open(location) as db:
        assert await db.messages.get(1) == MessageState(1, 2, None, "k", 3, 4, 5)


async def test_a_database_from_a_newer_version_is_refused_untouched(location: Location) -> None:
    async with await Database.open(location) as db:
        await db.messages.save(MessageState(1, 2, 3, "k", 4))
    set_schema_version(location, LATEST + 1)
    with pytest.raises(DatabaseTooNew, match=rf"newer version.*schema version {LATEST + 1}"):
        await Database.open(location)
    assert schema_version(location) == LATEST + 1
    assert raw_fetchall(location, "SELECT count(*) FROM messages") == [(1,)]


@pytest.mark.sqlite_only  # a file of other bytes
async def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not SQLite\n" * 200)
    with pytest.raises(DatabaseUnusable, match="not a usable playlist-clusters database"):
        await Database.open(path)


async def test_an_unreachable_server_names_database_url_without_its_password() -> None:
    url = f"postgresql://bot:s3cret-pass@127.0.0.1:{closed_port()}/bot"
    with pytest.raises(DatabaseUnusable, match="DATABASE_URL=") as caught:
        await open_database(url)
    message = str(caught.value)
    assert "s3cret-pass" not in message and "bot:***@127.0.0.1" in message
    assert postgres.redact("postgresql://h/db?password=p&sslmode=require") == (
        "postgresql://h/db?password=***&sslmode=require"
    )


def _second_migration(backend: str, sql: str) -> list[Migration]:
    return [*MIGRATIONS[backend], Migration(LATEST + 1, f"{LATEST + 1:04d}_test.sql", sql)]


async def test_a_new_migration_applies_once_and_keeps_rows(
    location: Location, backend: str
) -> None:
    async with await Database.open(location) as db:
        await db.messages.save(MessageState(1, 2, 3, "k", 4))
    extra = _second_migration(
        backend,
        "ALTER TABLE messages ADD COLUMN test_note TEXT NOT NULL DEFAULT 'en';\n"
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);\n",
    )
    async with await Database.open(location, migrations=extra) as db:
        assert await db.schema_version() == LATEST + 1
        assert await db.messages.get(1) == MessageState(1, 2, 3, "k", 4)
    async with await Database.open(location, migrations=extra) as db:  # no re-apply
        assert await db.schema_version() == LATEST + 1


async def test_a_failing_migration_leaves_the_previous_version_whole(
    location: Location, backend: str
) -> None:
    async with await Database.open(location) as db:
        await db.messages.save(MessageState(1, 2, 3, "k", 4))
    broken = _second_migration(
        backend,
        "CREATE TABLE half_done (id INTEGER);\n"
        "ALTER TABLE messages ADD COLUMN x TEXT;\n"
        "INSERT INTO no_such_table VALUES (1);\n",
    )
    with pytest.raises(DatabaseUnusable, match=r"no such table|does not exist"):
        await Database.open(location, migrations=broken)
    async with await Database.open(location) as db:
        assert await db.schema_version() == LATEST
        assert await db.messages.get(1) == MessageState(1, 2, 3, "k", 4)
        with pytest.raises(StorageError, match="half_done"):
            async with db.read() as conn:
                await conn.fetchall("SELECT * FROM half_done")


async def test_two_processes_opening_a_fresh_database_at_once_migrate_it_once(
    location: Location,
) -> None:
    first, second = await asyncio.gather(Database.open(location), Database.open(location))
    try:
        assert await first.schema_version() == await second.schema_version() == LATEST
        await first.messages.save(MessageState(1, 2, 3, "k", 4))
        assert await second.messages.get(1) is not None
    finally:
        await first.close()
        await second.close()


def test_migration_files_must_be_numbered_without_gaps(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("CREATE TABLE a (x);", "utf-8")
    (tmp_path / "0003_c.sql").write_text("CREATE TABLE c (x);", "utf-8")
    with pytest.raises(RuntimeError, match="without gaps"):
        load_migrations(folder=tmp_path)


def test_statements_are_split_with_triggers_whole() -> None:
    sql = (
        "-- comment; with a semicolon\nCREATE TABLE t (x TEXT DEFAULT 'a;b');\n"
        "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET x = 'c';\nEND;\n"
    )
    statements = split_statements(sql)
    assert len(statements) == 2 and statements[1].endswith("END;")


async def test_migrate_to_a_target_version_stops_there(location: Location, backend: str) -> None:
    migrations = MIGRATIONS[backend]
    if backend == "sqlite":
        assert isinstance(location, Path)
        location.parent.mkdir(parents=True)
        async with aiosqlite.connect(location, isolation_level=None) as conn:
            assert await sqlite.migrate(conn, migrations, target=0) == 0
            assert await sqlite.migrate(conn, migrations, target=2) == 2
            assert await sqlite.migrate(conn, migrations) == LATEST
        return
    conn = await asyncpg.connect(str(location))
    try:
        assert await postgres.migrate(conn, migrations, target=0) == 0
        assert await postgres.migrate(conn, migrations, target=2) == 2
        assert await conn.fetchval("SELECT to_regclass('spotify_accounts')") is None
        assert await postgres.migrate(conn, migrations) == LATEST
    finally:
        await conn.close()


async def test_a_failed_write_rolls_back_everything(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.write() as conn:
            await conn.execute(
                "INSERT INTO guild_settings (guild_id, default_k, updated_at) VALUES (1, 3, 0)"
            )
            raise RuntimeError("boom")
    assert (await db.guild_settings.get(1)).default_k is None


async def test_a_failed_statement_is_a_storage_error_and_rolls_back(db: Database) -> None:
    with pytest.raises(StorageError) as caught:
        async with db.write() as conn:
            await conn.execute(
                "INSERT INTO guild_settings (guild_id, default_k, updated_at) VALUES (1, 3, 0)"
            )
            await conn.execute("INSERT INTO no_such_table VALUES (1)")
    assert isinstance(caught.value.__cause__, sqlite3.Error | asyncpg.PostgresError)
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


@pytest.mark.sqlite_only  # SQLite's busy handler; the PostgreSQL form follows
async def test_a_write_cancelled_while_waiting_for_another_process_leaves_no_transaction(
    db: Database,
) -> None:
    assert db.path is not None
    loop = asyncio.get_running_loop()
    begun = asyncio.Event()

    def trace(sql: str) -> None:  # runs in aiosqlite's thread as each statement starts
        if sql.startswith("BEGIN IMMEDIATE"):
            loop.call_soon_threadsafe(begun.set)

    async with db.read() as conn:
        await conn.connection.set_trace_callback(trace)  # type: ignore[attr-defined]
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


async def test_a_postgres_write_cancelled_while_another_process_writes_leaves_no_transaction(
    postgres_url: str,
) -> None:
    url, drop = new_schema(postgres_url)
    db = await open_database(url)
    other = await asyncpg.connect(url)
    try:
        held = other.transaction()
        await held.start()
        await other.execute(postgres.WRITE_LOCK)  # another process is writing
        task = asyncio.create_task(db.guild_settings.save(GuildSettings(1, default_k=3)))
        waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        for _ in range(500):  # until our write waits for the lock (no event to wait on)
            if await other.fetchval(waiting) == 1:
                break
            await asyncio.sleep(0.01)
        assert await other.fetchval(waiting) == 1 and not task.done()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await held.rollback()
        assert await other.fetchval(waiting) == 0
        await db.guild_settings.save(GuildSettings(2, default_k=4))
        assert (await db.guild_settings.get(2)).default_k == 4
        assert (await db.guild_settings.get(1)).default_k is None
    finally:
        await other.close()
        await db.close()
        drop()


async def test_reads_do_not_wait_for_a_postgres_writer(postgres_url: str) -> None:
    """Pooled reads see the last commit while a write transaction is still open."""
    url, drop = new_schema(postgres_url)
    db = await open_database(url)
    try:
        await db.guild_settings.save(GuildSettings(1, default_k=3))
        async with db.write() as conn:
            await conn.execute("UPDATE guild_settings SET default_k = 9 WHERE guild_id = 1")
            assert (await db.guild_settings.get(1)).default_k == 3  # not yet committed
        assert (await db.guild_settings.get(1)).default_k == 9
    finally:
        await db.close()
        drop()


async def test_closing_twice_is_harmless(location: Location) -> None:
    db = await Database.open(location)
    await db.close()
    await db.close()
