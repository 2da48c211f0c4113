"""A fake ``music.apple.com`` on 127.0.0.1 serving playlist pages with server-rendered data.

NOT a saved page: no Apple Music playlist page from a public test suite with a usable
licence was found (``tests/data/public/README.md``). The pages are RECONSTRUCTED from
the shape that independent parsers of the real page agree on (listed in that README):
``<script type="application/json" id="serialized-server-data">`` holding
``{"data": [{"data": {"sections": [...]}}]}`` (or, as older builds did, the list
itself), a ``containerDetailHeaderLockup`` header section and a ``trackLockup``
section whose items carry ``id`` ("track-lockup - {pl} - {song}"), ``title``,
``artistName``, ``subtitleLinks``, ``tertiaryLinks`` (album), ``duration`` (ms),
``showExplicitBadge``, ``artwork.dictionary`` and ``contentDescriptor`` (kind,
``identifiers.storeAdamID``, url). The tracks themselves are real: the 100 entries of
ytmusicapi's saved "Feel-Good Classic Rock" answer (titles, artists, albums and
durations as YouTube Music lists them).

``GET /{country}/playlist/{slug}/{pl.id}`` (or without the slug) answers the page of
that playlist id; unknown ids answer 404 with an HTML page. Large pages go out in
pieces like every fake (:class:`~tests.fakes.base.FakeServer`).
"""

from __future__ import annotations

import html
import json
import locale
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from aiohttp import web

from tests.fakes.base import FakeServer
from tests.fakes.deezer_search import Listing
from tests.fakes.public_pages import public_bytes

#: Apple's "Feel-Good Classic Rock"-like playlist of the fixtures (an id of Apple's form).
PID = "pl.4b364b8b182f4115acbf6deb83bd5222"
SLUG = "feel-good-classic-rock"
FIRST_SONG_ID = 1_440_800_000
ARTWORK = (
    "https://is1-ssl.mzstatic.com/image/thumb/Music{n}/v4/{h}/{h}-{n}.rgb.jpg/{{w}}x{{h}}bb.{{f}}"
)


@cache
def real_listing() -> tuple[tuple[Listing, str], ...]:
    """The 100 tracks of ytmusicapi's saved answer (with each one's album), read offline."""
    from ytmusicapi import YTMusic

    from tests.fakes.ytmusic import FEEL_GOOD, RECORDED

    answer = json.loads(public_bytes(RECORDED[FEEL_GOOD]))

    class Offline(YTMusic):  # type: ignore[misc]
        def _send_request(self, *_: object, **__: object) -> dict[str, Any]:
            return answer

    saved = locale.setlocale(locale.LC_ALL)
    try:
        items = Offline().get_playlist(FEEL_GOOD)["tracks"]
    finally:
        locale.setlocale(locale.LC_ALL, saved)
    return tuple(
        (
            Listing(
                str(FIRST_SONG_ID + n),
                item["title"],
                tuple(a["name"] for a in item["artists"]),
                int(item.get("duration_seconds") or 0),
            ),
            (item.get("album") or {}).get("name") or item["title"],
        )
        for n, item in enumerate(items)
    )


def _artwork(n: int) -> dict[str, Any]:
    digest = f"{n * 2654435761 % 2**32:08x}"
    return {
        "dictionary": {
            "url": ARTWORK.format(n=115 + n % 10, h=digest),
            "width": 3000,
            "height": 3000,
            "bgColor": "1c1c1e",
            "textColor1": "ffffff",
            "textColor2": "e0e0e0",
        }
    }


def _link(title: str, kind: str, adam: str, country: str) -> dict[str, Any]:
    """A subtitle/tertiary link: its title and where it leads (``segue.destination``, as
    a typed interface of the real header has it; the ``$kind`` value is invented)."""
    return {
        "title": title,
        "segue": {
            "$kind": "flowAction",
            "destination": {
                "kind": kind,
                "intent": {"handle": "", "storefront": country, "$kind": f"{kind}Intent"},
                "contentDescriptor": {"identifiers": {"storeAdamID": adam}},
            },
            "actionMetrics": {"data": [], "custom": {}},
        },
    }


def track_item(
    listing: Listing,
    album: str,
    *,
    pid: str = PID,
    n: int = 0,
    country: str = "us",
    links: bool = True,
) -> dict[str, Any]:
    """One ``trackLockup`` item in the shape the parsers agree on (``links=False``: the
    artists only joined in ``artistName``, as some parsers read them)."""
    album_id = str(int(listing.key) - 7 if listing.key.isdigit() else 1)
    item = {
        "id": f"track-lockup - {pid} - {listing.key}",
        "title": listing.title,
        "trackNumber": None,
        "artistName": " & ".join(listing.artists),
        "subtitleLinks": [
            _link(name, "artist", str(900_000 + n * 3 + i), country)
            for i, name in enumerate(listing.artists)
        ],
        "tertiaryLinks": [_link(album, "album", album_id, country)],
        "duration": listing.seconds * 1000 + (n * 37) % 1000,
        "showExplicitBadge": n % 9 == 4,
        "artwork": _artwork(n),
        "contentDescriptor": {
            "kind": "song",
            "identifiers": {"storeAdamID": listing.key},
            "url": f"https://music.apple.com/{country}/album/x/{album_id}?i={listing.key}",
        },
        **({"isrc": listing.isrc} if listing.isrc else {}),
    }
    if not links:
        del item["subtitleLinks"]
    return item


