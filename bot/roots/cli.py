"""The command line: `playlist-clusters analyze SOURCE` and friends.

Exit status 0 on success, 2 with one line on stderr for anything the user can fix,
and a traceback only for bugs. Progress notes and warnings of the commands that end
(``analyze``, ``cache``, ``db``) are logged, shown with ``-v`` (``-vv``: debug) or
``LOG_LEVEL``; without either, stderr holds the progress bar and that one line only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from bot.errors import UserError
from bot.files.outputs import JSON_NAME, MD_NAME, PNG_NAME, check_folder, check_writable
from bot.files.terminal import one_line, printable
from bot.roots.cache_cli import add_cache_parser
from bot.roots.cli_log import command_logging, verbose_option
from bot.roots.compare_cli import add_compare_parser
from bot.roots.db_cli import add_db_parser
from bot.text import from_os

if TYPE_CHECKING:
    from bot.model import Analysis, Playlist, PlaylistRef
    from bot.settings.env import Settings
    from storage.cache import CacheRepository

#: Longest --name accepted (it is a title, shown in the picture and the page).
MAX_NAME = 200
#: Longest output folder name made from a playlist name, in UTF-8 bytes (file systems: 255).
MAX_SLUG_BYTES = 120


class MissingSetting(UserError):
    """A setting the chosen command needs is missing or wrong."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line with exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {one_line(message)} (see --help)\n")


def _cluster_count(text: str) -> int:
    """--clusters: ASCII digits only (int() would take '１２', '١٢' and '1_0')."""
    if not re.fullmatch(r"[0-9]{1,6}", text.strip(" ")):
        raise argparse.ArgumentTypeError(
            f"--clusters takes a whole number, not {from_os(text)[:40]!r}"
        )
    value = int(text)
    if not 2 <= value <= 12:
        raise argparse.ArgumentTypeError("--clusters must be between 2 and 12")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="playlist-clusters", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    verbose = verbose_option()
    analyze = commands.add_parser(
        "analyze",
        help="cluster a playlist and write markdown, PNG and JSON",
        parents=[verbose],
    )
    analyze.add_argument(
        "source",
        help="a Spotify, Deezer, YouTube Music or Apple Music playlist link, or a playlist CSV",
    )
    analyze.add_argument(
        "--clusters",
        "-k",
        type=_cluster_count,
        help="number of clusters (2-12); automatic if left out",
    )
    analyze.add_argument(
        "--out", "-o", type=Path, help="output folder (default: one named after the playlist)"
    )
    analyze.add_argument(
        "--name", type=_name, help="playlist name to show (default: from the source)"
    )
    analyze.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    analyze.add_argument(
        "--export",
        action="store_true",
        help="also write each cluster as CSV (Exportify columns), M3U and XSPF",
    )
    analyze.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the cache database"
    )
    add_compare_parser(commands, parents=[verbose])
    add_cache_parser(commands, parents=[verbose])
    add_db_parser(commands, parents=[verbose])
    add_bot_commands(commands)
    return parser


def add_bot_commands(commands: argparse._SubParsersAction) -> None:
    """The Discord subcommands: `bot` and `sync-commands [--guild ID]`."""
    commands.add_parser("bot", help="run the Discord bot (settings from the environment / .env)")
    commands.add_parser(
        "worker", help="run analyses that bots put on Redis (REDIS_URL; see README)"
    )
    sync = commands.add_parser("sync-commands", help="register the slash commands with Discord")
    sync.add_argument(
        "--guild", type=_guild_id, metavar="ID", help="sync to one server only (instant)"
    )


def _guild_id(text: str) -> int:
    """--guild: a Discord id in ASCII digits (int() would take '１２' and '1_0')."""
    if not re.fullmatch(r"[0-9]{1,20}", text):
        raise argparse.ArgumentTypeError(f"--guild takes a server id (digits), not {text[:40]!r}")
    return int(text)


def discord_token(settings: Settings) -> str:
    """The bot token, or a UserError naming the setting and where to put it."""
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        raise MissingSetting(
            "DISCORD_TOKEN is not set: put the bot token in .env (see .env.example) "
            "or in the environment."
        )
    return token


