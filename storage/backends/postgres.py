"""The shared backend: a PostgreSQL database through an asyncpg connection pool.

Several processes (bot shards, workers, the CLI) can use one database at once. Each
:meth:`~PostgresBackend.read` borrows a pooled connection in autocommit, so reads run
side by side and never wait for a writer. Each :meth:`~PostgresBackend.write` is one
transaction that first takes a transaction-scoped advisory lock of this schema: the
same one-writer-at-a-time rule as SQLite's ``BEGIN IMMEDIATE``, across every process.
Writers must not interleave: every cache write updates the running totals in
``cache_usage`` and may evict from several tables, so two writers taking those rows
in different orders would deadlock; one write lock keeps every write (and a "claim
this" read-then-update) simple and atomic.

The schema version is the one row of ``schema_version``; each migration of
``storage/migrations/postgres`` runs in one transaction under the same lock, which
re-reads the version, so two processes starting on an empty database apply it once.

Only this module imports asyncpg, and :func:`storage.database.open_database` imports
this module only for a ``postgresql://`` URL, so SQLite users never load it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg

from bot.errors import DatabaseUnusable
from storage.backends.schema import Dialect, Migration, refuse_if_newer
from storage.backends.session import Params, Row, numbered
from storage.errors import StorageError

#: Connections per process; a write holds one for its transaction, a read for its queries.
POOL_SIZE = 10
#: Seconds to wait for the server when opening.
CONNECT_TIMEOUT_SECONDS = 10.0
#: The write lock: one transaction-scoped advisory lock per schema.
WRITE_LOCK = (
    "SELECT pg_advisory_xact_lock(hashtext('playlist-clusters'),"
    " hashtext(coalesce(current_schema(), '')))"
)
#: What asyncpg raises for a failed statement or a lost connection.
ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError)


class PostgresSession:
    """The :class:`~storage.backends.session.Session` of PostgreSQL (``?`` -> ``$n``)."""

    def __init__(self, connection: asyncpg.Connection[Any]) -> None:
        self.connection = connection

    async def execute(self, sql: str, params: Params = ()) -> int:
        status = await self.connection.execute(numbered(sql), *params)
        last = status.rsplit(" ", 1)[-1]  # "UPDATE 3", "INSERT 0 1", "CREATE TABLE"
        return int(last) if last.isdigit() else 0

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self.connection.executemany(numbered(sql), list(rows))

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        row = await self.connection.fetchrow(numbered(sql), *params)
        return None if row is None else tuple(row)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return [tuple(row) for row in await self.connection.fetch(numbered(sql), *params)]

    async def touch(self, sql: str, params: Params) -> None:
        # waits for a writer holding that row (short); skipped under a server lock_timeout
        with suppress(asyncpg.exceptions.LockNotAvailableError):
            await self.execute(sql, params)


def redact(url: str) -> str:
    """``url`` without its password (in the user part or a ``password=`` parameter)."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if parts.password is not None:
            user, _, host = netloc.rpartition("@")
            netloc = f"{user.partition(':')[0]}:***@{host}"
        query = urlencode(
            [(k, "***" if k == "password" else v) for k, v in parse_qsl(parts.query)], safe="*"
        )
        return urlunsplit(parts._replace(netloc=netloc, query=query))
    except ValueError:
        return "the PostgreSQL database of DATABASE_URL"


async def migrate(
    conn: asyncpg.Connection[Any],
    migrations: list[Migration],
    *,
    target: int | None = None,
    where: str = "the database",
) -> int:
    """Bring the database up to ``target`` (default: the newest migration); return the version.

    One transaction per migration, each under the write lock and re-reading the version.
    """
    latest = migrations[-1].version if migrations else 0
    target = latest if target is None else target
    while True:
        async with conn.transaction():
            await conn.execute(WRITE_LOCK)
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)"
            )
            current = int(
                await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_version")
            )
            refuse_if_newer(current, migrations, where, "DATABASE_URL")
            pending = [m for m in migrations if current < m.version <= target]
            if not pending:
                return current
            await conn.execute(pending[0].sql)  # the whole file: simple query protocol
            await conn.execute("DELETE FROM schema_version")
            await conn.execute(
                "INSERT INTO schema_version (version) VALUES ($1)", pending[0].version
            )


