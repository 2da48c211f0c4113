"""A fake Deezer for matching: advanced search, ISRC lookup, tracks and albums.

Entries have the shape of recorded Deezer answers: each one is a copy of a real search
result (``tests/data/public/deezer_search_artist_album_lou_doillon.json``), of the real
``/track/3135556`` answer or of the real ``/album/302127`` answer, with id, title,
artist, duration, album, ISRC and label replaced. ``labelled_catalogue`` builds, for a
listing of tracks from another service, a catalogue holding each track's true twin (the
label) among look-alikes a careless matcher would take: a live take, a cover by another
artist, a karaoke version; for some tracks the twin is missing on purpose.

Search is loose like Deezer's: ``q=artist:"A" track:"T"`` returns every entry sharing a
word of T's title (so decoys come back beside the twin), those by A and sharing most
words first.
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

DATA = Path(__file__).resolve().parents[1] / "data"
_SEARCH = json.loads((DATA / "public" / "deezer_search_artist_album_lou_doillon.json").read_bytes())
_TRACK = json.loads((DATA / "public" / "deezer_track_3135556.json").read_bytes())
_ALBUM = json.loads((DATA / "recorded" / "deezer_album_302127.json").read_bytes())
NO_DATA = {"error": {"type": "DataException", "message": "no data", "code": 800}}
_QUOTED = re.compile(r'(artist|track):"([^"]*)"')
_WORD = re.compile(r"\w+", re.UNICODE)
_VERSION_NOTE = re.compile(
    r"\s*[\(\[](?![^\)\]]*(?:live|acoustic|remix|karaoke|instrumental|demo))"
    r"[^\)\]]*(?:remaster|version|edit)[^\)\]]*[\)\]]",
    re.I,
)


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text) if len(w) > 1 or not w.isascii()}


@dataclass
class Listing:
    """A track of another service: key, title, artists, seconds, ISRC (may be '')."""

    key: str
    title: str
    artists: tuple[str, ...]
    seconds: int
    isrc: str = ""


def search_entry(
    tid: int, title: str, artist: str, seconds: int, album_id: int, album_title: str
) -> dict[str, Any]:
    """A copy of a recorded search result with these values."""
    entry = copy.deepcopy(_SEARCH["data"][0])
    md5 = f"{album_id:032x}"
    entry.update(
        id=tid,
        title=title,
        title_short=title,
        link=f"https://www.deezer.com/track/{tid}",
        duration=seconds,
        md5_image=md5,
        preview=f"https://cdnt-preview.dzcdn.net/api/1/1/{md5}/{tid}.mp3",
    )
    entry["artist"].update(id=tid // 7, name=artist)
    entry["album"].update(
        id=album_id,
        title=album_title,
        cover_medium=f"https://e-cdns-images.dzcdn.net/images/cover/{md5}/250x250-000000-80-0-0.jpg",
    )
    return entry


@dataclass
class FakeDeezerSearch(FakeServer):
    """Search, ``/track/isrc:{ISRC}``, ``/track/{id}`` and ``/album/{id}`` over a catalogue."""

    entries: dict[int, dict[str, Any]] = field(default_factory=dict)
    isrcs: dict[str, int] = field(default_factory=dict)
    albums: dict[int, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        FakeServer.__init__(self)

    @property
    def api_base(self) -> str:
        return self.url

    def add(self, entry: dict[str, Any], *, isrc: str = "", label: str = "Label ✦") -> None:
        self.entries[entry["id"]] = entry
        if isrc:
            self.isrcs[isrc] = entry["id"]
        album = entry["album"]
        if album["id"] not in self.albums:
            answer = copy.deepcopy(_ALBUM)
            answer.pop("tracks", None)
            answer.update(
                id=album["id"], title=album["title"], label=label, release_date="2019-05-17"
            )
            self.albums[album["id"]] = answer

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/search/track", self.search, name="search")
        app.router.add_get("/track/{id}", self.track, name="track")
        app.router.add_get("/album/{id}", self.album, name="album")

    async def search(self, request: web.Request) -> web.Response:
        terms = dict(_QUOTED.findall(request.query.get("q", "")))
        wanted = _words(terms.get("track", ""))
        by = _words(terms.get("artist", ""))
        limit = int(request.query.get("limit", "25"))
        found = [e for e in self.entries.values() if wanted & _words(e["title"])]
        # like a search engine: the artist's and the most title words' entries first
        found.sort(
            key=lambda e: (
                -bool(by & _words(e["artist"]["name"])),
                -len(wanted & _words(e["title"])),
                -e["rank"],
            )
        )
        return web.json_response({"data": found[:limit], "total": len(found)})

    def _full(self, entry: dict[str, Any]) -> dict[str, Any]:
        full = copy.deepcopy(_TRACK)
        for key in ("id", "title", "title_short", "link", "duration", "preview", "artist"):
            full[key] = entry[key]
        full["album"] = {**full["album"], **entry["album"]}
        full["isrc"] = next((i for i, t in self.isrcs.items() if t == entry["id"]), "")
        full["bpm"] = 100 + entry["id"] % 60
        full["gain"] = -6.5 - (entry["id"] % 7) / 2
        return full

    async def track(self, request: web.Request) -> web.Response:
        key = request.match_info["id"]
        if key.startswith("isrc:"):
            tid = self.isrcs.get(key.removeprefix("isrc:"))
        else:
            tid = int(key) if key.isdigit() else None
        entry = self.entries.get(tid) if tid is not None else None
        return web.json_response(NO_DATA if entry is None else self._full(entry))

    async def album(self, request: web.Request) -> web.Response:
        key = request.match_info["id"]
        found = self.albums.get(int(key)) if key.isdigit() else None
        return web.json_response(NO_DATA if found is None else found)


def labelled_catalogue(
    listing: list[Listing],
    *,
    missing_every: int = 20,
    fake: FakeDeezerSearch | None = None,
    first_id: int = 10_000_000,
) -> tuple[FakeDeezerSearch, dict[str, int | None]]:
    """A fake holding each listed track's twin among decoys, and the labels: listing key
    -> the twin's Deezer id (None where the twin is left out on purpose). ``fake`` adds
    to an existing catalogue (give another ``first_id`` so ids do not collide)."""
    fake = fake if fake is not None else FakeDeezerSearch()
    labels: dict[str, int | None] = {}
    for n, item in enumerate(listing):
        base = first_id + n * 10
        artist = item.artists[0] if item.artists else "Unknown"
        album = base // 10
        # the look-alikes: same words in the title, another recording
        fake.add(
            search_entry(
                base + 1,
                f"{item.title} (Live)",
                artist,
                item.seconds + 35,
                album + 1_000_000,
                "Live at Somewhere",
            )
        )
        fake.add(
            search_entry(
                base + 2,
                item.title,
                "The Cover Collective",
                item.seconds + 1,
                album + 2_000_000,
                "Covers, Vol. 3",
            )
        )
        fake.add(
            search_entry(
                base + 3,
                f"{item.title} (Karaoke Version)",
                "Karaoke Stars",
                item.seconds,
                album + 3_000_000,
                "Karaoke Hits",
            )
        )
        if missing_every and n % missing_every == missing_every - 1:
            labels[item.key] = None
            continue
        # the twin: the title without version notes as Deezer often has it (a note that
        # names another recording, "Acoustic Version", stays), the artist's accents
        # dropped on every third, a second or two apart
        title = _VERSION_NOTE.sub("", item.title) or item.title
        name = artist.replace("é", "e").replace("ö", "o") if n % 3 == 0 else artist
        twin = search_entry(base, title, name, item.seconds + (n % 3) - 1, album, f"Album «{n}»")
        twin["rank"] = 900_000
        fake.add(twin, isrc=item.isrc, label=f"Label {n} ✦")
        labels[item.key] = base
    return fake, labels
