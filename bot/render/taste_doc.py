"""A taste comparison as a markdown page and a JSON document (pure).

The command line's ``compare`` writes both beside the map; the bot's answer reads the
same pair lines. Names come from users: markdown cells are escaped
(:func:`bot.render.markdown.escape_cell`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from bot.analysis.overlap import K_NEIGHBOURS, MIN_TRACKS
from bot.analysis.taste import Shared, TasteMap
from bot.locales import ENGLISH, Words
from bot.model import Track
from bot.render.markdown import escape_cell
from bot.text import plural

#: Version of the JSON document's shape.
TASTE_VERSION = 1
FAMILY_WORDS = {
    "provider": "audio features",
    "preview": "features from preview audio",
    "metadata": "metadata only (no sound features)",
}


def score_text(score: float | None, words: Words = ENGLISH) -> str:
    """'83' or 'not scored' (a playlist with too few tracks with features)."""
    return words("not scored") if score is None else f"{score:.0f}"


def shared_text(shared: Shared, limit: int = 5, words: Words = ENGLISH) -> str:
    """'2 tracks, 5 artists (Daft Punk, Justice, …)' or 'nothing by name' (in ``words``)."""
    parts = []
    if shared.track_count:
        parts.append(words.n("{count} track", "{count} tracks", shared.track_count))
    if shared.artist_count:
        names = ", ".join(shared.artists[:limit])
        more = ", …" if shared.artist_count > limit else ""
        artists = words.n("{count} artist", "{count} artists", shared.artist_count)
        parts.append(f"{artists} ({names}{more})")
    return ", ".join(parts) or words("nothing by name")


def coverage_text(taste: TasteMap) -> str:
    """'Sound from audio features; 480 of 500 tracks placed.' for the whole map."""
    placed, total = sum(taste.placed), sum(taste.sizes)
    return (
        f"Compared on {FAMILY_WORDS.get(taste.family, taste.family)}; "
        f"{placed:,} of {plural(total, 'track')} had them and are on the map."
    )


def render_taste_markdown(taste: TasteMap, image: str = "taste_map.png") -> str:
    """The page: the map, the playlists, then every pair's score and what it shares."""
    lines = [
        "# Taste map",
        "",
        f"![Taste map]({image})",
        "",
        f"*{escape_cell(coverage_text(taste))}*",
        "",
        "| Playlist | Tracks | On the map |",
        "|:---|---:|---:|",
    ]
    for name, size, placed in zip(taste.names, taste.sizes, taste.placed, strict=True):
        lines.append(f"| {escape_cell(name)} | {size} | {placed} |")
    lines += [
        "",
        "## Overlap in sound (0-100)",
        "",
        f"100: the two mix as evenly as two random halves of one playlist; 0: no track "
        f"has a neighbour in the other (of its {K_NEIGHBOURS} nearest).",
        "",
        "| Pair | Overlap | Shared tracks | Shared artists |",
        "|:---|---:|---:|:---|",
    ]
    for a, b, score in taste.pairs():
        shared = taste.shared[(a, b)]
        artists = ", ".join(escape_cell(x) for x in shared.artists[:5])
        more = ", …" if shared.artist_count > 5 else ""
        lines.append(
            f"| {escape_cell(taste.names[a])} × {escape_cell(taste.names[b])} "
            f"| {score_text(score)} | {shared.track_count} "
            f"| {shared.artist_count}{': ' + artists + more if artists else ''} |"
        )
    lines.append("")
    return "\n".join(lines)


def to_taste_document(taste: TasteMap) -> dict[str, Any]:
    """A JSON-ready dict: playlists, method, and per pair its score and what it shares."""
    return {
        "version": TASTE_VERSION,
        "feature_family": taste.family,
        "features": list(taste.columns),
        "method": {
            "score": "k-nearest-neighbour mixing, relative to two random halves of one playlist",
            "neighbours": K_NEIGHBOURS,
            "min_tracks": MIN_TRACKS,
        },
        "playlists": [
            {"name": name, "track_count": size, "placed": placed}
            for name, size, placed in zip(taste.names, taste.sizes, taste.placed, strict=True)
        ],
        "pairs": [
            {
                "a": taste.names[a],
                "b": taste.names[b],
                "overlap": score,
                "shared_tracks": list(taste.shared[(a, b)].tracks),
                "shared_track_count": taste.shared[(a, b)].track_count,
                "shared_artists": list(taste.shared[(a, b)].artists),
                "shared_artist_count": taste.shared[(a, b)].artist_count,
                "shared_labels": list(taste.shared[(a, b)].labels),
            }
            for a, b, score in taste.pairs()
        ],
    }


def bridge_files(a: str, b: str, tracks: Sequence[Track]) -> dict[str, bytes]:
    """File name -> bytes: the bridge playlist of two members as CSV, M3U and XSPF."""
    from bot.render.export import export_csv, export_m3u, export_xspf

    folded = unicodedata.normalize("NFKD", f"{a} {b}").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:60].strip("-")
    stem = f"bridge-{slug}" if slug else "bridge"
    title = f"Bridge · {a} × {b}"
    return {
        f"{stem}.csv": export_csv(tracks),
        f"{stem}.m3u8": export_m3u(title, tracks),
        f"{stem}.xspf": export_xspf(title, tracks),
    }