class PostgresBackend:
    """A PostgreSQL database: a pool of connections, one write lock shared by every process."""

    dialect: Dialect = "postgres"
    path: Path | None = None

    def __init__(self, pool: asyncpg.Pool[Any], location: str) -> None:
        self._pool = pool
        self._closed = False
        #: The URL without its password: what the user is shown.
        self.location = location

    @classmethod
    async def open(
        cls, url: str, migrations: list[Migration], *, pool_size: int = POOL_SIZE
    ) -> PostgresBackend:
        """Connect to ``url`` and migrate; DatabaseUnusable naming DATABASE_URL if that fails."""
        shown = redact(url)
        try:
            pool = await asyncpg.create_pool(
                url,
                min_size=1,
                max_size=pool_size,
                timeout=CONNECT_TIMEOUT_SECONDS,
                server_settings={"application_name": "playlist-clusters"},
            )
        except (*ERRORS, ValueError, OverflowError, TimeoutError) as exc:
            reason = str(exc).replace(urlsplit(url).password or "\0", "***") or type(exc).__name__
            raise DatabaseUnusable(
                f"DATABASE_URL={shown[:200]!r} cannot be used: {reason[:300]}. "
                "Set DATABASE_URL to a reachable PostgreSQL database, or empty for SQLite."
            ) from None
        try:
            async with pool.acquire() as conn:
                await migrate(conn, migrations, where=shown)
        except ERRORS as exc:
            pool.terminate()
            raise DatabaseUnusable(
                f"{shown} is not a usable playlist-clusters database ({exc}). "
                "Set DATABASE_URL to another database."
            ) from exc
        except BaseException:
            pool.terminate()
            raise
        return cls(pool, shown)

    async def close(self) -> None:
        """Wait for borrowed connections to come back, then close them all (once)."""
        if self._closed:
            return
        self._closed = True
        await self._pool.close()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[PostgresSession]:
        """A pooled connection in autocommit: each statement sees the latest commits."""
        async with _translated(), self._pool.acquire() as conn:
            yield PostgresSession(conn)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[PostgresSession]:
        """A pooled connection inside one transaction holding the write lock.

        Committed on success; any exception (cancellation included) rolls it back.
        """
        async with _translated(), self._pool.acquire() as conn:
            transaction = conn.transaction()
            await transaction.start()
            try:
                await conn.execute(WRITE_LOCK)
                yield PostgresSession(conn)
            except BaseException:
                # a broken connection cannot roll back: the pool discards it, and the
                # server ends its transaction when the connection goes
                with suppress(*ERRORS):
                    await asyncio.shield(transaction.rollback())
                raise
            await transaction.commit()

    async def schema_version(self) -> int:
        """The version recorded in ``schema_version``."""
        async with self.read() as session:
            row = await session.fetchone("SELECT coalesce(max(version), 0) FROM schema_version")
        return int(row[0]) if row else 0

    async def integrity_check(self) -> str:
        """ "ok" if the cache's running totals match its tables, else what differs.

        PostgreSQL guards its own pages (WAL, checksums); what it cannot know is that
        ``cache_usage`` still counts the rows and bytes of the cache tables.
        """
        problems = []
        async with self.read() as session:
            for kind, rows, size in await session.fetchall(
                "SELECT kind, rows, bytes FROM cache_usage ORDER BY kind"
            ):
                actual = await session.fetchone(
                    f"SELECT count(*), coalesce(sum(size_bytes), 0) FROM {kind}"
                )
                assert actual is not None
                if (rows, size) != (actual[0], int(actual[1])):
                    problems.append(f"cache_usage {kind}: {rows}/{size}, table {tuple(actual)}")
        return "\n".join(problems) or "ok"

    async def disk_bytes(self) -> int:
        """Bytes the tables of this schema take in the server (indexes and TOAST included)."""
        async with self.read() as session:
            row = await session.fetchone(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = current_schema() AND c.relkind = 'r'"
            )
        return int(row[0]) if row else 0

    async def reclaim_space(self) -> None:
        """VACUUM the cache tables: their dead rows' space is reused, a free tail returned."""
        async with self.read() as session:
            await session.execute("VACUUM analyses, playlists, track_features, feature_keys")


@asynccontextmanager
async def _translated() -> AsyncIterator[None]:
    """Raise :class:`StorageError` for any asyncpg or connection error inside."""
    try:
        yield
    except ERRORS as exc:
        raise StorageError(str(exc) or type(exc).__name__) from exc
