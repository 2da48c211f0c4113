"""The embedded backend: one SQLite file through one aiosqlite connection.

One :class:`SqliteBackend` owns one aiosqlite connection (one worker thread) and an
:class:`asyncio.Lock`. :meth:`~SqliteBackend.read` and :meth:`~SqliteBackend.write`
both hold the lock, so no task's statement can run inside another task's transaction,
and every multi-row write is one transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``,
rolled back on any error or cancellation). Other processes on the same file (the CLI
next to the bot) are handled by WAL mode and the busy timeout.

The schema version is ``PRAGMA user_version``; each migration of
``storage/migrations/sqlite`` runs in one ``BEGIN IMMEDIATE`` transaction with it.
"""

from __future__ import annotations

import asyncio
import sqlite3
import stat
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager, suppress
from pathlib import Path

import aiosqlite

from bot.errors import DatabaseUnusable
from storage.backends.schema import Dialect, Migration, refuse_if_newer
from storage.backends.session import Params, Row
from storage.errors import StorageError

#: How long a statement waits for another process's lock before failing.
DEFAULT_BUSY_TIMEOUT_SECONDS = 10.0


class SqliteSession:
    """The :class:`~storage.backends.session.Session` of the SQLite backend."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        #: The aiosqlite connection itself (tests reach SQLite's hooks through it).
        self.connection = connection

    async def execute(self, sql: str, params: Params = ()) -> int:
        cursor = await self.connection.execute(sql, params)
        count = cursor.rowcount
        await cursor.close()
        return max(count, 0)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self.connection.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        # every row: a RETURNING statement is complete only once stepped to its end
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        # Through a cursor, not execute_fetchall: the worker thread keeps the last call
        # it ran, and a method of the aiosqlite connection there would keep an unclosed
        # connection (and its thread) alive for good instead of letting GC stop it.
        async with self.connection.execute(sql, params) as cursor:
            return [tuple(row) for row in await cursor.fetchall()]

    async def touch(self, sql: str, params: Params) -> None:
        with suppress(sqlite3.OperationalError):  # another process holds the write lock
            await self.execute(sql, params)


def split_statements(sql: str) -> list[str]:
    """The complete SQL statements of a script (triggers' ``BEGIN ... END`` kept whole)."""
    statements: list[str] = []
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    rest = "\n".join(
        line for line in buffer.splitlines() if line.strip() and not line.strip().startswith("--")
    )
    if rest:
        raise ValueError(f"migration ends with an incomplete statement: {rest[:80]!r}")
    return statements


async def _user_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def migrate(
    conn: aiosqlite.Connection,
    migrations: list[Migration],
    *,
    target: int | None = None,
    path: str = "the database",
) -> int:
    """Bring ``conn`` up to ``target`` (default: the newest migration); return the version.

    Each migration runs in one ``BEGIN IMMEDIATE`` transaction that re-reads the
    version first, so two processes opening a fresh file at once apply it only once.
    """
    latest = migrations[-1].version if migrations else 0
    target = latest if target is None else target
    current = await _user_version(conn)
    refuse_if_newer(current, migrations, path, "DATABASE_PATH")
    for migration in migrations:
        if migration.version <= current or migration.version > target:
            continue
        try:
            await conn.execute("BEGIN IMMEDIATE")
            # Another process may have applied it while we waited for the write lock.
            current = await _user_version(conn)
            if migration.version > current:
                # Statement by statement: executescript() would commit first.
                for statement in split_statements(migration.sql):
                    await conn.execute(statement)
                await conn.execute(f"PRAGMA user_version = {migration.version}")
            await conn.commit()
        except BaseException:
            await asyncio.shield(conn.rollback())
            raise
        current = max(current, migration.version)
    return current


class SqliteBackend:
    """One SQLite file: one connection, one lock."""

    dialect: Dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self._closed = False
        self.path = path
        #: What the user is shown as "where the cache is".
        self.location = str(path)

    @classmethod
    async def open(
        cls,
        path: Path | str,
        migrations: list[Migration],
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT_SECONDS,
    ) -> SqliteBackend:
        """Open (creating folders and file if needed) and migrate the file at ``path``."""
        path = Path(path)
        conn = await _connect(path, busy_timeout)
        try:
            await _configure(conn, busy_timeout)
            await migrate(conn, migrations, path=str(path))
        except sqlite3.DatabaseError as exc:
            await conn.close()
            raise DatabaseUnusable(
                f"{path} is not a usable playlist-clusters database ({exc}). "
                "Move it away or set DATABASE_PATH to another file."
            ) from exc
        except BaseException:
            await conn.close()
            raise
        return cls(conn, path)

    async def close(self) -> None:
        """Finish pending work, checkpoint the WAL into the main file and close (once)."""
        async with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                await self._conn.execute("PRAGMA optimize")
                await self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:
                pass  # another process holds the file; the WAL stays valid
            await self._conn.close()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[SqliteSession]:
        """The connection for reads; no other task's transaction is open meanwhile."""
        async with self._lock, _translated():
            yield SqliteSession(self._conn)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[SqliteSession]:
        """The connection inside one ``BEGIN IMMEDIATE`` transaction, committed on success.

        Any exception (cancellation included) rolls the whole transaction back.
        """
        async with self._lock, _translated():
            try:
                # inside the try: a cancellation while BEGIN waits for another process
                # must still roll back the transaction BEGIN opens once it gets the lock
                await self._conn.execute("BEGIN IMMEDIATE")
                yield SqliteSession(self._conn)
                await self._conn.commit()
            except BaseException:
                # shield: a second cancellation must not skip the rollback; aiosqlite runs
                # calls in order, so it lands before the next task's BEGIN anyway.
                await asyncio.shield(self._conn.rollback())
                raise

    async def schema_version(self) -> int:
        """``PRAGMA user_version`` of the open file."""
        async with self._lock, _translated():
            return await _user_version(self._conn)

    async def integrity_check(self) -> str:
        """``PRAGMA integrity_check``'s answer: "ok" for a sound file."""
        async with self.read() as session:
            rows = await session.fetchall("PRAGMA integrity_check")
        return "\n".join(str(row[0]) for row in rows)

    async def disk_bytes(self) -> int:
        """Bytes on disk: the main file plus its WAL."""
        return _file_bytes(self.path)

    async def reclaim_space(self) -> None:
        """Return free pages to the file system (after evictions or a clear)."""
        async with self._lock, _translated():
            # executescript steps the pragma to the end; execute() would free one page.
            await self._conn.executescript("PRAGMA incremental_vacuum;")
            # Fails while another process reads; the next checkpoint will do it.
            with suppress(sqlite3.OperationalError):
                await self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _file_bytes(path: Path) -> int:
    """Sizes of ``path`` and its WAL (two ``stat`` calls: not worth a thread)."""
    total = 0
    for suffix in ("", "-wal"):
        with suppress(FileNotFoundError):
            total += Path(f"{path}{suffix}").stat().st_size
    return total


def _unusable_path(path: Path, reason: str) -> DatabaseUnusable:
    return DatabaseUnusable(
        f"DATABASE_PATH={str(path)[:200]!r} cannot be used: {reason}. "
        "Set DATABASE_PATH to a file in a writable folder."
    )


def _check_path(path: Path) -> None:
    """Create the parent folder; refuse a folder or a special file where the file goes."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise _unusable_path(path, "a part of its folder is a file") from None
    except OSError as exc:
        raise _unusable_path(path, (exc.strerror or "cannot create its folder").lower()) from None
    except ValueError:
        raise _unusable_path(path, "it contains a NUL character") from None
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _unusable_path(path, (exc.strerror or "cannot look at it").lower()) from None
    if stat.S_ISDIR(mode):
        raise _unusable_path(path, "it is a folder")
    if not stat.S_ISREG(mode):
        raise _unusable_path(path, "it is not a regular file")


async def _connect(path: Path, busy_timeout: float) -> aiosqlite.Connection:
    """An open connection to ``path``, or DatabaseUnusable naming DATABASE_PATH and why."""
    _check_path(path)
    try:
        # Opened once with sqlite3 first: when aiosqlite's connect fails, its worker
        # thread outlives the event loop of a short CLI run and prints a traceback.
        await asyncio.to_thread(_probe, path)
        return await aiosqlite.connect(path, isolation_level=None, timeout=busy_timeout)
    except (sqlite3.Error, OSError, ValueError) as exc:
        raise _unusable_path(path, str(exc)) from None


def _probe(path: Path) -> None:
    sqlite3.connect(path).close()


@asynccontextmanager
async def _translated() -> AsyncIterator[None]:
    """Raise :class:`StorageError` for any SQLite error inside (the original as cause)."""
    try:
        yield
    except sqlite3.Error as exc:
        raise StorageError(str(exc)) from exc


async def _switch_to_wal(conn: aiosqlite.Connection, busy_timeout: float) -> object:
    """``PRAGMA journal_mode = WAL``, waiting out another process doing the same.

    SQLite answers a journal-mode change that meets another connection's first open of
    the same fresh file with "database is locked" at once, without calling the busy
    handler; so two processes starting together (a bot and a worker) retry here, up to
    the busy timeout, instead of one of them refusing the file.
    """
    deadline = time.monotonic() + busy_timeout
    delay = 0.005
    while True:
        try:
            async with conn.execute("PRAGMA journal_mode = WAL") as cursor:
                return await cursor.fetchone()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.2)


async def _configure(conn: aiosqlite.Connection, busy_timeout: float) -> None:
    """Connection settings: busy timeout, incremental auto-vacuum (new files), WAL, FKs."""
    await conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
    async with conn.execute("SELECT count(*) FROM sqlite_schema") as cursor:
        row = await cursor.fetchone()
    if row and row[0] == 0:
        # Only takes effect before the first table exists: lets clear() shrink the file.
        await conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
    mode = await _switch_to_wal(conn, busy_timeout)
    if not mode or str(mode[0]).lower() != "wal":
        raise sqlite3.DatabaseError(f"cannot switch to WAL mode (got {mode and mode[0]!r})")
    # WAL + NORMAL: a crashed process never corrupts or half-writes; only a power cut
    # may lose the last commits.
    await conn.execute("PRAGMA synchronous = NORMAL")
    await conn.execute("PRAGMA foreign_keys = ON")
