"""Copy a database into another (`playlist-clusters db copy --from SQLITE_PATH --to URL`).

Moves what a bot keeps between restarts from one database to another, typically the
SQLite file of a single process to the PostgreSQL database of several: the cache
(playlists, track features, analyses), posted messages (paging state), schedules,
per-server settings and connected Spotify accounts. Both databases are migrated to
this program's schema first, so their tables are the same.

Rows are inserted with ``ON CONFLICT DO NOTHING``: a row already in the target (same
key) is kept as it is, so running the copy twice copies nothing the second time, and
an interrupted copy can simply be run again. Track features point at a shared key
list by id; those ids are mapped by the key list's text. Schedule ids are kept (a
member's ``/schedule remove 3`` still names the same schedule), and PostgreSQL's id
sequence is moved past them. Sign-ins under way (``spotify_pending``) are not copied:
they lapse within minutes. Afterwards every source row's key is looked up in the
target, and the copy fails if any is missing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field

from storage.backends.session import Row
from storage.database import Database

__all__ = ["NOT_COPIED", "TABLES", "CopyIncomplete", "CopyReport", "TableCount", "copy_database"]


@dataclass(frozen=True, slots=True)
class Table:
    """One copied table: its key columns and the other columns, in order."""

    name: str
    key: tuple[str, ...]
    columns: tuple[str, ...]

    @property
    def all(self) -> tuple[str, ...]:
        return self.key + self.columns


TABLES: tuple[Table, ...] = (
    Table(
        "playlists",
        ("source", "id"),
        ("snapshot", "name", "track_count", "fetched_at", "last_used", "size_bytes", "data"),
    ),
    Table(
        "track_features",
        ("source", "track_id", "provider"),
        ("version", "stored_at", "size_bytes", "keys_id", "vals"),
    ),
    Table(
        "analyses",
        ("key",),
        (
            "source",
            "playlist_id",
            "snapshot",
            "options",
            "analysis_version",
            "track_count",
            "created_at",
            "last_used",
            "size_bytes",
            "document",
            "png",
            "variant",
        ),
    ),
    Table(
        "messages",
        ("message_id",),
        (
            "channel_id",
            "guild_id",
            "analysis_key",
            "owner_id",
            "cluster",
            "page",
            "created_at",
            "updated_at",
            "map_x",
            "map_y",
            "intro",
            "locale",
        ),
    ),
    Table(
        "schedules",
        ("id",),
        (
            "guild_id",
            "channel_id",
            "ref_source",
            "ref_id",
            "weekday",
            "time",
            "timezone",
            "k",
            "created_by",
            "created_at",
            "enabled",
            "disabled_reason",
            "last_posted_week",
            "last_track_ids",
            "last_labels",
            "claim_week",
            "claim_owner",
            "claim_expires",
            "send_week",
            "send_started",
            "send_track_ids",
            "send_labels",
        ),
    ),
    Table("guild_settings", ("guild_id",), ("default_k", "schedule_role_id", "updated_at")),
    Table("member_settings", ("user_id",), ("show_liked", "updated_at")),
    Table(
        "taste_shares",
        ("guild_id", "user_id"),
        ("ref_source", "ref_id", "name", "member_name", "created_at"),
    ),
    Table(
        "spotify_accounts",
        ("discord_user_id",),
        (
            "spotify_user_id",
            "display_name",
            "scope",
            "tokens",
            "expires_at",
            "created_at",
            "updated_at",
        ),
    ),
)
#: Tables not copied row by row, and why (a test checks every table is one or the other).
NOT_COPIED = {
    "feature_keys": "mapped by their text while track features are copied",
    "cache_usage": "running totals the target's triggers keep",
    "spotify_pending": "sign-ins under way lapse within minutes",
    "schema_version": "each database has its own",
    "leases": "page locks and cooldowns last seconds",
    "taste_derived": "scores and bridges are computed again from the shares",
}

#: Rows per INSERT (a statement's parameters stay far below both drivers' limits).
BATCH_ROWS = 200


@dataclass(slots=True)
class TableCount:
    """One table's copy: rows in the source, rows newly inserted, rows already there."""

    name: str
    source: int = 0
    copied: int = 0

    @property
    def present(self) -> int:
        return self.source - self.copied


@dataclass(slots=True)
class CopyReport:
    """What :func:`copy_database` did, table by table."""

    tables: list[TableCount] = field(default_factory=list)

    def describe(self, source: str, target: str) -> str:
        lines = [f"Copied {source} to {target}:"]
        for t in self.tables:
            lines.append(
                f"  {t.name + ':':18}{t.source:>9,} rows, {t.copied:,} new, "
                f"{t.present:,} already there"
            )
        lines.append("Every row of the source is in the target (checked by key).")
        return "\n".join(lines)


