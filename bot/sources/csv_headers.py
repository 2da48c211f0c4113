"""Which CSV column holds what: header spellings in English and in every Exportify language.

Headers are compared folded (:func:`fold`: lower-cased, letters and digits only, any
script), so ``Track Name``, ``track_name`` and ``TRACK-NAME`` are one column, and
``Künstlername(n)`` or ``トラック名`` are found as well. The localized names are
Exportify's own (``exportify_headers.json``, taken from its translation files; see
that file for the source commit and licence), so an export made in any of its
languages reads like an English one.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from bot.model import PROVIDER_AUDIO_FEATURES


def fold(header: str) -> str:
    """Fold a header to letters and digits only, lower-cased (any script)."""
    return "".join(ch for ch in header.casefold() if ch.isalnum())


#: Logical field -> accepted header spellings (folded with :func:`fold`), in order of
#: preference. "duration" holds milliseconds, "duration_any" seconds or m:ss (or
#: milliseconds when the number is too large to be seconds).
BASE_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("trackname", "title", "name", "track", "song", "songname", "tracktitle", "songtitle"),
    "artists": ("artistnames", "artistname", "artists", "artist", "performer", "performers"),
    "artist_ids": ("artisturis", "artistids", "artisturi", "artistid", "spotifyartistids"),
    "album": ("albumname", "album", "albumtitle"),
    "uri": ("trackuri", "spotifyuri", "trackid", "spotifyid", "uri", "id"),
    "url": ("url", "link", "trackurl", "spotifyurl", "tracklink"),
    "label": ("label", "recordlabel"),
    "release": ("albumreleasedate", "releasedate", "releaseyear", "year", "date"),
    "duration": ("trackdurationms", "durationms", "lengthms", "timems"),
    "duration_any": ("duration", "length", "time", "tracklength", "durations", "lengths"),
    "explicit": ("explicit",),
    "popularity": ("popularity",),
    "isrc": ("isrc",),
    "genres": ("genres", "genre", "artistgenres", "albumgenres"),
    "image": ("albumimageurl", "imageurl", "image", "art", "cover", "artwork"),
    "preview": ("trackpreviewurl", "previewurl", "preview"),
    "liked": ("liked", "💚", "likedsongs", "inlikedsongs", "saved", "loved"),
    # our own export: "none" when no provider could describe the track
    "sound": ("soundfeatures",),
    "tempo": ("tempo", "bpm", "tempobpm", "beatsperminute", "trackbpm", "songbpm"),
}
for _feature in PROVIDER_AUDIO_FEATURES:
    BASE_ALIASES.setdefault(_feature, (_feature,))

#: Exportify translation key -> our field (keys not listed are columns we do not read).
EXPORTIFY_FIELDS: dict[str, str] = {
    "track_uri": "uri",
    "track_name": "title",
    "artist_uris": "artist_ids",
    "artist_names": "artists",
    "album_name": "album",
    "album_release_date": "release",
    "album_image_url": "image",
    "track_duration": "duration",
    "track_preview_url": "preview",
    "explicit": "explicit",
    "popularity": "popularity",
    "isrc": "isrc",
    "album_genres": "genres",
    "artist_genres": "genres",
    "label": "label",
    **{name: name for name in PROVIDER_AUDIO_FEATURES},
}


@cache
def exportify_headers() -> dict[str, dict[str, str]]:
    """Exportify's header names per language: language -> translation key -> header."""
    text = resources.files("bot.sources").joinpath("exportify_headers.json").read_text("utf-8")
    languages: dict[str, dict[str, str]] = json.loads(text)["languages"]
    return languages


@cache
def aliases() -> dict[str, tuple[str, ...]]:
    """Every accepted folded spelling per field: ours first, then Exportify's localized ones."""
    merged = {field: list(spellings) for field, spellings in BASE_ALIASES.items()}
    for headers in exportify_headers().values():
        for key, header in headers.items():
            field = EXPORTIFY_FIELDS.get(key)
            folded = fold(header)
            if field is not None and folded and folded not in merged[field]:
                merged[field].append(folded)
    return {field: tuple(spellings) for field, spellings in merged.items()}


class Columns:
    """Which column index serves each logical field (several for genres)."""

    def __init__(self, header: list[str]) -> None:
        folded = [fold(h) for h in header]
        self.folded = folded
        self.index: dict[str, int] = {}
        self.genre_indexes: list[int] = []
        taken: set[int] = set()
        for field, spellings in aliases().items():
            for spelling in spellings:
                if spelling in folded and folded.index(spelling) not in taken:
                    self.index[field] = folded.index(spelling)
                    taken.add(self.index[field])
                    break
        genre_spellings = set(aliases()["genres"])
        self.genre_indexes = [i for i, name in enumerate(folded) if name in genre_spellings]

    def get(self, row: list[str], field: str) -> str:
        """The stripped cell of ``field`` in ``row`` ('' when absent or the row is short)."""
        i = self.index.get(field)
        if i is None or i >= len(row):
            return ""
        return row[i].strip()

    def header_of(self, field: str) -> str:
        """The folded header of ``field``'s column ('' when there is none)."""
        i = self.index.get(field)
        return "" if i is None else self.folded[i]

    def missing(self, *fields: str) -> list[str]:
        """Which of ``fields`` have no column."""
        return [f for f in fields if f not in self.index]