def server_data(
    items: list[dict[str, Any]],
    *,
    name: str = "Feel-Good Classic Rock",
    pid: str = PID,
    count: int | None = None,
    top_list: bool = False,
    flat: bool = False,
) -> Any:
    """The serialized-server-data JSON: header and track sections (``count``: the
    header's ``trackCount``, by default the items', 0 = none; ``top_list``: the older
    build's top-level list; ``flat``: header and songs straight in ``data``)."""
    header: dict[str, Any] = {
        "id": f"playlist-detail-header - {pid}",
        "artwork": _artwork(7),
        "title": name,
        "subtitleLinks": [_link("Apple Music Rock", "curator", "976439548", "us")],
        "canEdit": False,
        "showExplicitBadge": False,
        "contentDescriptor": {"kind": "playlist", "identifiers": {"storeAdamID": pid},
                              "url": f"https://music.apple.com/us/playlist/{SLUG}/{pid}"},
        "playButton": {"id": f"play-button - {pid}", "title": "Play", "segue": {
            "$kind": "playAction",
            "items": [{"contentDescriptor": i.get("contentDescriptor")} for i in items
                      if isinstance(i, dict)],
            "containerContentDescriptor": {"kind": "playlist",
                                           "identifiers": {"storeAdamID": pid}}}},
        "trackCount": len(items) if count is None else count,
        "isPreviewMode": False,
    }  # fmt: skip
    if not header["trackCount"]:
        del header["trackCount"]
    if flat:
        return {"data": [header, *items], "userTokenHash": "x"}
    sections = [
        {"id": f"playlist-detail-header-section - {pid}", "itemKind":
         "containerDetailHeaderLockup", "presentation": {"kind": "hero"}, "items": [header]},
        {"id": f"track-list - {pid}", "itemKind": "trackLockup", "containerContentDescriptor":
         {"kind": "playlist", "identifiers": {"storeAdamID": pid}}, "items": items},
        {"id": f"more-by-curator - {pid}", "itemKind": "squareLockup", "items": []},
    ]  # fmt: skip
    entry = {"data": {"sections": sections}, "intent": {"$kind": "PlaylistPageIntent"}}
    return [entry] if top_list else {"data": [entry]}


def _schema(name: str, items: list[dict[str, Any]], num_tracks: int | None = None) -> str:
    """The page's ``schema:music-playlist`` block: names and durations, no artists (as
    observed on the real page)."""
    tracks = []
    for item in items:
        if not isinstance(item, dict):
            continue
        ms = item.get("duration")
        ms = int(ms) if isinstance(ms, int | float) and 0 <= ms < 1e12 else 0
        descriptor = item.get("contentDescriptor")
        url = descriptor.get("url") if isinstance(descriptor, dict) else None
        tracks.append({"@type": "MusicRecording", "name": item.get("title"),
                       "duration": f"PT{ms // 60000}M{ms // 1000 % 60}S", "url": url})  # fmt: skip
    block = {"@context": "http://schema.org", "@type": "MusicPlaylist", "name": name,
             "track": tracks}  # fmt: skip
    if num_tracks is not None:
        block["numTracks"] = num_tracks
    return json.dumps(block, ensure_ascii=False).replace("</", "<\\/")


def _items(data: Any) -> list[dict[str, Any]]:
    """The track items of serialized data made by :func:`server_data`."""
    try:
        if isinstance(data, dict) and "userTokenHash" in data:  # flat
            return [i for i in data["data"] if str(i.get("id", "")).startswith("track-lockup")]
        entry = data[0] if isinstance(data, list) else data["data"][0]
        return list(entry["data"]["sections"][1]["items"])
    except (KeyError, IndexError, TypeError, AttributeError):
        return []


def apple_page(
    data: Any,
    *,
    name: str = "Feel-Good Classic Rock",
    raw: str | None = None,
    num_tracks: int | None = None,
) -> bytes:
    """A whole page around ``data`` (``raw``: that text inside the script instead;
    ``num_tracks``: the schema.org block's ``numTracks``)."""
    if raw is None:  # "</" escaped as a page must (a title may hold "</script>")
        raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    text = raw
    title = html.escape(name)
    schema = _schema(name, _items(data), num_tracks)
    return (
        '<!DOCTYPE html><html dir="ltr" lang="en-US"><head><meta charset="utf-8">'
        f"<title>\u200e{title} - Playlist - Apple Music</title>"
        f'<meta property="og:title" content="{title}">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<link rel="stylesheet" href="/assets/index~8a4c2d.css">'
        '<script type="module" crossorigin src="/assets/index~1f2e3d.js"></script>'
        f'<script id=schema:music-playlist type="application/ld+json">{schema}</script>'
        f'</head><body><div id="app"><h1>{title}</h1></div>'
        f'<script type="application/json" id="serialized-server-data">{text}</script>'
        "</body></html>"
    ).encode()


def playlist_page(
    n: int = 100,
    *,
    count: int | None = None,
    top_list: bool = False,
    pid: str = PID,
    links: bool = True,
) -> bytes:
    """The page of the first ``n`` real tracks (``count``: the header's trackCount)."""
    listing = real_listing()[:n]
    items = [
        track_item(t, album, pid=pid, n=i, links=links) for i, (t, album) in enumerate(listing)
    ]
    return apple_page(server_data(items, pid=pid, count=count, top_list=top_list))


@dataclass
class FakeAppleMusic(FakeServer):
    """``music.apple.com`` on 127.0.0.1: playlist id -> page bytes."""

    pages: dict[str, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        FakeServer.__init__(self)

    @property
    def base(self) -> str:
        return self.url

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/{country}/playlist/{slug}/{id}", self.playlist, name="page")
        app.router.add_get("/{country}/playlist/{id}", self.playlist, name="page-no-slug")

    async def playlist(self, request: web.Request) -> web.Response:
        body = self.pages.get(request.match_info["id"])
        if body is None:
            return web.Response(
                text="<html><body>This page is not available.</body></html>",
                status=404,
                content_type="text/html",
            )
        return web.Response(body=body, content_type="text/html", charset="utf-8")
