"""`playlist-clusters compare A B [C ...]`: several playlists on one taste map.

Each source (a playlist link or a CSV file, as for `analyze`) is loaded and given its
features through the same pipeline and cache as `analyze`; then
:func:`bot.analysis.taste.compare_playlists` puts them in one space and the results
are written like `analyze`'s: ``taste_map.png``, ``taste.md`` and ``taste.json``,
all or nothing. Kept apart from :mod:`bot.roots.cli`, which only wires it in.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from collections.abc import Awaitable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from bot.errors import BadInput, UserError
from bot.files.terminal import printable, shown_path
from bot.model import MAX_TASTE_PLAYLISTS as MAX_PLAYLISTS
from bot.model import ProgressCallback as Progress
from bot.text import from_os

if TYPE_CHECKING:
    from bot.analysis.taste import TasteMap
    from bot.model import Playlist
    from bot.settings.env import Settings
    from storage.cache import CacheRepository

__all__ = ["add_compare_parser", "run_compare", "taste_files", "unique_names"]

MAP_NAME = "taste_map.png"
PAGE_NAME = "taste.md"
DOCUMENT_NAME = "taste.json"
#: The folder written to when --out is not given.
DEFAULT_FOLDER = "taste_map"
T = TypeVar("T")


def add_compare_parser(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    parents: Sequence[argparse.ArgumentParser] = (),
) -> None:
    """Add `compare SOURCE SOURCE [SOURCE ...]` to the CLI's subcommands."""
    compare = commands.add_parser(
        "compare",
        parents=list(parents),
        help=f"put 2-{MAX_PLAYLISTS} playlists on one taste map: overlap scores, PNG, "
        "markdown and JSON",
    )
    compare.add_argument(
        "sources",
        nargs="+",
        metavar="SOURCE",
        help="playlist links or playlist CSV files, as for analyze",
    )
    compare.add_argument(
        "--out", "-o", type=Path, help=f"output folder (default: ./{DEFAULT_FOLDER})"
    )
    compare.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    compare.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the cache database"
    )


def check_sources(sources: Sequence[str]) -> None:
    """Before any work: 2..MAX_PLAYLISTS sources, none given twice (BadInput otherwise).

    Files are compared by the file they lead to (``a.csv`` and ``./a.csv`` are one),
    links by their text; two links to one playlist are caught once resolved.
    """
    if len(sources) < 2:
        raise BadInput("compare needs at least two playlists (links or CSV files).")
    if len(sources) > MAX_PLAYLISTS:
        raise BadInput(
            f"compare takes at most {MAX_PLAYLISTS} playlists; {len(sources)} were given."
        )
    seen: dict[str, str] = {}
    for text in sources:
        key = _source_key(text)
        if key in seen:
            raise BadInput(f"{_shown(text)} is given twice; give each playlist once.")
        seen[key] = text


def _source_key(text: str) -> str:
    from bot.files.reader import looks_like_file

    if looks_like_file(text):
        try:
            return "file:" + os.path.realpath(os.path.expanduser(text))
        except (OSError, ValueError):
            return "file:" + text
    return "link:" + text.strip()


def _shown(text: str) -> str:
    from bot.files.reader import looks_like_file

    return shown_path(text) if looks_like_file(text) else repr(from_os(text)[:80])


def unique_names(names: Sequence[str]) -> list[str]:
    """The playlists' names, a repeated one numbered: 'Mix', 'Mix (2)'."""
    out: list[str] = []
    for name in names:
        shown = name or "playlist"
        candidate, number = shown, 2
        while candidate in out:
            candidate = f"{shown} ({number})"
            number += 1
        out.append(candidate)
    return out


