"""`playlist-clusters db copy --from SQLITE_PATH --to DATABASE_URL`: move a database.

Moving from one process with its SQLite file to several processes on PostgreSQL
keeps the cache, posted messages (their pages keep turning), weekly schedules,
server settings and connected Spotify accounts (their tokens stay encrypted with
the same ``TOKEN_ENCRYPTION_KEY``). The work is :func:`storage.copy.copy_database`;
this module parses the command and says what was copied.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import UserError

if TYPE_CHECKING:
    from bot.settings.env import Settings

__all__ = ["CopyRefused", "add_db_parser", "run_db"]


class CopyRefused(UserError):
    """The copy cannot start (a missing source file, the same database twice) or did
    not complete."""


def add_db_parser(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    parents: Sequence[argparse.ArgumentParser] = (),
) -> None:
    """Add `db copy --from ... --to ...` to the CLI's subcommands."""
    db = commands.add_parser("db", help="move the database (cache, schedules, accounts)")
    actions = db.add_subparsers(dest="db_command", metavar="copy", required=True)
    copy = actions.add_parser(
        "copy",
        parents=list(parents),
        help="copy everything from one database into another (safe to run again)",
    )
    copy.add_argument(
        "--from", dest="source", required=True, metavar="SQLITE_PATH", help="the database to copy"
    )
    copy.add_argument(
        "--to",
        dest="target",
        required=True,
        metavar="DATABASE_URL",
        help="where to copy it: a postgresql:// URL (or another SQLite file)",
    )


async def run_db(args: argparse.Namespace, settings: Settings) -> str:
    """`db copy`: open both databases (migrating them), copy, report the counts."""
    from storage.copy import CopyIncomplete, copy_database
    from storage.database import is_postgres_url, open_database

    source, target = str(args.source), str(args.target)
    if not is_postgres_url(source) and not await asyncio.to_thread(Path(source).is_file):
        raise CopyRefused(f"There is no database file at {source}.")
    if source == target:
        raise CopyRefused("--from and --to name the same database.")
    async with await open_database(source) as old, await open_database(target) as new:
        if old.location == new.location:
            raise CopyRefused("--from and --to name the same database.")
        try:
            report = await copy_database(old, new)
        except CopyIncomplete as exc:
            raise CopyRefused(f"The copy did not complete: {exc}; run it again.") from None
        return report.describe(old.location, new.location)
