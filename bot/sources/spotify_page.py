"""Spotify's public embed page as a playlist: the tracks anyone may see, without an app.

``open.spotify.com/embed/playlist/{id}`` is the page Spotify serves for embedding a
playlist in other sites. Its HTML carries the data it shows as JSON in
``<script id="__NEXT_DATA__" type="application/json">``; the playlist is at
``props.pageProps.state.data.entity`` and its ``trackList`` holds at most 100
entries (``uri``, ``title``, ``subtitle`` = the artists joined by ",\u00a0",
``duration`` in ms, ``isExplicit``, ``audioPreview.url``). There is no album, label,
ISRC, nor the playlist's length (microlinkhq/spotify-url-info #67, #69, #132). Spotify's
preview URLs are not kept: previews are analysed from the Deezer match's preview.

:func:`parse_embed_page` is pure (it runs in the HTTP client's decoding thread for a
real-size page). A page without that JSON, or whose JSON lacks the track list where it
was, raises :class:`PageChanged`: one sentence naming Spotify and what works instead.
Reading public pages is not Spotify's documented API, so a host can switch it off
(``SPOTIFY_PAGE_READING=false``).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.errors import PlaylistUnavailable, ProviderDown
from bot.locales import N_
from bot.model import Playlist, PlaylistRef, ProgressCallback, Track, no_progress
from bot.net.answers import html_elements, loads
from bot.net.client import HttpClient, HttpError
from bot.render.document import SPOTIFY_CAP, SPOTIFY_PAGE_CAP
from bot.sources.deezer_match import DeezerMatcher

#: The most tracks the embed page lists (Spotify's cap, observed and documented by
#: spotify-url-info's issues): a list this long may be cut.
EMBED_CAP = 100
#: The attributes of the script holding the page's data (found by one forward scan:
#: a regex over the whole page was quadratic on a page of unclosed "<script").
NEXT_DATA_ID = re.compile(r"\bid\s*=\s*[\"']?__NEXT_DATA__(?![\w-])", re.I)
#: What separates artists in an entry's ``subtitle`` (a comma and a no-break space, so
#: a comma inside a name such as "Tyler, The Creator" is not taken for one).
ARTIST_SEPARATOR = ",\u00a0"
TRACK_URI = re.compile(r"spotify:track:([0-9A-Za-z]{22})")
ORIGIN = N_("Spotify's public embed page")
CHANGED = N_(
    "Spotify's public page for that playlist has no track list I can read (Spotify may "
    "have changed the page). Connect your Spotify with `/spotify connect` (if the playlist "
    "is yours), paste a Deezer link, or upload an Exportify CSV."
)
REFUSED = N_(
    "Spotify's public page refused the request (HTTP {status}); please try again later. "
    "Connect your Spotify with `/spotify connect` (if the playlist is yours), paste a "
    "Deezer link, or upload an Exportify CSV."
)
EMPTY = N_(
    "Spotify's public page shows no tracks for that playlist. Connect your Spotify with "
    "`/spotify connect` (if the playlist is yours), paste a Deezer link, or upload an "
    "Exportify CSV."
)


class PageChanged(PlaylistUnavailable):
    """A public page without the data it used to carry (or with it in another shape)."""


def shown_snapshot(prefix: str, entries: list[Track | str]) -> str:
    """A content hash of what a public page showed (tracks, or the ids of entries it
    could not read), standing in for the snapshot id such pages do not give: a page
    showing other tracks is another version of the playlist."""
    digest = hashlib.sha256()
    for entry in entries:
        digest.update((entry.id if isinstance(entry, Track) else entry).encode())
        digest.update(b"\0")
    return f"{prefix}:{digest.hexdigest()[:32]}"


@dataclass(slots=True)
class EmbedPlaylist:
    """What the embed page shows: name, owner, cover and entries (Track or skip reason)."""

    name: str
    owner: str
    image: str
    entries: list[Track | str] = field(default_factory=list)

    @property
    def snapshot(self) -> str:
        """A content hash of the entries shown (the page has no snapshot id)."""
        return shown_snapshot("embed", self.entries)


def _entity(payload: Any) -> dict[str, Any]:
    """``props.pageProps.state.data.entity``, or PageChanged."""
    node: Any = payload
    for key in ("props", "pageProps", "state", "data", "entity"):
        node = node.get(key) if isinstance(node, dict) else None
    if not isinstance(node, dict) or not isinstance(node.get("trackList"), list):
        raise PageChanged(CHANGED)
    return node


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _milliseconds(value: Any) -> int | None:
    """A duration in ms if it is a plausible number (under 100 days), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not (math.isfinite(value) and 0 < value < 8.64e9):
        return None
    return int(value)


def _entry(item: Any) -> Track | str:
    """One ``trackList`` entry as a Track, or why it is left out."""
    if not isinstance(item, dict):
        return "unreadable entry"
    uri = _text(item.get("uri"))
    kind = _text(item.get("entityType")) or "track"
    if kind == "episode" or uri.startswith("spotify:episode:"):
        return "podcast episode"
    if uri.startswith("spotify:local:"):
        return "local file"
    found = TRACK_URI.fullmatch(uri)
    title = _text(item.get("title"))
    if found is None or not title:
        return "unreadable entry"
    sid = found.group(1)
    artists = tuple(a.strip() for a in _text(item.get("subtitle")).split(ARTIST_SEPARATOR))
    duration = item.get("duration")
    explicit = item.get("isExplicit")
    return Track(
        id=sid,
        title=title,
        artists=tuple(a for a in artists if a),
        url=f"https://open.spotify.com/track/{sid}",
        spotify_id=sid,
        duration_ms=_milliseconds(duration),
        explicit=explicit if isinstance(explicit, bool) else None,
    )


