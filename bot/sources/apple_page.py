"""The public page of an Apple Music playlist, read into tracks (pure).

``music.apple.com/{country}/playlist/{slug}/pl.{id}`` is server-rendered: beside the
HTML it carries the data it shows as JSON in ``<script type="application/json"
id="serialized-server-data">`` (attributes in any order, the id quoted or not). In
2026 that JSON is ``{"data": [{"data": {"sections": [...]}}]}`` (earlier builds: the
same list at the top level); the playlist's header is a section of ``itemKind``
``containerDetailHeaderLockup`` (title, curator in ``subtitleLinks``, artwork,
``trackCount``; the page's schema.org block may also say ``numTracks``) and its songs
are the ``items`` of ``trackLockup`` sections: ``title``, the artists as
``subtitleLinks[].title`` (and joined in ``artistName``), the album as
``tertiaryLinks[0].title``, ``duration`` in ms, ``showExplicitBadge``,
``artwork.dictionary.url`` (a ``{w}x{h}bb.{f}`` template) and ``contentDescriptor``
(``kind`` "song", ``identifiers.storeAdamID``, ``url``). Some builds list the header
and the songs straight in ``data`` (the header's ``id`` "playlist-detail-header - …",
the songs' "track-lockup - …"). No ISRC is shown; one is used if a page carries it.

That shape may change without notice, so :func:`parse_apple_page` does not follow one
path: it walks the JSON (iteratively, any depth the parser accepted) for the
``trackLockup`` sections and, if there are none, for track-like objects (a title, an
artist and a song id or duration). A page without that JSON, or without any track in
it, is :class:`~bot.sources.spotify_page.PageChanged`: one sentence naming Apple Music
and what works instead; nothing of it is cached. Tags are found by one forward scan
(:func:`~bot.net.answers.html_elements`), so no page costs more than linear time. It
is pure and runs in the HTTP client's decoding thread (:mod:`bot.sources.apple_music`
asks the page).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from typing import Any

from bot.locales import N_
from bot.model import Track
from bot.net.answers import html_elements, loads
from bot.sources.spotify_page import PageChanged, shown_snapshot

#: Said (in the member's language, as a whole sentence) when a page cannot be read.
CHANGED = N_(
    "Apple Music's public page for that playlist has no track list I can read (Apple may "
    "have changed the page). A Spotify, Deezer or YouTube Music link of the same playlist "
    "works, or a CSV export."
)
_SERVER_DATA_ID = re.compile(r"\bid\s*=\s*[\"']?serialized-server-data(?![\w-])", re.I)
_LD_JSON_TYPE = re.compile(r"\btype\s*=\s*[\"']?application/ld\+json", re.I)
_OG_TITLE = re.compile(
    r"\bproperty\s*=\s*[\"']og:title[\"'].*?\bcontent\s*=\s*\"([^\"]*)\"|"
    r"\bcontent\s*=\s*\"([^\"]*)\".*?\bproperty\s*=\s*[\"']og:title[\"']",
    re.I | re.S,
)
#: The song id at the end of an item's ``id`` ("track-lockup - pl.x - 1440881134") or
#: ``url`` ("…/album/x/1440881127?i=1440881134", "…/song/x/1440881134").
_TRAILING_ID = re.compile(r"(?:[?&]i=|/song/[^/?#]*/|\s-\s)(\d{1,20})(?=$|[&#\s])")
#: What joins several artists in ``artistName`` when ``subtitleLinks`` is missing.
_JOINED = re.compile(r",\s+|\s+&\s+")
_CLOCK = re.compile(r"(?:\d{1,3}:)?\d{1,3}:[0-5]\d")
#: At most this many JSON nodes are visited (a 20 MB page holds far fewer).
MAX_NODES = 5_000_000
ARTWORK_SIZE = "300x300"


@dataclass(slots=True)
class ApplePlaylist:
    """What the page shows: name, curator, cover, the header's track count and entries."""

    name: str
    owner: str
    image: str
    count: int | None = None
    entries: list[Track | str] = field(default_factory=list)

    @property
    def snapshot(self) -> str:
        """A content hash of the entries shown (the page has no snapshot id)."""
        return shown_snapshot("apple", self.entries)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _link_titles(value: Any) -> tuple[str, ...]:
    """The titles of a ``subtitleLinks``/``tertiaryLinks`` list."""
    if not isinstance(value, list):
        return ()
    return tuple(t for link in value if (t := _text(_dict(link).get("title"))))


