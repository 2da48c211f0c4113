"""The numbered schema migrations of both backends, and the version rule they share.

``storage/migrations/sqlite/NNNN_name.sql`` and ``storage/migrations/postgres/NNNN_name.sql``
hold the same changes with the same numbers and names, each in its dialect (BLOB and
bytea, AUTOINCREMENT and identity, SQLite triggers and a PL/pgSQL trigger function).
A backend applies each file in its own transaction together with the new version
number, so a crash leaves the database at the previous version, never between two;
a database whose version is above the newest file was written by a newer program and
is refused with :class:`~bot.errors.DatabaseTooNew`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

from bot.errors import DatabaseTooNew

Dialect = Literal["sqlite", "postgres"]
DIALECTS: tuple[Dialect, ...] = ("sqlite", "postgres")

_MIGRATION_NAME = re.compile(r"^(\d{4})_[\w-]+\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered schema change."""

    version: int
    name: str
    sql: str


def load_migrations(
    dialect: Dialect = "sqlite", folder: Traversable | Path | None = None
) -> list[Migration]:
    """The migrations in ``folder`` (default: the packaged ones of ``dialect``), in order.

    Versions must run 1, 2, 3, ... without gaps or repeats, so a missing or doubled
    file is caught before anything is applied.
    """
    root = folder if folder is not None else resources.files("storage") / "migrations" / dialect
    found: list[Migration] = []
    for entry in root.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    expected = list(range(1, len(found) + 1))
    if [m.version for m in found] != expected:
        names = ", ".join(m.name for m in found)
        raise RuntimeError(f"migrations must be numbered 0001, 0002, ... without gaps: {names}")
    return found


def refuse_if_newer(current: int, migrations: list[Migration], where: str, setting: str) -> None:
    """Raise :class:`DatabaseTooNew` if ``current`` is above every migration this program has."""
    latest = migrations[-1].version if migrations else 0
    if current > latest:
        raise DatabaseTooNew(
            f"The database {where} was written by a newer version of playlist-clusters "
            f"(schema version {current}; this version knows up to {latest}). "
            f"Upgrade playlist-clusters, or set {setting} to another database."
        )
