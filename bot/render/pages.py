"""Discord pages of an analysis as plain data (pure; no discord import).

A page is what one embed shows: a title ``Cluster #n · name · N tracks``, up to
:data:`PER_PAGE` track lines (the track linked, artists, album, label, 💚), the
album art of the page's first track as thumbnail, and a footer with the page and
cluster position, the playlist name and where the features came from.

Every piece of user-supplied text is escaped (markdown and mentions) and every
embed limit holds for any input: long names are shortened, never rejected. Lengths
are measured in UTF-16 code units, which is never less than what Discord counts,
so emoji and astral characters cannot push an embed over a limit.

Navigation (:func:`turn`) is pure too, so reactions, buttons and private pagers
share one definition of "next page".
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from bot.model import Analysis, Cluster, Track
from bot.text import cut_utf16, describe_notes, describe_skips, utf16_len

PER_PAGE = 10

#: Discord's embed limits.
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
URL_LIMIT = 2048

#: Our own tighter budgets (title + description + footer stays under the 6000 total).
FOOTER_BUDGET = 1024
NAME_IN_TITLE = 150
LINK_URL_LIMIT = 512

Action = Literal["first", "prev", "next", "last", "prev_cluster", "next_cluster"]
ACTIONS: tuple[Action, ...] = ("first", "prev", "next", "last", "prev_cluster", "next_cluster")

# The characters Discord's markdown treats specially, and then some that are harmless to
# escape (Discord renders a backslash before any ASCII punctuation as that character).
_MARKDOWN_CHARS = frozenset("\\*_~|`[]()<>#-:")
_MENTION = re.compile(r"@(everyone|here|[!&]?[0-9]{17,20})")
_WHITESPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def flatten(text: str) -> str:
    """One line: every run of whitespace (newlines, tabs) becomes one space; control
    characters go. Format characters (zero-width joiners in emoji, bidi marks) stay."""
    return _WHITESPACE.sub(" ", _CONTROL.sub(" ", text)).strip()


def neutralise_mentions(text: str) -> str:
    """Break ``@everyone``, ``@here`` and raw id mentions with a zero-width space."""
    return _MENTION.sub("@\u200b\\1", text)


def escape(text: str) -> str:
    """Markdown-escaped, mention-free, single-line form of user-supplied ``text``.

    Escapes what :func:`discord.utils.escape_markdown` escapes (``\\ * _ ~ | ` ``,
    quotes, headings, list markers, masked links) plus brackets, parentheses and angle
    brackets, so a name can neither close our ``[title](url)`` link nor form a
    ``<@id>`` mention, a custom emoji or a timestamp.
    """
    flat = flatten(text)
    escaped = "".join("\\" + ch if ch in _MARKDOWN_CHARS else ch for ch in flat)
    return neutralise_mentions(escaped)


def plain(text: str) -> str:
    """Single-line, mention-free text for places Discord shows without markdown (footers)."""
    return neutralise_mentions(flatten(text))


def fit(text: str, limit: int, *, markdown: bool = True) -> str:
    """Escaped (or plain) ``text`` of at most ``limit`` UTF-16 units, shortened if needed.

    The raw text is shortened before escaping, so an escape is never cut in half
    (a dangling backslash would escape the next character of our own markup).
    """
    render = escape if markdown else plain
    raw = flatten(text)
    result = render(raw)
    keep = len(raw)
    while utf16_len(result) > limit and keep > 0:
        excess = utf16_len(result) - limit
        keep = max(0, keep - max(1, excess // 2))
        result = render(cut_utf16(raw, keep)) if keep else ""
    if utf16_len(result) > limit:  # only when limit is tiny
        return ""
    return result


def safe_url(url: str, limit: int = URL_LIMIT) -> str:
    """An http(s) URL usable inside ``[text](url)`` or as an image, or '' if unusable.

    Spaces, parentheses and angle brackets are percent-encoded so the URL cannot end
    the markdown link early; URLs longer than ``limit`` are dropped rather than cut.
    """
    url = url.strip()
    if not url.lower().startswith(("https://", "http://")):
        return ""
    encoded = quote(url, safe=":/?#@!$&'*+,;=%~-._[]")
    # No brackets (markdown) and no "@" (so no "@everyone" appears even inside a link).
    encoded = encoded.replace("[", "%5B").replace("]", "%5D").replace("@", "%40")
    if len(encoded) > limit:
        return ""
    return encoded


@dataclass(frozen=True, slots=True)
class Page:
    """What one embed shows; ``lines`` join into the description."""

    title: str
    lines: tuple[str, ...]
    thumbnail: str
    footer: str
    cluster: int
    page: int
    page_count: int
    cluster_count: int

    @property
    def description(self) -> str:
        return "\n".join(self.lines)

    def total_length(self) -> int:
        """The embed's total length as Discord counts it (title + description + footer)."""
        return utf16_len(self.title) + utf16_len(self.description) + utf16_len(self.footer)


@dataclass(frozen=True, slots=True)
class Position:
    """Where a pager stands: cluster index and page index, both from 0."""

    cluster: int
    page: int


def page_count(cluster: Cluster, per_page: int = PER_PAGE) -> int:
    """Pages needed for ``cluster`` (at least one, even when empty)."""
    return max(1, -(-cluster.size // per_page))


def page_counts(analysis: Analysis, per_page: int = PER_PAGE) -> list[int]:
    """Pages per cluster, in cluster order."""
    return [page_count(c, per_page) for c in analysis.clusters]


def clamp(counts: Sequence[int], position: Position) -> Position:
    """``position`` moved inside the analysis (e.g. a stored position after re-analysis)."""
    if not counts:
        return Position(0, 0)
    cluster = min(max(position.cluster, 0), len(counts) - 1)
    page = min(max(position.page, 0), counts[cluster] - 1)
    return Position(cluster, page)


def turn(counts: Sequence[int], position: Position, action: Action) -> Position:
    """The position after ``action``; page moves stay within the cluster, cluster moves
    land on the first page of the neighbouring cluster, and nothing goes past an end."""
    here = clamp(counts, position)
    if not counts:
        return here
    last_page = counts[here.cluster] - 1
    if action == "first":
        return Position(here.cluster, 0)
    if action == "prev":
        return Position(here.cluster, max(0, here.page - 1))
    if action == "next":
        return Position(here.cluster, min(last_page, here.page + 1))
    if action == "last":
        return Position(here.cluster, last_page)
    if action == "prev_cluster":
        return Position(max(0, here.cluster - 1), 0) if here.cluster > 0 else here
    if action == "next_cluster":
        if here.cluster < len(counts) - 1:
            return Position(here.cluster + 1, 0)
        return here
    raise ValueError(f"unknown page action {action!r}")


#: Marks a track placed without sound features (by album or artist, or "not enough to hear").
UNHEARD_MARK = "🔇"


def _track_line(
    number: int,
    track: Track,
    budget: int,
    caps: tuple[int, int, int, int],
    unheard: bool = False,
) -> str:
    """``number. [title](url) — artists · album · label 💚 🔇`` within ``budget`` units."""
    title_cap, artist_cap, album_cap, label_cap = caps
    url = safe_url(track.url, LINK_URL_LIMIT)
    title = fit(track.title or "untitled", title_cap) or "…"
    head = f"{number}. [{title}]({url})" if url else f"{number}. **{title}**"
    parts = []
    artists = fit(", ".join(a for a in track.artists if a.strip()), artist_cap)
    if artists:
        parts.append(artists)
    album = fit(track.album, album_cap)
    if album:
        parts.append(f"*{album}*")
    label = fit(track.label, label_cap)
    if label:
        parts.append(label)
    marks = (" 💚" if track.liked else "") + (f" {UNHEARD_MARK}" if unheard else "")
    line = head + (" — " + " · ".join(parts) if parts else "") + marks
    if utf16_len(line) <= budget:
        return line
    # Too long even with the caps: drop the link, then fall back to the title alone.
    bare = f"{number}. **{title}**" + (" — " + " · ".join(parts) if parts else "") + marks
    if utf16_len(bare) <= budget:
        return bare
    prefix = f"{number}. "
    return prefix + fit(track.title or "untitled", max(1, budget - utf16_len(prefix)))


#: Per-field caps tried in order until a page's lines fit the description.
_CAP_STEPS: tuple[tuple[int, int, int, int], ...] = (
    (120, 100, 80, 60),
    (80, 60, 50, 40),
    (50, 40, 30, 25),
    (30, 24, 20, 16),
)


def _lines(
    tracks: Sequence[Track], first_number: int, unheard: Collection[str] = ()
) -> tuple[str, ...]:
    if not tracks:
        return ("*No tracks in this cluster.*",)
    budget = (DESCRIPTION_LIMIT - len(tracks)) // len(tracks)
    for caps in _CAP_STEPS:
        lines = tuple(
            _track_line(first_number + i, t, budget, caps, t.id in unheard)
            for i, t in enumerate(tracks)
        )
        if utf16_len("\n".join(lines)) <= DESCRIPTION_LIMIT:
            return lines
    return lines  # each line is within its budget, so the join fits too


def cluster_title(cluster: Cluster) -> str:
    """``Cluster #n · name · N tracks`` within the title limit."""
    count = f"{cluster.size:,} track" + ("" if cluster.size == 1 else "s")
    fixed = f"Cluster #{cluster.number} ·  · {count}"
    name = fit(cluster.name, min(NAME_IN_TITLE, TITLE_LIMIT - utf16_len(fixed)))
    return f"Cluster #{cluster.number} · {name} · {count}"


def footer_text(analysis: Analysis, position: Position, pages: int) -> str:
    """``Page x/y · Cluster a/b · playlist · feature summary`` within the footer budget."""
    head = (
        f"Page {position.page + 1}/{pages} · Cluster {position.cluster + 1}/"
        f"{len(analysis.clusters)} · "
    )
    name = fit(analysis.playlist.name, 100, markdown=False) or "playlist"
    text = head + name
    summary = analysis.features.summary
    if summary:
        room = FOOTER_BUDGET - utf16_len(text) - 3
        rest = fit(summary, room, markdown=False)
        if rest:
            text += " · " + rest
    return text


def build_page(analysis: Analysis, position: Position, per_page: int = PER_PAGE) -> Page:
    """The page at ``position`` (clamped into range) of ``analysis``."""
    counts = page_counts(analysis, per_page)
    here = clamp(counts, position)
    if not analysis.clusters:
        return Page(
            title="No clusters",
            lines=("*Nothing to show.*",),
            thumbnail="",
            footer=fit(analysis.playlist.name, FOOTER_BUDGET, markdown=False),
            cluster=0,
            page=0,
            page_count=1,
            cluster_count=0,
        )
    cluster = analysis.clusters[here.cluster]
    start = here.page * per_page
    tracks = cluster.tracks[start : start + per_page]
    thumbnail = safe_url(tracks[0].image) if tracks else ""
    return Page(
        title=cluster_title(cluster),
        lines=_lines(tracks, start + 1, cluster.unheard),
        thumbnail=thumbnail,
        footer=footer_text(analysis, here, counts[here.cluster]),
        cluster=here.cluster,
        page=here.page,
        page_count=counts[here.cluster],
        cluster_count=len(analysis.clusters),
    )


def answer_text(analysis: Analysis, *, cached: bool = False) -> str:
    """The message text above the picture: what was found, from what, and any note.

    Escaped and mention-free, at most 2,000 characters (Discord's content limit).
    """
    n = len(analysis.clusters)
    tracks = analysis.track_count
    name = fit(analysis.playlist.name, 200) or "the playlist"
    parts = [
        f"**Clusters in {name}**: {tracks:,} track{'s' if tracks != 1 else ''} "
        f"in {n} cluster{'s' if n != 1 else ''}."
    ]
    if analysis.features.summary:
        parts.append(fit(analysis.features.summary, 600))
    if analysis.note:
        parts.append(fit(analysis.note, 400))
    for said in (
        describe_skips(analysis.playlist.skipped),
        describe_notes(analysis.playlist.notes),
    ):
        if said:
            parts.append(fit(said[:1].upper() + said[1:], 400) + ".")
    if cached:
        parts.append("*(from the cache: the playlist has not changed)*")
    return fit_plain_lines(parts, 2000)


def fit_plain_lines(parts: Sequence[str], limit: int) -> str:
    """Join already-escaped ``parts`` with newlines, dropping trailing parts over ``limit``."""
    out: list[str] = []
    used = 0
    for part in parts:
        size = utf16_len(part) + (1 if out else 0)
        if used + size > limit:
            break
        out.append(part)
        used += size
    return "\n".join(out)