def _milliseconds(value: Any) -> int | None:
    """A duration in ms if it is a plausible number (under 100 days), else None; a text
    of digits is ms, "m:ss" or "h:mm:ss" is read as such (some parsers type it a text)."""
    if isinstance(value, str):
        text = value.strip()
        if _CLOCK.fullmatch(text):
            seconds = 0
            for part in text.split(":"):
                seconds = seconds * 60 + int(part)
            value = seconds * 1000
        elif text.isascii() and text.isdigit() and len(text) < 12:
            value = int(text)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not (math.isfinite(value) and 0 < value < 8.64e9):
        return None
    return int(value)


def _artwork(item: dict[str, Any]) -> str:
    """The artwork template filled in (``{w}x{h}`` 300x300, ``{c}`` bb, ``{f}`` jpg)."""
    url = _text(_dict(_dict(item.get("artwork")).get("dictionary")).get("url"))
    if not url.startswith("https://"):
        return ""
    return url.replace("{w}x{h}", ARTWORK_SIZE).replace("{c}", "bb").replace("{f}", "jpg")


def _song_id(item: dict[str, Any]) -> str:
    """The song's store id: ``contentDescriptor.identifiers.storeAdamID``, else the end of
    the item's ``id`` or of its URL; '' when none."""
    descriptor = _dict(item.get("contentDescriptor"))
    adam = _dict(descriptor.get("identifiers")).get("storeAdamID")
    if isinstance(adam, int) and not isinstance(adam, bool) and adam > 0:
        return str(adam)
    if isinstance(adam, str) and adam.strip().isdigit():
        return adam.strip()
    for text in (_text(item.get("id")), _text(descriptor.get("url"))):
        found = _TRAILING_ID.findall(text + " ")
        if found:  # the last: "track-lockup - {album or playlist} - {song}"
            return str(found[-1])
    return ""


def _kind(item: dict[str, Any]) -> str:
    return _text(_dict(item.get("contentDescriptor")).get("kind"))


def _artists(item: dict[str, Any]) -> tuple[str, ...]:
    linked = _link_titles(item.get("subtitleLinks"))
    if linked:
        return linked
    joined = _text(item.get("artistName"))
    return tuple(a for part in _JOINED.split(joined) if (a := part.strip()))


def entry(item: Any) -> Track | str:
    """One ``trackLockup`` item as a Track, or why it is left out."""
    if not isinstance(item, dict):
        return "unreadable entry"
    title = _text(item.get("title"))
    artists = _artists(item)
    if not title or not artists:
        return "unreadable entry"
    sid = _song_id(item)
    duration = _milliseconds(item.get("duration"))
    if not sid:  # no store id on the page: a stable id from what it shows
        seed = "\0".join((title, *artists, str(duration)))
        sid = "t" + hashlib.sha256(seed.encode()).hexdigest()[:16]
    explicit = item.get("showExplicitBadge")
    url = _text(_dict(item.get("contentDescriptor")).get("url"))
    albums = _link_titles(item.get("tertiaryLinks"))
    isrc = _text(item.get("isrc")).upper()
    return Track(
        id=sid,
        title=title,
        artists=artists,
        album=albums[0] if albums else "",
        url=url if url.startswith("https://") else "",
        image=_artwork(item),
        isrc=isrc if re.fullmatch(r"[A-Z]{2}[A-Z0-9]{3}\d{7}", isrc) else "",
        duration_ms=duration,
        explicit=explicit if isinstance(explicit, bool) else None,
    )


