"""Text a user pastes -> ``PlaylistRef(source, id)``; the only place that knows link shapes.

:func:`parse_link` is pure: it understands every Spotify and Deezer playlist link
form (with or without ``www.``, language segments such as ``intl-de`` or ``/fr/``,
query strings, ``spotify:playlist:`` URIs, Discord's ``<...>`` embed suppression)
and bare ids where they cannot mean anything else. :func:`resolve_link` also follows
short links (``spotify.link``, ``link.deezer.com``, ``deezer.page.link``), but only
through hosts on :data:`REDIRECT_HOSTS`, over HTTPS on the default port, for at most
:data:`MAX_HOPS` redirects: a URL a user typed is never fetched unless its host is on
that allowlist (no other host, no IP literal, no other port or scheme, no user info).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote

from yarl import URL

from bot.errors import BadLink
from bot.model import PlaylistRef
from bot.net.client import HttpClient, HttpError

SPOTIFY_ID = re.compile(r"[0-9A-Za-z]{22}")
DEEZER_ID = re.compile(r"[0-9]{1,19}")

SPOTIFY_HOSTS = frozenset({"open.spotify.com", "play.spotify.com"})
YOUTUBE_HOSTS = frozenset({"music.youtube.com", "youtube.com", "www.youtube.com", "m.youtube.com"})
APPLE_HOSTS = frozenset({"music.apple.com", "embed.music.apple.com", "itunes.apple.com"})
#: An Apple Music storefront (two letters) and a shared playlist id (``pl.u-…`` for a
#: member's shared playlist, ``pl.`` + 32 hex digits for Apple's own).
APPLE_COUNTRY = re.compile(r"[A-Za-z]{2}")
APPLE_PLAYLIST = re.compile(r"pl\.(?:u-)?[A-Za-z0-9]{1,64}")
#: A YouTube playlist id (``PL…``, ``OLAK5uy_…``, ``RDCLAK5uy_…``, ...).
YOUTUBE_LIST = re.compile(r"[A-Za-z0-9_-]{2,64}")
#: A member's own lists, which no one else can read: Liked videos/music, Watch later.
YOUTUBE_PRIVATE_LISTS = frozenset({"LL", "WL", "LM"})
DEEZER_HOSTS = frozenset({"deezer.com", "www.deezer.com"})
#: Short-link hosts a user may paste; they answer with a redirect.
SHORT_LINK_HOSTS = frozenset({"spotify.link", "link.deezer.com", "deezer.page.link"})
#: Every host a short link may pass through; anything else ends the resolution.
REDIRECT_HOSTS = SHORT_LINK_HOSTS | {"spotify.app.link"} | SPOTIFY_HOSTS | DEEZER_HOSTS
MAX_HOPS = 5
#: How much of an HTML answer (a short link that redirects in the page) is searched.
MAX_PAGE_BYTES = 256_000

OTHER_KINDS = {
    "track": "a track",
    "album": "an album",
    "artist": "an artist",
    "episode": "a podcast episode",
    "show": "a podcast",
    "user": "a profile",
    "profile": "a profile",
    "podcast": "a podcast",
    "radio": "a radio",
    "mix": "a mix",
}

#: What yarl raises for text it cannot take as a URL (IndexError: some bracketed hosts).
_URL_ERRORS = (ValueError, IndexError, TypeError)

#: A playlist link inside an HTML page (short links that redirect with a page, not a header).
PAGE_LINK = re.compile(
    r"https://(?:open\.spotify\.com|(?:www\.)?deezer\.com)/[^\s\"'<>]*playlist/[0-9A-Za-z]+"
)

NOT_A_LINK = (
    "That is not a playlist link I understand: paste a Spotify, Deezer, YouTube Music or "
    "Apple Music playlist link (like https://open.spotify.com/playlist/…, "
    "https://www.deezer.com/playlist/…, https://music.youtube.com/playlist?list=… or "
    "https://music.apple.com/us/playlist/…/pl.…), or upload a CSV export."
)


def _wrong_kind(kind: str) -> BadLink:
    article = OTHER_KINDS.get(kind, f"a {kind}")
    return BadLink(f"That is {article} link; paste a playlist link.")


def _clean(text: str) -> str:
    """Strip whitespace, Discord's ``<...>`` embed suppression and a trailing dot/comma."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    return text.rstrip(".,;)")


