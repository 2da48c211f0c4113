"""Cell values of playlist CSVs as typed values: numbers, flags, years, durations, artists.

Pure functions; each returns None (or an empty tuple) for a value it cannot read,
so a bad cell costs that value only, never the row.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Literal

SPOTIFY_ID = re.compile(r"^[0-9A-Za-z]{22}$")
SPOTIFY_TRACK_URI = re.compile(r"^spotify:track:([0-9A-Za-z]{22})$")
SPOTIFY_TRACK_URL = re.compile(r"open\.spotify\.com/(?:intl-[a-z-]+/)?track/([0-9A-Za-z]{22})")
SPOTIFY_ARTIST = re.compile(r"(?:spotify:artist:|open\.spotify\.com/artist/)?([0-9A-Za-z]{22})")
YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
CLOCK = re.compile(r"^(?:(\d{1,3}):)?(\d{1,4}):([0-5]\d)(?:[.,]\d+)?$")
#: Earliest release year taken as real (the first commercial recordings are from the 1880s;
#: a little slack for archive reissues dated by recording).
MIN_YEAR = 1860
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "x", "💚", "explicit"})
#: A bare number under a generic "Duration" header at or below this is seconds, above it
#: milliseconds (no track is 3 hours long; no track is 3 seconds long).
MAX_SECONDS = 3 * 3600
#: Words that rarely start an artist name of their own after a comma: "Tyler, The
#: Creator", "Earth, Wind & Fire", "Crosby, Stills & Nash", "Sly & the Family Stone".
_CONTINUATIONS = ("the ", "wind ", "jr", "sr", "& ", "and ")
#: How a file without an artist-id column joined the names of one track's artists
#: (decided from the whole column by :func:`artist_join`).
ArtistJoin = Literal["semicolon", "comma", "any"]
#: A comma neither escaped (``\,``) nor followed by a space: exportify.net's join until 2025.
TIGHT_COMMA = re.compile(r"(?<!\\),(?! )")


def parse_float(value: str) -> float | None:
    """A finite number; a single decimal comma ("0,8") is read as a point."""
    if not value:
        return None
    try:
        number = (
            float(value.replace(",", "."))
            if value.count(",") == 1 and "." not in value
            else float(value)
        )
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def parse_bool(value: str) -> bool | None:
    """True for yes-words (true, yes, 1, x, 💚, explicit), False for other text, None if empty."""
    if not value:
        return None
    return value.strip().casefold() in TRUE_WORDS


def parse_year(value: str, *, latest: int | None = None) -> int | None:
    """The release year in a date cell, or None when it is missing or impossible.

    "0000", "0000-00-00", years before :data:`MIN_YEAR` or after next year are
    placeholders, not dates: taken as year 0 they would flatten the year column of the
    whole playlist.
    """
    match = YEAR.search(value)
    if not match:
        return None
    year = int(match.group(1))
    latest = latest if latest is not None else datetime.now(UTC).year + 1
    return year if MIN_YEAR <= year <= latest else None


def parse_duration(value: str, *, milliseconds: bool) -> int | None:
    """A duration in milliseconds from "m:ss", "h:mm:ss" or a number.

    A bare number is milliseconds when the header says so (``milliseconds``), else
    seconds up to :data:`MAX_SECONDS` and milliseconds above. Zero (what exports write
    for unavailable tracks) and negative or absurd values are unknown (None).
    """
    clock = CLOCK.match(value)
    if clock:
        hours, minutes, seconds = (int(part or 0) for part in clock.groups())
        total = ((hours * 60 + minutes) * 60 + seconds) * 1000
        return total or None
    number = parse_float(value)
    if number is None or number <= 0 or number > 1e12:
        return None
    if not milliseconds and number <= MAX_SECONDS:
        number *= 1000
    return int(number)


def spotify_track_id(uri: str, url: str) -> str | None:
    """The Spotify track id in a URI, a bare 22-character id, or an open.spotify.com link."""
    match = SPOTIFY_TRACK_URI.match(uri)
    if match:
        return match.group(1)
    if SPOTIFY_ID.match(uri):
        return uri
    match = SPOTIFY_TRACK_URL.search(url) or SPOTIFY_TRACK_URL.search(uri)
    return match.group(1) if match else None


def artist_ids(value: str) -> tuple[str, ...]:
    """The Spotify artist ids in an "Artist URI(s)" / "Artist IDs" cell, in order."""
    return tuple(SPOTIFY_ARTIST.findall(value))


def _dedupe(names: list[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for name in names:
        item = name.strip()
        if item and item.casefold() not in seen:
            seen[item.casefold()] = item
    return tuple(seen.values())


def split_list(value: str) -> tuple[str, ...]:
    """Split a list cell on `;` when present, else on `,`; blanks and repeats dropped."""
    if not value:
        return ()
    return _dedupe(value.split(";") if ";" in value else value.split(","))


def _split_unescaped(value: str, separator: str) -> list[str]:
    r"""Split on ``separator`` except where Exportify escaped a comma as ``\,``."""
    parts = re.split(r"(?<!\\)" + re.escape(separator), value)
    return [part.replace("\\,", ",") for part in parts]


def _merge_to(parts: list[str], count: int) -> list[str]:
    """Join adjacent parts until ``count`` remain, first where a part looks like the rest of
    a name ("The Creator", "Wind & Fire"), else where the left part is a single word."""
    parts = [p.strip() for p in parts]
    while len(parts) > max(count, 1):

        def score(i: int) -> tuple[int, int]:
            right = parts[i + 1].casefold()
            cont = right.startswith(_CONTINUATIONS) or parts[i + 1][:1].islower()
            return (2 * cont + (" " not in parts[i]), -i)

        best = max(range(len(parts) - 1), key=score)
        parts[best : best + 2] = [f"{parts[best]}, {parts[best + 1]}"]
    return parts


def artist_join(cells: Iterable[str], *, exportify_net: bool = False) -> ArtistJoin:
    """How a file's artist cells join several artists, read from all of them at once.

    One cell cannot tell "Earth, Wind & Fire" (one band) from "Earth" and "Wind & Fire"
    (two artists); the file can, since an exporter joins every row the same way:

    - a ``;`` in any cell: names are joined with ";" (exportify.net since July 2025),
      and a comma, with or without a space, is part of a name ("THRIVE(cv. A,B)");
    - else a comma directly followed by a non-space in any cell ("Channel Tres,Tyler,
      The Creator"): names are joined with "," (exportify.net until July 2025), and a
      comma followed by a space belongs to a name;
    - else, for exportify.net's layout (``exportify_net``: "Artist Name(s)" without an
      artist-id column, whose exports never joined with ", "): "comma" as well;
    - else "any": a cell is split on ";" when it has one, else on every comma.
    """
    tight = False
    for cell in cells:
        if ";" in cell:
            return "semicolon"
        tight = tight or TIGHT_COMMA.search(cell) is not None
    return "comma" if tight or exportify_net else "any"


def split_artists(
    names: str, ids: tuple[str, ...] = (), join: ArtistJoin = "any"
) -> tuple[str, ...]:
    r"""Artist names of a cell, using the artist id column (when there is one) to count them.

    watsonbox's Exportify joins names with ", " and escapes commas inside a name as
    ``\,``; exportify.net joins with "," (until July 2025) or ";"; other exporters join
    with ";" or ",". With ids, "Earth, Wind & Fire" next to one id is one artist, and a
    list is split so that it has as many names as there are ids. Without ids, ``join``
    (the file's way, :func:`artist_join`) decides.
    """
    if not names:
        return ()
    if len(ids) == 1:
        return _dedupe([names.replace("\\,", ",")])
    if not ids and join == "semicolon":
        return _dedupe(names.split(";"))
    if not ids and join == "comma":
        return _dedupe([p.replace("\\,", ",") for p in TIGHT_COMMA.split(names)])
    if ";" in names:
        return _dedupe(_split_unescaped(names, ";"))
    tight = _split_unescaped(names, ",")
    if not ids or len(tight) <= len(ids):
        return _dedupe(tight)
    # Joined with "," while a name has ", " inside ("Tyler, The Creator,Kali Uchis"),
    # or joined with ", " while a name has "," inside.
    unspaced = re.split(r"(?<!\\),(?! )", names)
    if len(unspaced) == len(ids):
        return _dedupe([p.replace("\\,", ",") for p in unspaced])
    spaced = _split_unescaped(names, ", ")
    if len(spaced) == len(ids):
        return _dedupe(spaced)
    return _dedupe(_merge_to(tight, len(ids)))
