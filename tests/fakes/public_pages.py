"""Loopback fakes of the public pages read without credentials, made from real pages.

``FakeSpotifyPage`` serves ``/embed/playlist/{id}`` like ``open.spotify.com/embed``.
Every page it sends is a real saved embed page (``tests/data/public``, see the README
there): either byte for byte, or the same page with the ``__NEXT_DATA__`` track list
replaced by entries copied from the real ones (:func:`embed_page`), so the HTML around
the JSON, its size and its shape are Spotify's. Pages over ``chunk_size`` go out in
pieces with pauses, like every fake (:class:`~tests.fakes.base.FakeServer`).

Pages with faults are set by tests: :data:`OLD_BUILD_PAGE` (a real embed page of an
older build, without ``__NEXT_DATA__``) and ``embed_page(..., rename=...)`` (the track
list under another key, as if Spotify changed the shape); the shared faults (429 with
``Retry-After``, 5xx, slow, truncated) apply as everywhere.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.fakes.base import FakeServer

PUBLIC = Path(__file__).resolve().parents[1] / "data" / "public"
REAL_PAGE = "spotify_embed_playlist_spotiseek.html"
REAL_NEXT_DATA = "spotify_embed_playlist_next_data_spotifyscraper.json"
OLD_BUILD_PAGE = "spotify_embed_track_old_build_microlink.html"
_NEXT_DATA = re.compile(
    r'(<script id="__NEXT_DATA__" type="application/json">)(.*?)(</script>)', re.S
)


def public_bytes(name: str) -> bytes:
    return (PUBLIC / name).read_bytes()


def _next_data(html: str) -> dict[str, Any]:
    found = _NEXT_DATA.search(html)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(2))
    return data


def real_entries() -> list[dict[str, Any]]:
    """The distinct track entries of both real embed pages (57), in page order."""
    page = _next_data(public_bytes(REAL_PAGE).decode())
    other = json.loads(public_bytes(REAL_NEXT_DATA))
    seen: dict[str, dict[str, Any]] = {}
    for data in (page, other):
        for entry in data["props"]["pageProps"]["state"]["data"]["entity"]["trackList"]:
            seen.setdefault(entry["uri"], entry)
    return list(seen.values())


def entry_like(
    template: dict[str, Any], sid: str, title: str, artists: str, duration_ms: int
) -> dict[str, Any]:
    """A copy of a real entry with another track id, title, artists and duration."""
    entry = copy.deepcopy(template)
    entry.update(
        uri=f"spotify:track:{sid}",
        uid=sid[:22],
        title=title,
        subtitle=artists,
        duration=duration_ms,
    )
    return entry


def embed_page(
    entries: list[dict[str, Any]], *, pid: str, name: str, rename: str | None = None
) -> bytes:
    """The real embed page with ``entries`` as its track list (and ``name``, ``pid``);
    ``rename`` renames the ``trackList`` key (a page whose shape changed)."""
    html = public_bytes(REAL_PAGE).decode()
    data = _next_data(html)
    entity = data["props"]["pageProps"]["state"]["data"]["entity"]
    entity.update(name=name, title=name, id=pid, uri=f"spotify:playlist:{pid}", trackList=entries)
    if rename:
        entity[rename] = entity.pop("trackList")
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return _NEXT_DATA.sub(lambda m: m.group(1) + text + m.group(3), html, count=1).encode()


@dataclass
class FakeSpotifyPage(FakeServer):
    """``open.spotify.com/embed`` on 127.0.0.1: playlist id -> page bytes."""

    pages: dict[str, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        FakeServer.__init__(self)

    @property
    def embed_base(self) -> str:
        return f"{self.url}/embed"

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/embed/playlist/{id}", self.playlist, name="embed")

    async def playlist(self, request: web.Request) -> web.Response:
        body = self.pages.get(request.match_info["id"])
        if body is None:
            return web.Response(
                text="<html><body>Not found</body></html>", status=404, content_type="text/html"
            )
        return web.Response(body=body, content_type="text/html", charset="utf-8")
