"""The database of the bot and the CLI: one backend, one repository per concern.

:func:`open_database` picks the backend from where the data lives: a file path is the
embedded SQLite backend (:mod:`storage.backends.sqlite`, the default), a ``postgresql://`` URL
the shared PostgreSQL backend (:mod:`storage.backends.postgres`, imported only then). Both
give the repositories the same two doors, :meth:`Database.read` and
:meth:`Database.write`, each lending a :class:`~storage.backends.session.Session`, and apply
the same numbered migrations (``storage/migrations/<dialect>/``, see
:mod:`storage.backends.schema`). Errors of either driver leave as
:class:`~storage.errors.StorageError`.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Protocol

from storage.accounts import AccountRepository
from storage.backends.schema import Dialect, Migration, load_migrations
from storage.backends.session import Session
from storage.backends.sqlite import SqliteBackend
from storage.cache import CacheRepository
from storage.guild_settings import GuildSettingsRepository
from storage.members import MemberSettingsRepository
from storage.messages import MessageRepository
from storage.schedules import ScheduleRepository

__all__ = ["Backend", "Database", "is_postgres_url", "open_database"]

_POSTGRES_SCHEMES = ("postgresql://", "postgres://")


class Backend(Protocol):
    """What :class:`Database` needs from a backend (SQLite or PostgreSQL)."""

    dialect: Dialect
    #: Where the data is, as shown to the user (a file path, or a URL without password).
    location: str
    #: The SQLite file; None on PostgreSQL.
    path: Path | None

    def read(self) -> AbstractAsyncContextManager[Session]: ...
    def write(self) -> AbstractAsyncContextManager[Session]: ...
    async def close(self) -> None: ...
    async def schema_version(self) -> int: ...
    async def integrity_check(self) -> str: ...
    async def disk_bytes(self) -> int: ...
    async def reclaim_space(self) -> None: ...


def is_postgres_url(location: str | Path) -> bool:
    """Whether ``location`` names a PostgreSQL database rather than a SQLite file."""
    return isinstance(location, str) and location.startswith(_POSTGRES_SCHEMES)


async def open_database(
    location: str | Path,
    *,
    cache_max_bytes: int | None = None,
    migrations: list[Migration] | None = None,
) -> Database:
    """Open and migrate the database at ``location``: a SQLite file (created with its
    folder if needed) or a ``postgresql://`` URL.

    ``cache_max_bytes`` bounds the cache (None: unbounded); ``migrations`` replaces
    the packaged ones of that backend (tests use it to exercise the runner).
    Raises :class:`~bot.errors.DatabaseUnusable` or :class:`~bot.errors.DatabaseTooNew`.
    """
    backend: Backend
    if is_postgres_url(location):
        from storage.backends.postgres import PostgresBackend

        backend = await PostgresBackend.open(
            str(location), load_migrations("postgres") if migrations is None else migrations
        )
    else:
        backend = await SqliteBackend.open(
            location, load_migrations("sqlite") if migrations is None else migrations
        )
    return Database(backend, cache_max_bytes=cache_max_bytes)


class Database:
    """The bot's database: a backend and one repository per concern."""

    def __init__(self, backend: Backend, *, cache_max_bytes: int | None = None) -> None:
        self.backend = backend
        self.cache = CacheRepository(self, max_bytes=cache_max_bytes)
        self.messages = MessageRepository(self)
        self.schedules = ScheduleRepository(self)
        self.guild_settings = GuildSettingsRepository(self)
        self.accounts = AccountRepository(self)
        self.members = MemberSettingsRepository(self)

    @classmethod
    async def open(
        cls,
        location: str | Path,
        *,
        cache_max_bytes: int | None = None,
        migrations: list[Migration] | None = None,
    ) -> Database:
        """Same as :func:`open_database`."""
        return await open_database(location, cache_max_bytes=cache_max_bytes, migrations=migrations)

    @property
    def dialect(self) -> Dialect:
        """``"sqlite"`` or ``"postgres"``."""
        return self.backend.dialect

    @property
    def location(self) -> str:
        """Where the data is: the file path, or the URL without its password."""
        return self.backend.location

    @property
    def path(self) -> Path | None:
        """The SQLite file (None on PostgreSQL)."""
        return self.backend.path

    def read(self) -> AbstractAsyncContextManager[Session]:
        """A session for reads (statements in autocommit; no other task's transaction
        on the same SQLite connection is open meanwhile)."""
        return self.backend.read()

    def write(self) -> AbstractAsyncContextManager[Session]:
        """A session inside one transaction, committed on success and rolled back on
        any exception or cancellation; one writer at a time per database."""
        return self.backend.write()

    async def close(self) -> None:
        """Finish pending work and close (a second call does nothing)."""
        await self.backend.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def schema_version(self) -> int:
        """The migration the database is at."""
        return await self.backend.schema_version()

    async def integrity_check(self) -> str:
        """ "ok" for a sound database (SQLite: ``PRAGMA integrity_check``; PostgreSQL:
        the cache's running totals against its tables)."""
        return await self.backend.integrity_check()

    async def file_bytes(self) -> int:
        """Bytes the database takes: SQLite's file and WAL, or PostgreSQL's tables."""
        return await self.backend.disk_bytes()

    async def reclaim_space(self) -> None:
        """Give the space of deleted rows back (after evictions or a clear)."""
        await self.backend.reclaim_space()