def _insert_sql(table: Table, rows: int) -> str:
    marks = "(" + ", ".join("?" * len(table.all)) + ")"
    return (
        f"INSERT INTO {table.name} ({', '.join(table.all)}) VALUES "
        + ", ".join([marks] * rows)
        + f" ON CONFLICT ({', '.join(table.key)}) DO NOTHING RETURNING 1"
    )


async def _batches(db: Database, table: Table, columns: Sequence[str]) -> AsyncIterator[list[Row]]:
    """The source rows of ``table`` in key order, BATCH_ROWS at a time (keyset paging)."""
    order = ", ".join(table.key)
    last: Row | None = None
    while True:
        where = ""
        params: tuple[object, ...] = ()
        if last is not None:
            where = f"WHERE ({order}) > ({', '.join('?' * len(table.key))})"
            params = last
        async with db.read() as conn:
            rows = await conn.fetchall(
                f"SELECT {', '.join(columns)} FROM {table.name} {where}"
                f" ORDER BY {order} LIMIT {BATCH_ROWS}",
                params,
            )
        if not rows:
            return
        yield rows
        last = rows[-1][: len(table.key)]


async def _feature_key_ids(source: Database, target: Database) -> dict[int, int]:
    """Source feature_keys id -> target id, inserting the key lists the target lacks."""
    async with source.read() as conn:
        lists = await conn.fetchall("SELECT id, keys FROM feature_keys ORDER BY id")
    async with target.write() as conn:
        for _, keys in lists:
            await conn.execute(
                "INSERT INTO feature_keys (keys) VALUES (?) ON CONFLICT (keys) DO NOTHING", (keys,)
            )
        found = dict(await conn.fetchall("SELECT keys, id FROM feature_keys"))
    return {int(i): int(found[keys]) for i, keys in lists}


async def _copy_table(
    source: Database, target: Database, table: Table, fix: Callable[[Row], Row] | None
) -> TableCount:
    count = TableCount(table.name)
    async for rows in _batches(source, table, table.all):
        if fix is not None:
            rows = [fix(row) for row in rows]
        params = [value for row in rows for value in row]
        async with target.write() as conn:
            inserted = await conn.fetchall(_insert_sql(table, len(rows)), params)
        count.source += len(rows)
        count.copied += len(inserted)
    return count


async def _missing(source: Database, target: Database, table: Table) -> int:
    """How many source rows' keys the target lacks."""
    missing = 0
    async for keys in _batches(source, table, table.key):
        async with target.read() as conn:
            row = await conn.fetchone(
                f"SELECT count(*) FROM {table.name} WHERE {_key_match(table, len(keys))}",
                [v for key in keys for v in key],
            )
        assert row is not None
        missing += len(keys) - int(row[0])
    return missing


def _key_match(table: Table, rows: int) -> str:
    """``WHERE`` matching ``rows`` keys (``k IN (...)``, or ORs of ANDs for a composite
    key: both dialects infer each parameter's type from its column that way)."""
    if len(table.key) == 1:
        return f"{table.key[0]} IN ({', '.join('?' * rows)})"
    one = "(" + " AND ".join(f"{k} = ?" for k in table.key) + ")"
    return " OR ".join([one] * rows)


async def _sequence_past_ids(target: Database) -> None:
    """PostgreSQL: move the schedules' id sequence past the ids copied in (SQLite's
    AUTOINCREMENT does so by itself)."""
    if target.dialect != "postgres":
        return
    async with target.write() as conn:
        await conn.execute(
            "SELECT setval(pg_get_serial_sequence('schedules', 'id'),"
            " (SELECT coalesce(max(id), 0) + 1 FROM schedules), false)"
        )


class CopyIncomplete(Exception):
    """After the copy, some source rows are not in the target (the message says which)."""


async def copy_database(source: Database, target: Database) -> CopyReport:
    """Copy every row of :data:`TABLES` from ``source`` into ``target`` that the target
    does not have yet (by key), then check that every source key is in the target.

    Raises :class:`CopyIncomplete` when the check finds rows missing.
    """
    report = CopyReport()
    key_ids = await _feature_key_ids(source, target)
    keys_at = TABLES[1].all.index("keys_id")

    def fix_features(row: Row) -> Row:
        return (*row[:keys_at], key_ids[int(row[keys_at])], *row[keys_at + 1 :])

    for table in TABLES:
        fix = fix_features if table.name == "track_features" else None
        report.tables.append(await _copy_table(source, target, table, fix))
    await _sequence_past_ids(target)
    missing = {t.name: await _missing(source, target, t) for t in TABLES}
    lacking = {name: n for name, n in missing.items() if n}
    if lacking:
        said = ", ".join(f"{n:,} {name}" for name, n in lacking.items())
        raise CopyIncomplete(f"after the copy the target still lacks {said} rows")
    return report