def _cover(entity: dict[str, Any]) -> str:
    cover = entity.get("coverArt")
    sources = cover.get("sources") if isinstance(cover, dict) else None
    if isinstance(sources, list):
        for source in sources:
            if isinstance(source, dict) and _text(source.get("url")):
                return _text(source.get("url"))
    return ""


def parse_embed_page(body: bytes) -> EmbedPlaylist:
    """The playlist an embed page shows; PageChanged when the page has no usable list."""
    html = body.decode("utf-8", errors="replace")
    found = next(
        (body for attributes, body, _ in html_elements(html, "script")
         if NEXT_DATA_ID.search(attributes)),
        None,
    )  # fmt: skip
    if found is None:
        raise PageChanged(CHANGED)
    payload = loads(found.encode("utf-8"))
    if payload is None:  # not JSON, or nested past the parser's depth
        raise PageChanged(CHANGED)
    entity = _entity(payload)
    kind = _text(entity.get("type"))
    if kind and kind != "playlist":
        raise PageChanged(CHANGED)
    entries = [_entry(item) for item in entity["trackList"]]
    if not any(isinstance(e, Track) for e in entries):
        raise PlaylistUnavailable(EMPTY)
    return EmbedPlaylist(
        name=_text(entity.get("name")) or _text(entity.get("title")) or "Spotify playlist",
        owner=_text(entity.get("subtitle")),
        image=_cover(entity),
        entries=entries,
    )


def _page_or_none(body: bytes) -> EmbedPlaylist | None:
    """:func:`parse_embed_page`, or None for an empty body (the client asks again)."""
    return parse_embed_page(body) if body.strip() else None


def cap_note(read: int, listed: int | None) -> str:
    """The sentence saying that Spotify showed only the first 100 tracks ('' if not cut)."""
    if listed is not None and listed > read:
        return SPOTIFY_CAP.format(read=f"{read:,}", listed=f"{listed:,}")
    if listed is None and read >= EMBED_CAP:
        return SPOTIFY_PAGE_CAP.format(read=f"{read:,}", cap=EMBED_CAP)
    return ""


class SpotifyPageSource:
    """Reads a Spotify playlist from its public embed page (no app, no token)."""

    def __init__(
        self,
        http: HttpClient,
        *,
        embed_base: str,
        enabled: bool = True,
        matcher: DeezerMatcher | None = None,
    ) -> None:
        self.http = http
        self.embed_base = embed_base.rstrip("/")
        self.enabled = enabled
        #: Finds each track's Deezer twin for album, label and art (None: not looked up).
        self.matcher = matcher

    async def page(self, pid: str) -> EmbedPlaylist:
        """The embed page of playlist ``pid``, parsed (in the decoding thread when large).

        404 is "no such playlist"; other refusals are ProviderDown naming Spotify's page.
        """
        url = f"{self.embed_base}/playlist/{pid}"
        try:
            # the client's decode hook reads the HTML (in its decoding thread when large);
            # an empty page is None: asked again like an empty JSON answer
            return await self.http.get_json(url, decode=_page_or_none)
        except HttpError as exc:
            if exc.status in (400, 404):
                raise PlaylistUnavailable(
                    N_(
                        "Spotify's public page knows no playlist with that id: it was deleted, "
                        "is private, or the link is wrong."
                    )
                ) from None
            raise ProviderDown(REFUSED, status=exc.status) from None

    async def fetch(
        self,
        ref: PlaylistRef,
        progress: ProgressCallback = no_progress,
        *,
        listed: int | None = None,
        on_tracks: Callable[..., None] | None = None,
    ) -> Playlist:
        """The first tracks (at most 100) of the playlist as Spotify's embed page shows
        them; ``listed`` is the length when the API told it (else unknown).

        The tracks go to ``on_tracks`` (feature lookups by Spotify id, told that no
        more will come: ``last=True``) before they are matched to Deezer for album,
        label and art, so both run at once.
        """
        progress("Fetching tracks", 0, 0)
        shown = await self.page(ref.id)
        playlist = Playlist(
            ref=ref,
            name=shown.name,
            tracks=[],
            snapshot=shown.snapshot,
            owner=shown.owner,
            image=shown.image,
            url=f"https://open.spotify.com/playlist/{ref.id}",
            origin=ORIGIN,
        )
        seen: set[str] = set()
        for entry in shown.entries:
            playlist.admit(entry, seen)
        entries = len(shown.entries)
        playlist.listed = listed if listed is not None and listed > entries else None
        playlist.limit_note = cap_note(entries, listed)
        progress("Fetching tracks", entries, entries)
        if on_tracks is not None:
            on_tracks(list(playlist.tracks), last=True)
        if self.matcher is not None:
            await self.matcher.match(playlist, progress)
        return playlist

    async def snapshot(self, ref: PlaylistRef) -> str:
        """A hash of what the page shows now (one page request)."""
        return (await self.page(ref.id)).snapshot
