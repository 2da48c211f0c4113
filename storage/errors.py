"""The storage layer's own exception, so callers never see SQLite's.

:meth:`storage.database.Database.read` and :meth:`~storage.database.Database.write`
turn every ``sqlite3.Error`` raised inside them into :class:`StorageError` (the
original is its ``__cause__``): the layers above catch a storage failure (a full
disk, a file locked by another process) without importing ``sqlite3``.
"""

from __future__ import annotations


class StorageError(Exception):
    """A read or write of the database failed (the SQLite error is the ``__cause__``)."""
