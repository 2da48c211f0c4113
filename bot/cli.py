"""The command line: `playlist-clusters analyze SOURCE` and friends.

Exit status 0 on success, 2 with one line on stderr for anything the user can fix,
and a traceback only for bugs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from bot.cache_cli import add_cache_parser, open_database, run_cache
from bot.config import Settings, get_settings
from bot.errors import UserError
from bot.http import HttpClient
from bot.model import Analysis, AnalysisOptions, PlaylistRef
from bot.render.document import to_document
from bot.render.markdown import render_markdown
from bot.text import describe_notes, describe_skips, plural
from bot.wiring import build_pipeline, close_providers, load_source
from storage.cache import CacheRepository

PNG_NAME = "clusters_scatter.png"
MD_NAME = "clusters.md"
JSON_NAME = "clusters.json"


class MissingSetting(UserError):
    """A setting the chosen command needs is missing or wrong."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line with exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _cluster_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--clusters takes a whole number, not {text!r}") from None
    if not 2 <= value <= 12:
        raise argparse.ArgumentTypeError("--clusters must be between 2 and 12")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="playlist-clusters", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    analyze = commands.add_parser(
        "analyze", help="cluster a playlist and write markdown, PNG and JSON"
    )
    analyze.add_argument(
        "source",
        help="a Spotify or Deezer playlist link, or a playlist CSV file (Exportify or plain)",
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
    analyze.add_argument("--name", help="playlist name to show (default: from the source)")
    analyze.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    analyze.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the cache database"
    )
    add_cache_parser(commands)
    add_bot_commands(commands)
    return parser


def add_bot_commands(commands: argparse._SubParsersAction) -> None:
    """The Discord subcommands: `bot` and `sync-commands [--guild ID]`."""
    commands.add_parser("bot", help="run the Discord bot (settings from the environment / .env)")
    sync = commands.add_parser("sync-commands", help="register the slash commands with Discord")
    sync.add_argument("--guild", type=int, metavar="ID", help="sync to one server only (instant)")


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

    from bot.app import run_bot, sync_commands

    discord.utils.setup_logging(level=getattr(logging, settings.log_level.upper(), logging.INFO))
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


def slug(name: str) -> str:
    """A folder name from a playlist name: 'International Pop' -> 'international_pop'."""
    text = re.sub(r"[^\w]+", "_", name.casefold()).strip("_")
    return text[:80] or "playlist"


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


def write_outputs(analysis: Analysis, out: Path) -> list[Path]:
    """Write the markdown page, the PNG and the JSON into ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    png, md, js = out / PNG_NAME, out / MD_NAME, out / JSON_NAME
    png.write_bytes(analysis.png)
    md.write_text(render_markdown(analysis, PNG_NAME), encoding="utf-8")
    js.write_text(json.dumps(to_document(analysis), ensure_ascii=False, indent=2), encoding="utf-8")
    return [md, png, js]


def summary(analysis: Analysis, written: Sequence[Path]) -> str:
    """The one-paragraph report printed after a successful analysis."""
    clusters = ", ".join(f"#{c.number} {c.name} ({c.size})" for c in analysis.clusters)
    parts = [
        f"Found {plural(len(analysis.clusters), 'cluster')} in “{analysis.playlist.name}” "
        f"({plural(analysis.track_count, 'track')}): {clusters}.",
        analysis.features.summary,
    ]
    if analysis.note:
        parts.append(analysis.note)
    for said in (
        describe_skips(analysis.playlist.skipped),
        describe_notes(analysis.playlist.notes),
    ):
        if said:
            parts.append(said[0].upper() + said[1:] + ".")
    folder = written[0].parent
    parts.append(f"Wrote {', '.join(p.name for p in written)} to {folder}/.")
    return " ".join(p for p in parts if p)


async def run_analyze(args: argparse.Namespace, settings: Settings) -> str:
    """`analyze`, with the cache database at ``settings.database_path`` unless --no-cache."""
    database = None if args.no_cache else await open_database(settings)
    try:
        return await _analyze(args, settings, database.cache if database else None)
    finally:
        if database is not None:
            await database.close()


async def _analyze(
    args: argparse.Namespace, settings: Settings, cache: CacheRepository | None
) -> str:
    progress = ProgressBar(not args.quiet)
    try:
        async with HttpClient(settings) as http:
            source = await load_source(args.source, settings, http)
            pipeline = build_pipeline(settings, http, cache)
            options = AnalysisOptions(k=args.clusters, metadata_weight=settings.metadata_weight)
            try:
                if isinstance(source, PlaylistRef) and not args.name:
                    analysis = await pipeline.run(source, options, progress)
                else:
                    if isinstance(source, PlaylistRef):
                        playlist, _ = await pipeline.load(source, progress)
                    else:
                        playlist = source
                    if args.name:
                        playlist.name = args.name
                    analysis = await pipeline.analyze(playlist, options, progress)
            finally:
                await close_providers(pipeline)
    finally:
        progress.close()
    out = args.out or Path(slug(analysis.playlist.name))
    written = await asyncio.to_thread(write_outputs, analysis, out)
    return summary(analysis, written)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `playlist-clusters` console script."""
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
        if args.command == "analyze":
            print(asyncio.run(run_analyze(args, settings)))
        elif args.command == "cache":
            print(asyncio.run(run_cache(args, settings)))
        elif args.command in ("bot", "sync-commands"):
            run_discord(args, settings)
    except UserError as exc:
        print(f"playlist-clusters: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("playlist-clusters: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