def run_discord(args: argparse.Namespace, settings: Settings) -> None:
    """`bot` and `sync-commands`; imported lazily so `analyze` never loads discord.py."""
    token = discord_token(settings)

    import logging

    import discord

    from bot.roots.app import log_formatter, run_bot, sync_commands

    formatter = log_formatter(settings)  # names the shards when sharded
    discord.utils.setup_logging(
        level=getattr(logging, settings.log_level.upper(), logging.INFO),
        **({"formatter": formatter} if formatter else {}),
    )
    try:
        if args.command == "bot":
            asyncio.run(run_bot(settings, token))
        else:
            names = asyncio.run(sync_commands(settings, token, args.guild))
            where = f"to server {args.guild}" if args.guild else "globally"
            print(f"Synced {len(names)} commands {where}: {', '.join(names) or 'none'}.")
    except discord.LoginFailure as exc:
        raise MissingSetting(
            "Discord refused the token in DISCORD_TOKEN; copy it again from the Bot tab of "
            "your application (see README)."
        ) from exc


def _name(text: str) -> str:
    """--name as valid text of at most MAX_NAME characters."""
    name = from_os(text)
    if len(name) > MAX_NAME:
        raise argparse.ArgumentTypeError(f"--name takes at most {MAX_NAME} characters")
    return name


def slug(name: str) -> str:
    """A folder name from a playlist name: 'International Pop' -> 'international_pop'.

    Letters and digits of any script stay; everything else (separators, dots,
    controls) becomes '_', so the folder is always inside the current one.
    """
    text = re.sub(r"[^\w]+", "_", from_os(name).casefold()).strip("_")[:80]
    while len(text.encode("utf-8")) > MAX_SLUG_BYTES:
        text = text[:-1]
    return text.strip("_") or "playlist"


