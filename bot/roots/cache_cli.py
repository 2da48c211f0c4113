"""The CLI's side of the cache: opening the database and `playlist-clusters cache ...`.

Kept apart from :mod:`bot.roots.cli` so that module only wires it in.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings.env import Settings
    from storage.cache import CacheStats
    from storage.database import Database

__all__ = ["add_cache_parser", "describe_stats", "open_database", "run_cache"]


async def open_database(settings: Settings) -> Database:
    """The CLI's cache database (``DATABASE_URL`` or else ``DATABASE_PATH``, bounded by
    ``CACHE_MAX_MB``); storage is imported only when used, asyncpg only for a URL."""
    from storage.database import open_database as open_storage

    stored = settings.storage
    return await open_storage(stored.location, cache_max_bytes=stored.cache_max_bytes)


def add_cache_parser(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    parents: Sequence[argparse.ArgumentParser] = (),
) -> None:
    """Add `cache stats` and `cache clear` to the CLI's subcommands."""
    cache = commands.add_parser("cache", help="show or clear the cache of playlists and analyses")
    actions = cache.add_subparsers(dest="cache_command", metavar="stats|clear", required=True)
    actions.add_parser(
        "stats", help="what the cache holds and how big it is", parents=list(parents)
    )
    actions.add_parser(
        "clear",
        parents=list(parents),
        help="remove cached features, playlists and analyses "
        "(except what posted messages, schedules and taste shares still need)",
    )


def _size(count: int) -> str:
    """Bytes in a human unit: '812 B', '41.3 kB', '12.5 MB'."""
    for unit, factor in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= factor:
            return f"{count / factor:.1f} {unit}"
    return f"{count} B"


def describe_stats(stats: CacheStats, location: object) -> str:
    """The lines printed by `cache stats` (``location``: the file, or the URL without
    its password)."""
    bound = f"{_size(stats.max_bytes)}" if stats.max_bytes is not None else "no bound"
    return "\n".join(
        [
            f"Cache in {location} ({_size(stats.file_bytes)} on disk)",
            f"  analyses:       {stats.analyses:,} ({_size(stats.analysis_bytes)}),"
            f" {stats.referenced_analyses:,} kept for posted messages",
            f"  playlists:      {stats.playlists:,} ({_size(stats.playlist_bytes)}),"
            f" {stats.referenced_playlists:,} kept for schedules and taste shares",
            f"  track features: {stats.features:,} ({_size(stats.feature_bytes)})",
            f"  total:          {_size(stats.total_bytes)} of {bound}",
            f"  posted messages: {stats.messages:,}; schedules: {stats.schedules:,}",
        ]
    )


async def run_cache(args: argparse.Namespace, settings: Settings) -> str:
    """`cache stats` or `cache clear`; returns what to print."""
    async with await open_database(settings) as db:
        if args.cache_command == "stats":
            return describe_stats(await db.cache.stats(), db.location)
        removed = await db.cache.clear()
        stats = await db.cache.stats()
        where, container = db.location, "file" if db.path is not None else "database"
    kept = []
    if stats.referenced_analyses:
        kept.append(f"{stats.referenced_analyses:,} analyses of posted messages")
    if stats.referenced_playlists:
        kept.append(f"{stats.referenced_playlists:,} scheduled or shared playlists")
    text = f"Removed {removed:,} cached entries from {where}"
    text += f"; kept {' and '.join(kept)}." if kept else "."
    return text + f" The {container} is now {_size(stats.file_bytes)}."
