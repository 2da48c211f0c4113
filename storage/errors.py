"""The storage layer's own exception, so callers never see a driver's.

:meth:`storage.database.Database.read` and :meth:`~storage.database.Database.write`
turn every ``sqlite3.Error`` (SQLite backend) and every asyncpg or connection error
(PostgreSQL backend) raised inside them into :class:`StorageError` (the original is
its ``__cause__``): the layers above catch a storage failure (a full disk, a file
locked by another process, a lost server) without importing either driver.
"""

from __future__ import annotations


class StorageError(Exception):
    """A read or write of the database failed (the driver's error is the ``__cause__``)."""