def _spotify_id(value: str) -> str:
    if not SPOTIFY_ID.fullmatch(value):
        raise BadLink("That Spotify link has no valid playlist id (22 letters and digits).")
    return value


def _deezer_id(value: str) -> str:
    if not DEEZER_ID.fullmatch(value):
        raise BadLink("That Deezer link has no valid playlist id (a number).")
    return value


def _parse_uri(text: str) -> PlaylistRef:
    """``spotify:playlist:ID``, ``spotify:user:NAME:playlist:ID``, ``deezer:playlist:ID``."""
    parts = text.split(":")
    scheme = parts[0].casefold()
    if scheme == "spotify" and len(parts) >= 3:
        if parts[1] == "user" and len(parts) == 5 and parts[3] == "playlist":
            return PlaylistRef("spotify", _spotify_id(parts[4]))
        if len(parts) == 3:
            if parts[1] == "playlist":
                return PlaylistRef("spotify", _spotify_id(parts[2]))
            if parts[1] in OTHER_KINDS:
                raise _wrong_kind(parts[1])
    if scheme == "deezer" and len(parts) == 3:
        if parts[1] == "playlist":
            return PlaylistRef("deezer", _deezer_id(parts[2]))
        if parts[1] in OTHER_KINDS:
            raise _wrong_kind(parts[1])
    raise BadLink(NOT_A_LINK)


def _kind_and_id(segments: list[str]) -> tuple[str, str] | None:
    """The (kind, id) pair in path segments, skipping language and user prefixes."""
    for i, segment in enumerate(segments[:-1]):
        if segment in ("playlist", *OTHER_KINDS) and segment not in ("user", "profile"):
            return segment, segments[i + 1]
    if len(segments) >= 2 and segments[0] in ("user", "profile"):
        return segments[0], segments[1]
    return None


def _host(url: URL) -> str:
    """The URL's host, case-folded, without a trailing dot; '' when it is not a valid
    internationalised name (``xn--`` labels that are not punycode, or do not round-trip)."""
    try:
        return (url.host or "").casefold().rstrip(".")
    except _URL_ERRORS:
        return ""


def _to_url(text: str) -> URL | None:
    """``text`` as an absolute URL (``https://`` added to a bare host), or None."""
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text):
        if re.match(r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}(/|$)", text):
            text = "https://" + text
        else:
            return None
    try:
        url = URL(text)
        absolute = url.is_absolute()
    except _URL_ERRORS:
        return None
    if not absolute or not _host(url):
        return None
    return url


def _safe_to_fetch(url: URL) -> bool:
    """True only for HTTPS on the default port to an allowlisted host, without user info."""
    return (
        url.scheme == "https"
        and _host(url) in REDIRECT_HOSTS
        and url.port == 443
        and url.user is None
        and url.password is None
    )


def _youtube(url: URL) -> PlaylistRef:
    """A YouTube (Music) playlist: ``/playlist?list=ID``, ``/watch?v=…&list=ID`` or
    YouTube Music's ``/browse/VLID``."""
    if url.scheme not in ("http", "https"):
        raise BadLink(NOT_A_LINK)
    segments = [s for s in url.path.split("/") if s]
    listed = url.query.get("list", "")
    if segments[:1] == ["browse"] and len(segments) == 2 and segments[1].startswith("VL"):
        listed = segments[1][2:]
    elif segments not in (["playlist"], ["watch"]):
        raise BadLink("That YouTube link is not a playlist; paste a link with `list=` in it.")
    if not listed:
        raise BadLink("That YouTube link is not a playlist; paste a link with `list=` in it.")
    if listed in YOUTUBE_PRIVATE_LISTS:
        raise BadLink(
            "That is a member's own YouTube list (liked or watch later), which only they "
            "can see; paste a public playlist's link."
        )
    if not YOUTUBE_LIST.fullmatch(listed):
        raise BadLink("That YouTube link has no valid playlist id.")
    return PlaylistRef("ytmusic", listed)


