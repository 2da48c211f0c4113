"""Discord pages of an analysis as plain data (pure; no discord import).

A page is what one layout message (Discord's Components V2) shows of a cluster: a
header (``Cluster #n · name · N tracks`` and what sets the cluster apart), up to
:data:`PER_PAGE` tracks, each with its album art, linked title (🔇: placed without
sound), artists, album, label and 💚, and a footer with the page and cluster position,
the playlist name and where the features came from (``discord_ui/layout.py``).

Every piece of user-supplied text is escaped (markdown and mentions) and every
text budget below holds for any input: long names are shortened, never rejected.
Lengths are measured in UTF-16 code units, which is never less than what Discord
counts, so emoji and astral characters cannot push a message over a limit.

Navigation (:func:`turn`) is pure too, so reactions, buttons and private pagers
share one definition of "next page".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import quote

from bot.locales import ENGLISH, Words
from bot.model import Analysis, Cluster, Track
from bot.render.markdown import UNHEARD_MARK
from bot.render.summary import feature_summary, found_sentences
from bot.text import cut_utf16, fit_plain_lines, utf16_len

#: Tracks per page: five sections of three components each leave room, within
#: Discord's 40 components, for the map, the header, the footer and every control.
PER_PAGE = 5

#: Discord's limits of a layout message.
TEXT_LIMIT = 4000  # all text displays together
COMPONENT_LIMIT = 40
ALT_LIMIT = 1024  # a thumbnail's description
URL_LIMIT = 2048

#: Our budgets (UTF-16 units); intro + header + tracks + footer stay under TEXT_LIMIT.
INTRO_BUDGET = 1000
TITLE_BUDGET = 256
APART_BUDGET = 300
TRACK_BUDGET = 420
FOOTER_BUDGET = 300
ALT_BUDGET = 200
NAME_IN_TITLE = 150
LINK_URL_LIMIT = 512
#: The subtext mark the footer is shown with.
FOOTER_MARK = "-# "
#: Per-field caps of a track's text: title, artists, album, label.
_CAPS = (100, 80, 60, 40)

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
    if len(raw) > limit:  # more characters than units allowed: cut before escaping
        raw = raw[: limit + 1]
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
class TrackCell:
    """One track of a page: its text (linked title, then artists · album · label), its
    album art (an http(s) URL or '') and the art's description for screen readers."""

    text: str
    image: str
    alt: str


@dataclass(frozen=True, slots=True)
class Page:
    """What one page shows: a header (title, what sets the cluster apart), up to
    :data:`PER_PAGE` tracks, a footer; and where it stands."""

    title: str
    apart: str
    cells: tuple[TrackCell, ...]
    footer: str
    cluster: int
    page: int
    page_count: int
    cluster_count: int
    #: The language the page is in; its controls are labelled in it too.
    words: Words = field(default=ENGLISH, compare=False, repr=False)

    @property
    def header(self) -> str:
        """``### title`` and, below it, what sets the cluster apart (markdown)."""
        return f"### {self.title}" + (f"\n{self.apart}" if self.apart else "")

    @property
    def lines(self) -> tuple[str, ...]:
        """The tracks' texts, in order."""
        return tuple(cell.text for cell in self.cells)

    @property
    def description(self) -> str:
        return "\n".join(self.lines)

    @property
    def thumbnail(self) -> str:
        """The first track's art ('' when it has none)."""
        return self.cells[0].image if self.cells else ""

    def text_length(self) -> int:
        """UTF-16 units of every text the page shows (header, tracks, footer line)."""
        return (
            utf16_len(self.header)
            + sum(utf16_len(cell.text) for cell in self.cells)
            + utf16_len(self.footer)
            + len(FOOTER_MARK)
        )


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


def _details(track: Track, caps: tuple[int, int, int]) -> list[str]:
    artist_cap, album_cap, label_cap = caps
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
    return parts


def track_text(
    number: int, track: Track, caps: tuple[int, int, int, int] = _CAPS, *, unheard: bool = False
) -> str:
    """``number. [title](url) 🔇 💚`` then ``artists · *album* · label``, within
    :data:`TRACK_BUDGET` units for any input. ``unheard``: the 🔇 of a track placed
    without sound features, outside the shortened title so no title can cut it."""
    title_cap, *rest = caps
    url = safe_url(track.url, LINK_URL_LIMIT)
    title = fit(track.title or "untitled", title_cap) or "…"
    head = f"{number}. [{title}]({url})" if url else f"{number}. **{title}**"
    heart = (f" {UNHEARD_MARK}" if unheard else "") + (" 💚" if track.liked else "")
    parts = _details(track, (rest[0], rest[1], rest[2]))
    text = head + heart + ("\n" + " · ".join(parts) if parts else "")
    if utf16_len(text) <= TRACK_BUDGET:
        return text
    # Only a URL near LINK_URL_LIMIT gets here: drop the link, keep the words.
    bare = f"{number}. **{title}**" + heart + ("\n" + " · ".join(parts) if parts else "")
    return bare if utf16_len(bare) <= TRACK_BUDGET else f"{number}. **{title}**{heart}"