class ProgressBar:
    """A one-line progress display on stderr, drawn only when stderr is a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.last = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if total:
            filled = round(20 * done / total)
            line = f"{stage} {done:,}/{total:,} {'▰' * filled}{'▱' * (20 - filled)}"
        else:
            line = f"{stage}…"
        if line != self.last:
            sys.stderr.write("\r\033[K" + line)
            sys.stderr.flush()
            self.last = line

    def close(self) -> None:
        if self.enabled and self.last:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def result_files(analysis: Analysis, export: bool = False) -> dict[str, bytes]:
    """File name -> bytes: the markdown page, the PNG and the JSON, and with ``export``
    each cluster as CSV, M3U and XSPF (the bot's 📥 files)."""
    from bot.render.document import to_document
    from bot.render.markdown import render_markdown

    document = json.dumps(to_document(analysis), ensure_ascii=False, indent=2)
    files = {
        MD_NAME: render_markdown(analysis, PNG_NAME).encode("utf-8", "replace"),
        PNG_NAME: analysis.png,
        JSON_NAME: document.encode("utf-8", "replace"),
    }
    if export:
        from bot.render.export import export_files
        from bot.services.explorer import cluster_tracks_in_order

        for index, cluster in enumerate(analysis.clusters):
            tracks = cluster_tracks_in_order(analysis, index)
            files.update(export_files(analysis.playlist.name, cluster.number, tracks))
    return files


def write_outputs(analysis: Analysis, out: Path, export: bool = False) -> list[Path]:
    """Write the results (and exports) into ``out``, all or nothing, never through a symlink."""
    from bot.files.outputs import write_results

    return write_results(out, result_files(analysis, export))


def summary(analysis: Analysis, written: Sequence[Path]) -> str:
    """The one-paragraph report printed after a successful analysis (no control characters)."""
    from bot.render.document import reading_sentences
    from bot.text import describe_notes, describe_skips, plural

    clusters = ", ".join(f"#{c.number} {c.name} ({c.size})" for c in analysis.clusters)
    parts = [
        f"Found {plural(analysis.sound_cluster_count, 'cluster')} in “{analysis.playlist.name}” "
        f"({plural(analysis.track_count, 'track')}): {clusters}.",
        analysis.features.summary,
    ]
    if analysis.note:
        parts.append(analysis.note)
    parts.extend(reading_sentences(analysis))
    for said in (
        describe_skips(analysis.playlist.skipped),
        describe_notes(analysis.playlist.notes),
    ):
        if said:
            parts.append(said[0].upper() + said[1:] + ".")
    folder = written[0].parent
    parts.append(f"Wrote {', '.join(p.name for p in written)} to {folder}/.")
    return printable(" ".join(p for p in parts if p))


def check_output(args: argparse.Namespace) -> None:
    """Before any work: --out (or the current folder, for the default one) is writable."""
    if args.out is not None:
        check_folder(args.out)
    elif args.name:
        check_folder(Path(slug(args.name)))
    else:
        check_writable(Path.cwd())


async def run_analyze(args: argparse.Namespace, settings: Settings) -> str:
    """`analyze`, with the cache database (DATABASE_URL or DATABASE_PATH) unless --no-cache."""
    from bot.roots.cache_cli import open_database

    check_output(args)
    database = None if args.no_cache else await open_database(settings)
    try:
        return await _analyze(args, settings, database.cache if database else None)
    finally:
        if database is not None:
            await database.close()


async def _run_pipeline(
    args: argparse.Namespace, settings: Settings, cache: CacheRepository | None
) -> Analysis:
    from bot.files.reader import read_csv_source

    # A file is read before the heavy imports: a mistyped name is answered at once.
    source: Playlist | PlaylistRef | None = await asyncio.to_thread(
        read_csv_source,
        args.source,
        max_rows=settings.csv_max_rows,
        max_bytes=settings.csv_max_bytes,
    )
    from bot.model import AnalysisOptions, PlaylistRef
    from bot.net.client import HttpClient
    from bot.roots.wiring import build_pipeline, close_providers, load_source, warm_up_analysis

    progress = ProgressBar(not args.quiet)
    try:
        async with HttpClient(settings.http) as http:
            if source is None:
                source = await load_source(args.source, settings, http)
            # the analysis' imports (about a second) overlap the fetch
            warm = asyncio.get_running_loop().run_in_executor(None, warm_up_analysis)
            pipeline = build_pipeline(settings, http, cache)
            options = AnalysisOptions(k=args.clusters, metadata_weight=settings.metadata_weight)
            try:
                if isinstance(source, PlaylistRef) and not args.name:
                    return await pipeline.run(source, options, progress)
                if isinstance(source, PlaylistRef):
                    playlist, _ = await pipeline.load(source, progress)
                else:
                    playlist = source
                if args.name:
                    playlist.name = args.name
                return await pipeline.analyze(playlist, options, progress)
            finally:
                await close_providers(pipeline)
                await warm
    finally:
        progress.close()


async def _analyze(
    args: argparse.Namespace, settings: Settings, cache: CacheRepository | None
) -> str:
    analysis = await _run_pipeline(args, settings, cache)
    out = args.out or Path(slug(analysis.playlist.name))
    written = await asyncio.to_thread(write_outputs, analysis, out, args.export)
    return summary(analysis, written)


def _finite(args: argparse.Namespace, settings: Settings) -> str:
    """`analyze`, `compare`, `cache` or `db`: what to print."""
    if args.command in ("analyze", "compare"):
        from bot.threads import limit_native_threads, native_threads

        limit_native_threads(native_threads(settings.native_threads, 1))
    if args.command == "analyze":
        return asyncio.run(run_analyze(args, settings))
    if args.command == "compare":
        from bot.roots.compare_cli import run_compare

        bar = ProgressBar(not args.quiet)
        try:
            return asyncio.run(run_compare(args, settings, bar))
        finally:
            bar.close()
    if args.command == "cache":
        from bot.roots.cache_cli import run_cache

        return printable(asyncio.run(run_cache(args, settings)), keep_newlines=True)
    from bot.roots.db_cli import run_db

    return printable(asyncio.run(run_db(args, settings)), keep_newlines=True)


def _run(args: argparse.Namespace) -> None:
    """The chosen command, with settings read (and checked) first."""
    from bot.settings.env import get_settings

    settings = get_settings()
    if args.command in ("analyze", "compare", "cache", "db"):
        with command_logging(args.verbose, settings):
            print(_finite(args, settings))
    elif args.command in ("bot", "sync-commands"):
        run_discord(args, settings)
    elif args.command == "worker":
        from bot.jobs.client import check_redis

        asyncio.run(check_redis(settings.redis_url.get_secret_value()))
        from bot.roots.worker import run

        run(settings)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `playlist-clusters` console script."""
    args = build_parser().parse_args(argv)
    try:
        _run(args)
    except UserError as exc:
        print(f"playlist-clusters: {one_line(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("playlist-clusters: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