def _apple(url: URL) -> PlaylistRef:
    """An Apple Music playlist: ``/{country}/playlist/{slug}/pl.{id}`` (the slug and the
    country are optional; ``embed.music.apple.com`` and old ``itunes.apple.com`` links
    have the same path). The ref id is ``{country}/{slug}/{pl.id}``: the page is asked
    at the address the link named."""
    if url.scheme not in ("http", "https"):
        raise BadLink(NOT_A_LINK)
    segments = [s for s in url.path.split("/") if s]
    country = "us"
    if segments and APPLE_COUNTRY.fullmatch(segments[0]):
        country, segments = segments[0].casefold(), segments[1:]
    if segments[:2] == ["library", "playlist"]:
        raise BadLink(
            "That is a playlist in someone's own Apple Music library, which only they can "
            "see; share it publicly (Share Playlist) and paste that link."
        )
    if not segments or segments[0] != "playlist":
        kind = segments[0] if segments else ""
        if kind in ("album", "song", "artist", "music-video", "station", "curator"):
            raise _wrong_kind({"song": "track", "music-video": "track"}.get(kind, kind))
        raise BadLink(NOT_A_LINK)
    rest = segments[1:]
    pid = rest[-1].removeprefix("id") if rest else ""
    if not APPLE_PLAYLIST.fullmatch(pid) or len(rest) > 2:
        raise BadLink("That Apple Music link has no valid playlist id (pl.… at its end).")
    slug = rest[0][:200] if len(rest) == 2 and "/" not in rest[0] else ""
    return PlaylistRef("apple", "/".join(p for p in (country, slug, pid) if p))


def apple_page_path(ref_id: str) -> str:
    """The page's path for an Apple Music ref id ``{country}/{slug}/{pl.id}`` or
    ``{country}/{pl.id}`` (what :func:`parse_link` makes)."""
    parts = ref_id.split("/")
    country, pid = parts[0], parts[-1]
    slug = parts[1] if len(parts) == 3 else ""
    middle = f"{quote(slug, safe='-._~')}/" if slug else ""
    return f"/{country}/playlist/{middle}{pid}"


def _parse_url(url: URL) -> PlaylistRef:
    host = _host(url)
    if host in YOUTUBE_HOSTS:
        return _youtube(url)
    if host in APPLE_HOSTS:
        return _apple(url)
    segments = [s for s in url.path.split("/") if s]
    if host in SPOTIFY_HOSTS or host in DEEZER_HOSTS:
        if url.scheme not in ("http", "https"):
            raise BadLink(NOT_A_LINK)
        found = _kind_and_id(segments)
        if found is None:
            raise BadLink(NOT_A_LINK)
        kind, value = found
        if kind != "playlist":
            raise _wrong_kind(kind)
        if host in SPOTIFY_HOSTS:
            return PlaylistRef("spotify", _spotify_id(value))
        return PlaylistRef("deezer", _deezer_id(value))
    if host in SHORT_LINK_HOSTS or host == "spotify.app.link":
        raise BadLink("That is a short link; paste the full playlist link it opens instead.")
    raise BadLink(NOT_A_LINK)


def parse_link(text: str) -> PlaylistRef:
    """The playlist a pasted text names, or :class:`~bot.errors.BadLink` saying why not.

    Bare ids are accepted only where unambiguous: 22 letters and digits (with at least
    one letter) is a Spotify playlist id. A bare number could be any Deezer object, so
    it is refused with a request for the full link.
    """
    text = _clean(text)
    if not text:
        raise BadLink(NOT_A_LINK)
    if re.match(r"^(spotify|deezer):", text, re.IGNORECASE):
        return _parse_uri(text)
    if SPOTIFY_ID.fullmatch(text) and not text.isdigit():
        return PlaylistRef("spotify", text)
    if DEEZER_ID.fullmatch(text):
        raise BadLink(
            "A bare number could be any Deezer playlist, album or track; "
            "paste the whole link (https://www.deezer.com/playlist/…)."
        )
    url = _to_url(text)
    if url is None:
        raise BadLink(NOT_A_LINK)
    return _parse_url(url)