def track_cell(
    number: int, track: Track, words: Words = ENGLISH, *, unheard: bool = False
) -> TrackCell:
    """The page cell of ``track``: text (marked 🔇 when ``unheard``), art and the art's
    description."""
    image = safe_url(track.image)
    album = track.album or track.title or "untitled"
    alt = fit(words("Album art: {album}", album=album), ALT_BUDGET, markdown=False)
    return TrackCell(track_text(number, track, unheard=unheard), image, alt if image else "")


def cluster_title(cluster: Cluster, words: Words = ENGLISH) -> str:
    """``Cluster #n · name · N tracks`` within the title budget."""
    count = words.n("{count} track", "{count} tracks", cluster.size)
    fixed = words(
        "Cluster #{number} · {name} · {tracks}", number=cluster.number, name="", tracks=count
    )
    name = fit(words.name(cluster.name), min(NAME_IN_TITLE, TITLE_BUDGET - utf16_len(fixed)))
    return words(
        "Cluster #{number} · {name} · {tracks}", number=cluster.number, name=name, tracks=count
    )


def apart_text(cluster: Cluster, total: int, words: Words = ENGLISH) -> str:
    """What sets the cluster apart: its traits (the features where it differs most
    from the playlist, strongest first) and its share of the playlist."""
    share = (
        words("{share} of the playlist", share=words.percent(cluster.size / total)) if total else ""
    )
    said = ", ".join(words.name(trait) for trait in cluster.traits)
    traits = fit(said, APART_BUDGET - 60) if said else ""
    if traits:
        return words("Sets it apart: {traits}", traits=traits) + (f" · {share}" if share else "")
    return share


def footer_text(analysis: Analysis, position: Position, pages: int, words: Words = ENGLISH) -> str:
    """``Page x/y · Cluster a/b · playlist · feature summary`` within the footer budget."""
    head = words(
        "Page {page}/{pages} · Cluster {cluster}/{clusters} · ",
        page=position.page + 1,
        pages=pages,
        cluster=position.cluster + 1,
        clusters=len(analysis.clusters),
    )
    name = fit(analysis.playlist.name, 100, markdown=False) or words("playlist")
    text = head + name
    summary = feature_summary(analysis, words)
    if summary:
        room = FOOTER_BUDGET - utf16_len(text) - 3
        rest = fit(summary, room, markdown=False)
        if rest:
            text += " · " + rest
    return text


def build_page(
    analysis: Analysis, position: Position, per_page: int = PER_PAGE, words: Words = ENGLISH
) -> Page:
    """The page at ``position`` (clamped into range) of ``analysis``, in ``words``."""
    counts = page_counts(analysis, per_page)
    here = clamp(counts, position)
    if not analysis.clusters:
        return Page(
            title=words("No clusters"),
            apart="",
            cells=(TrackCell(words("*Nothing to show.*"), "", ""),),
            footer=fit(analysis.playlist.name, FOOTER_BUDGET, markdown=False),
            cluster=0,
            page=0,
            page_count=1,
            cluster_count=0,
            words=words,
        )
    cluster = analysis.clusters[here.cluster]
    start = here.page * per_page
    tracks = cluster.tracks[start : start + per_page]
    cells = tuple(
        track_cell(start + 1 + i, t, words, unheard=t.id in cluster.unheard)
        for i, t in enumerate(tracks)
    )
    return Page(
        title=cluster_title(cluster, words),
        apart=apart_text(cluster, analysis.track_count, words),
        cells=cells or (TrackCell(words("*No tracks in this cluster.*"), "", ""),),
        footer=footer_text(analysis, here, counts[here.cluster], words),
        cluster=here.cluster,
        page=here.page,
        page_count=counts[here.cluster],
        cluster_count=len(analysis.clusters),
        words=words,
    )


def answer_text(
    analysis: Analysis, *, cached: bool = False, limit: int = INTRO_BUDGET, words: Words = ENGLISH
) -> str:
    """The text above the first page: what was found, from what, and any note.

    Escaped and mention-free, at most ``limit`` UTF-16 units (:data:`INTRO_BUDGET`).
    The feature summary, the clustering's note, the providers' notes (the reasons in a
    preview note too), how a public page was read and the skipped entries are said in
    ``words``' language (:mod:`bot.render.summary`).
    """
    name = fit(analysis.playlist.name, 200) or words("the playlist")
    parts = [
        words(
            "**Clusters in {name}**: {tracks} in {clusters}.",
            name=name,
            tracks=words.n("{count} track", "{count} tracks", analysis.track_count),
            clusters=words.n("{count} cluster", "{count} clusters", analysis.sound_cluster_count),
        )
    ]
    parts.extend(fit(said, limit) for said, limit in found_sentences(analysis, words))
    if cached:
        parts.append(words("*(from the cache: the playlist has not changed)*"))
    return fit_plain_lines(parts, limit)
