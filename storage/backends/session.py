"""What a repository talks to: one connection of either backend, inside ``read()``/``write()``.

:meth:`storage.database.Database.read` and :meth:`~storage.database.Database.write` yield
a :class:`Session`. Repositories write one SQL text for both backends, with ``?``
placeholders (translated to ``$1, $2, ...`` for PostgreSQL by :func:`numbered`) and the
common dialect of SQLite 3.35+ and PostgreSQL: ``INSERT ... ON CONFLICT ... DO UPDATE``,
``RETURNING``, ``coalesce``, no ``INSERT OR REPLACE`` and no ``PRAGMA``. Rows come
back as plain tuples on both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from functools import lru_cache
from typing import Any, Protocol

Row = tuple[Any, ...]
Params = Sequence[object]


class Session(Protocol):
    """A connection lent by a backend for the length of one ``read()`` or ``write()``."""

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; the number of rows it inserted, changed or deleted."""
        ...

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement once per parameter row."""
        ...

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        """The first row of a query (or of an ``INSERT/DELETE ... RETURNING``), or None."""
        ...

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        """Every row of a query."""
        ...

    async def touch(self, sql: str, params: Params) -> None:
        """A best-effort write (e.g. "last used" times): skipped if another process
        holds the lock it needs, instead of failing the read it belongs to."""
        ...


@lru_cache(maxsize=512)
def numbered(sql: str) -> str:
    """``sql`` with each ``?`` outside quotes replaced by ``$1``, ``$2``, ... (PostgreSQL).

    >>> numbered("SELECT '?' FROM t WHERE a = ? AND b IN (?, ?)")
    "SELECT '?' FROM t WHERE a = $1 AND b IN ($2, $3)"
    """
    out: list[str] = []
    count = 0
    quote = ""
    for char in sql:
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "?":
            count += 1
            out.append(f"${count}")
            continue
        out.append(char)
    return "".join(out)


class Sessions(Protocol):
    """What a repository is given: the two doors of a database and its size.

    :class:`storage.database.Database` is one; repositories name this protocol rather
    than the class, since the database builds the repositories.
    """

    def read(self) -> AbstractAsyncContextManager[Session]: ...
    def write(self) -> AbstractAsyncContextManager[Session]: ...
    async def file_bytes(self) -> int: ...
    async def reclaim_space(self) -> None: ...