def _nodes(payload: Any) -> Iterator[dict[str, Any]]:
    """Every object in the JSON, in document order (iteratively: any depth is fine)."""
    stack: list[Any] = [payload]
    seen = 0
    while stack and seen < MAX_NODES:
        node = stack.pop()
        seen += 1
        if isinstance(node, dict):
            yield node
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))


def _looks_like_a_track(node: dict[str, Any]) -> bool:
    """An object shown as a song: a title, an artist, and a song kind, id or duration."""
    if not _text(node.get("title")) or not _artists(node):
        return False
    kind = _kind(node)
    if kind and kind != "song":
        return False
    return (
        kind == "song"
        or _text(node.get("id")).startswith("track-lockup")
        or _milliseconds(node.get("duration")) is not None
    )


def _track_items(payload: Any) -> tuple[list[Any], dict[str, Any]]:
    """The items of the ``trackLockup`` sections (else every track-like object), and the
    header: the ``containerDetailHeaderLockup``'s first item, else the object whose id
    is "playlist-detail-header - …" ({} if none)."""
    sections: list[Any] = []
    header: dict[str, Any] = {}
    by_id: dict[str, Any] = {}
    loose: list[dict[str, Any]] = []
    for node in _nodes(payload):
        kind = node.get("itemKind")
        items = node.get("items")
        if kind == "trackLockup" and isinstance(items, list):
            sections.extend(items)
        elif kind == "containerDetailHeaderLockup" and isinstance(items, list) and not header:
            header = _dict(items[0]) if items else {}
        elif not by_id and _text(node.get("id")).startswith("playlist-detail-header - "):
            by_id = node
        elif not sections and _looks_like_a_track(node):
            loose.append(node)
    return (sections if sections else loose), (header or by_id)


def _count(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 10_000_000:
        return value
    return None


def _head(html: str) -> tuple[str, str, int | None]:
    """The server data's text ('' if none), the og:title and schema.org ``numTracks``
    found before it."""
    numbers: list[int | None] = []
    data, data_at = "", 0
    for attributes, body, at in html_elements(html, "script"):
        if _SERVER_DATA_ID.search(attributes):
            data, data_at = body, at
            break
        if _LD_JSON_TYPE.search(attributes):
            block = loads(body.strip().encode("utf-8"))
            if isinstance(block, dict) and block.get("@type") == "MusicPlaylist":
                numbers.append(_count(block.get("numTracks")))
    title = ""
    for attributes, _, _ in html_elements(html[:data_at], "meta"):
        found = _OG_TITLE.search(attributes)
        if found:
            title = unescape(found.group(1) or found.group(2) or "").strip()
            break
    return data, title, next((n for n in numbers if n), None)


def parse_apple_page(body: bytes) -> ApplePlaylist:
    """The playlist an Apple Music page shows; PageChanged when it has no usable list."""
    html = body.decode("utf-8", errors="replace")
    data, og_title, schema_count = _head(html)
    if not data.strip():
        raise PageChanged(CHANGED)
    payload = loads(data.strip().encode("utf-8"))
    if payload is None:  # not JSON, or nested past the parser's depth
        raise PageChanged(CHANGED)
    items, header = _track_items(payload)
    entries = [entry(item) for item in items]
    if not any(isinstance(e, Track) for e in entries):
        raise PageChanged(CHANGED)
    curators = _link_titles(header.get("subtitleLinks"))
    return ApplePlaylist(
        name=_text(header.get("title")) or og_title or "Apple Music playlist",
        owner=curators[0] if curators else "",
        image=_artwork(header),
        count=_count(header.get("trackCount")) or schema_count,
        entries=entries,
    )


def page_or_none(body: bytes) -> ApplePlaylist | None:
    """:func:`parse_apple_page`, or None for an empty body (the client asks again)."""
    return parse_apple_page(body) if body.strip() else None
