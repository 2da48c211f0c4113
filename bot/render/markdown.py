"""The markdown page in the reference page's format (pure).

`# Clusters in {playlist}`, the picture, then per cluster a heading, a count and a
table Art | Track | Album | Artists | Label | 💚 | 🔗 with every track. Cell text is
escaped so no name can break the table or inject markup.
"""

from __future__ import annotations

from urllib.parse import quote

from bot.model import Analysis, Track

HEADER = "| Art | Track | Album | Artists | Label | 💚 | 🔗 |"
RULE = "|:---|:---|:---|:---|:---|:---|:---|"
_ESCAPES = str.maketrans(
    {
        "\\": "\\\\",
        "|": "\\|",
        "<": "&lt;",
        ">": "&gt;",
        "[": "\\[",
        "]": "\\]",
        "*": "\\*",
        "_": "\\_",
        "`": "\\`",
    }
)


#: Control characters (NUL, ESC of terminal sequences, C1) become spaces: a page that is
#: `cat` in a terminal must not recolour or retitle it.
_CONTROLS = dict.fromkeys([*range(0x20), *range(0x7F, 0xA0)], " ")


def escape_cell(text: str) -> str:
    """Text safe inside one table cell: one line, no pipes, markup or control characters."""
    flat = " ".join(text.translate(_CONTROLS).split())
    return flat.translate(_ESCAPES)


def _safe_url(url: str) -> str:
    """An http(s) URL with characters that could end a link or attribute encoded."""
    if not url.startswith(("https://", "http://")):
        return ""
    return quote(url, safe=":/?#@!$&'*+,;=%~-._")


#: Marks a track placed without sound features (as on the Discord pages).
UNHEARD_MARK = "🔇"
#: The ways of placing a track without sound next to tracks of its album or artist.
_PLACED = frozenset({"album", "artist"})


def _row(track: Track, unheard: bool = False) -> str:
    image = _safe_url(track.image)
    url = _safe_url(track.url)
    cells = [
        f'<img src="{image}" alt="" width="50" />' if image else "",
        escape_cell(track.title) + (f" {UNHEARD_MARK}" if unheard else ""),
        escape_cell(track.album),
        escape_cell(", ".join(track.artists)),
        escape_cell(track.label),
        "💚" if track.liked else "",
        f"[🔗]({url})" if url else "",
    ]
    return "|" + "|".join(f" {c} " if c else " " for c in cells) + "|"


def _unheard_count(unheard: dict[str, str]) -> str:
    """'2 🔇 without sound features, placed with their album's or artist's tracks'."""
    placed = sum(1 for how in unheard.values() if how in _PLACED)
    text = f"{len(unheard)} {UNHEARD_MARK} without sound features"
    if placed:
        text += f", {placed} placed with their album's or artist's tracks"
    return text


def render_markdown(analysis: Analysis, image: str = "clusters_scatter.png") -> str:
    """The whole page as text; ``image`` is the picture's path relative to the page."""
    lines = [
        f"# Clusters in {escape_cell(analysis.playlist.name)}",
        "",
        f"![Comparison of Cluster]({_safe_url(image) or quote(image)})",
        "",
    ]
    if analysis.note:  # how k was chosen, or why there is one cluster
        lines += [f"*{escape_cell(analysis.note)}*", ""]
    for cluster in analysis.clusters:
        count = f"{cluster.size} track" + ("" if cluster.size == 1 else "s")
        if cluster.unheard:
            count += f" ({_unheard_count(cluster.unheard)})"
        lines += [
            f"## Cluster #{cluster.number}: {escape_cell(cluster.name)}",
            "",
            count,
            "",
            HEADER,
            RULE,
        ]
        lines += [_row(track, track.id in cluster.unheard) for track in cluster.tracks]
        lines.append("")
    return "\n".join(lines)