def short_link(text: str) -> URL | None:
    """The URL to follow when ``text`` is a short link on an allowlisted host, else None.

    ``http://`` is upgraded to ``https://``; any other scheme, port, user info or host
    is refused (None), so the caller treats the text as an ordinary link.
    """
    url = _to_url(_clean(text))
    if url is None or _host(url) not in SHORT_LINK_HOSTS:
        return None
    if url.scheme == "http" and url.explicit_port is None:
        url = url.with_scheme("https")
    return url if _safe_to_fetch(url) else None


def _redirect(url: URL, location: str) -> URL | PlaylistRef:
    """Where a short link's redirect leads: a playlist, or the next allowlisted URL."""
    try:
        next_url = url.join(URL(location, encoded=True))
    except _URL_ERRORS:
        raise BadLink("That short link leads somewhere I do not follow.") from None
    next_host = _host(next_url)
    if next_host in SPOTIFY_HOSTS | DEEZER_HOSTS and next_url.scheme in ("http", "https"):
        return _parse_url(next_url)
    if not _safe_to_fetch(next_url):
        raise BadLink("That short link leads somewhere I do not follow.")
    return next_url


async def resolve_link(
    text: str, http: HttpClient, *, origins: Mapping[str, str] | None = None
) -> PlaylistRef:
    """Like :func:`parse_link`, but short links are followed through allowlisted redirects.

    ``origins`` maps an allowlisted host to the origin actually contacted (tests point
    ``spotify.link`` at a fake server on 127.0.0.1); every allowlist check is made on
    the link's own host before that substitution.
    """
    url = short_link(text)
    if url is None:
        cleaned = _clean(text)
        candidate = _to_url(cleaned)
        if candidate is not None and _host(candidate) in SHORT_LINK_HOSTS:
            raise BadLink("I only follow short links over https:// on the normal port.")
        return parse_link(text)
    for _hop in range(MAX_HOPS):
        host = _host(url)
        if host in SPOTIFY_HOSTS or host in DEEZER_HOSTS:
            return _parse_url(url)
        target = url
        if origins and host in origins:
            target = URL(origins[host]).join(URL(url.path_qs))
        try:
            location, page = await http.follow_once(str(target), max_bytes=MAX_PAGE_BYTES)
        except HttpError as exc:
            raise BadLink(
                f"That short link does not work (HTTP {exc.status}); paste the full link."
            ) from None
        if location is None:
            found = PAGE_LINK.search(page)
            if found is None:
                raise BadLink("That short link does not lead to a playlist.")
            return parse_link(found.group(0))
        step = _redirect(url, location)
        if isinstance(step, PlaylistRef):
            return step
        url = step
    raise BadLink(f"That short link redirects more than {MAX_HOPS} times; paste the full link.")


#: Link-like words of a message: URLs and playlist URIs (for "Cluster this playlist").
_CANDIDATE = re.compile(r"https?://[^\s<>|]+|(?:spotify|deezer):playlist:[0-9A-Za-z]+", re.I)


def first_playlist_link(text: str) -> str | None:
    """The first playlist link (or short link) in a message's text, or None.

    Words that are links to something else (a track, a profile, another site) are
    skipped; trailing punctuation of the sentence is not part of the link.
    """
    for match in _CANDIDATE.finditer(text[:10_000]):
        candidate = match.group(0).rstrip(".,;:!?)]}'\"*_~")
        if short_link(candidate) is not None:
            return candidate
        try:
            parse_link(candidate)
        except BadLink:
            continue
        return candidate
    return None