def taste_files(taste: TasteMap) -> dict[str, bytes]:
    """File name -> bytes: the map PNG, the markdown page and the JSON document."""
    from bot.render.taste_doc import render_taste_markdown, to_taste_document
    from bot.render.taste_map import legend_names, render_taste_map

    png = render_taste_map(
        taste.points,
        taste.groups,
        legend_names(taste.names, taste.placed),
        title="Taste map",
        x_label=taste.x_label,
        y_label=taste.y_label,
    )
    document = json.dumps(to_taste_document(taste), ensure_ascii=False, indent=2)
    return {
        PAGE_NAME: render_taste_markdown(taste, MAP_NAME).encode("utf-8", "replace"),
        MAP_NAME: png,
        DOCUMENT_NAME: document.encode("utf-8", "replace"),
    }


def compute_taste(playlists: Sequence[Playlist]) -> tuple[TasteMap, dict[str, bytes]]:
    """The comparison and its files (CPU-bound: run it in a thread)."""
    from bot.analysis.taste import compare_playlists

    taste = compare_playlists(
        [p.tracks for p in playlists], unique_names([p.name for p in playlists])
    )
    return taste, taste_files(taste)


async def run_compare(args: argparse.Namespace, settings: Settings, progress: Progress) -> str:
    """`compare`: load every source, compare, write the three files, return the summary.

    ``progress`` is the CLI's progress bar (:mod:`bot.roots.cli` owns and closes it).
    """
    from bot.files.outputs import check_folder, write_results
    from bot.roots.cache_cli import open_database

    check_sources(args.sources)
    out = args.out if args.out is not None else Path(DEFAULT_FOLDER)
    check_folder(out)
    database = None if args.no_cache else await open_database(settings)
    try:
        playlists = await _load_all(args, settings, database.cache if database else None, progress)
    finally:
        if database is not None:
            await database.close()
    taste, files = await asyncio.to_thread(compute_taste, playlists)
    written = await asyncio.to_thread(write_results, out, files)
    return summary(taste, written)


async def _load_all(
    args: argparse.Namespace,
    settings: Settings,
    cache: CacheRepository | None,
    progress: Progress,
) -> list[Playlist]:
    """Every source as a playlist whose tracks carry their features (cached when known)."""
    from bot.model import AnalysisOptions, PlaylistRef
    from bot.net.client import HttpClient
    from bot.roots.wiring import build_pipeline, close_providers, load_source

    options = AnalysisOptions(metadata_weight=settings.metadata_weight)
    loaded: list[Playlist] = []
    refs: dict[PlaylistRef, str] = {}
    async with HttpClient(settings.http) as http:
        pipeline = build_pipeline(settings, http, cache)
        try:
            for text in args.sources:
                source = await _named(text, load_source(text, settings, http))
                if isinstance(source, PlaylistRef):
                    if source in refs:
                        raise BadInput(
                            f"{_shown(text)} is the same playlist as {_shown(refs[source])}; "
                            "give each playlist once."
                        )
                    refs[source] = text
                    analysis = await _named(text, pipeline.run(source, options, progress))
                else:
                    analysis = await _named(text, pipeline.analyze(source, options, progress))
                loaded.append(analysis.playlist)
        finally:
            await close_providers(pipeline)
    return loaded


async def _named(text: str, work: Awaitable[T]) -> T:
    """Await ``work``; a UserError's sentence is prefixed with the source it is about."""
    try:
        return await work
    except UserError as exc:
        raise UserError(f"{_shown(text)}: {exc}") from exc


def summary(taste: TasteMap, written: Sequence[Path]) -> str:
    """'Compared 3 playlists … Closest: A × B (83). Wrote … to out/.' (printable)."""
    from bot.render.taste_doc import coverage_text, score_text

    pairs = taste.pairs()
    closest = ", ".join(
        f"{taste.names[a]} × {taste.names[b]} ({score_text(score)})" for a, b, score in pairs[:3]
    )
    parts = [
        f"Compared {len(taste.names)} playlists: {', '.join(taste.names)}.",
        coverage_text(taste),
        f"Overlap in sound, highest first: {closest}.",
        f"Wrote {', '.join(p.name for p in written)} to {written[0].parent}/.",
    ]
    return printable(" ".join(parts))
