"""Playlist CSV files: Exportify exports (old and new header styles) and plain CSVs.

Headers are matched without regard to case, spacing or punctuation, so
``Track Name``, ``track_name`` and ``TRACK-NAME`` are the same column. Rows that
cannot be used are skipped and counted by reason; the file as a whole is refused
with a specific message when it is too big, not text, or lacks a title or artist
column.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

from bot.errors import CsvError, InputTooLarge
from bot.model import PROVIDER_AUDIO_FEATURES, Playlist, PlaylistRef, Track
from bot.text import describe_skips

SPOTIFY_TRACK_URI = re.compile(r"^spotify:track:([0-9A-Za-z]{22})$")
SPOTIFY_TRACK_URL = re.compile(r"open\.spotify\.com/(?:intl-[a-z-]+/)?track/([0-9A-Za-z]{22})")
YEAR = re.compile(r"(\d{4})")


def _norm(header: str) -> str:
    """Fold a header to letters and digits only, lower-cased (any script)."""
    return "".join(ch for ch in header.casefold() if ch.isalnum())


#: Logical field -> accepted header spellings (folded with :func:`_norm`).
ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("trackname", "title", "name", "track", "song", "songname", "tracktitle", "songtitle"),
    "artists": ("artistnames", "artistname", "artists", "artist", "performer", "performers"),
    "album": ("albumname", "album", "albumtitle"),
    "uri": ("trackuri", "uri", "spotifyuri", "trackid", "spotifyid", "id"),
    "url": ("url", "link", "trackurl", "spotifyurl", "tracklink"),
    "label": ("label", "recordlabel"),
    "release": ("albumreleasedate", "releasedate", "releaseyear", "year", "date"),
    "duration": ("trackdurationms", "durationms", "duration", "length"),
    "explicit": ("explicit",),
    "popularity": ("popularity",),
    "isrc": ("isrc",),
    "genres": ("genres", "genre", "artistgenres", "albumgenres"),
    "image": ("albumimageurl", "imageurl", "image", "art", "cover", "artwork"),
    "preview": ("trackpreviewurl", "previewurl", "preview"),
    "liked": ("liked", "💚", "likedsongs", "inlikedsongs", "saved", "loved"),
}
for _feature in PROVIDER_AUDIO_FEATURES:
    ALIASES[_feature] = (_feature,)

TRUE_WORDS = frozenset({"true", "yes", "y", "1", "x", "💚", "explicit"})


class _Columns:
    """Which column index serves each logical field (several for genres)."""

    def __init__(self, header: list[str]) -> None:
        folded = [_norm(h) for h in header]
        self.index: dict[str, int] = {}
        self.genre_indexes: list[int] = []
        for field, spellings in ALIASES.items():
            for spelling in spellings:
                if spelling in folded:
                    self.index[field] = folded.index(spelling)
                    break
        for i, name in enumerate(folded):
            if name in ALIASES["genres"]:
                self.genre_indexes.append(i)

    def get(self, row: list[str], field: str) -> str:
        i = self.index.get(field)
        if i is None or i >= len(row):
            return ""
        return row[i].strip()


def content_snapshot(data: bytes) -> str:
    """The snapshot of a CSV playlist: a digest of the file's bytes (same file, same value)."""
    return hashlib.sha256(data).hexdigest()[:32]


def decode_text(data: bytes) -> str:
    """Bytes of an uploaded file as text: UTF-8 (BOM or not) or UTF-16 with a BOM."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise CsvError(
                "The file starts like UTF-16 text but does not decode as UTF-16."
            ) from exc
    if b"\x00" in data[:4096]:
        raise CsvError("The file is binary, not a CSV text file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvError(
            f"The file is not UTF-8 text (bad byte at position {exc.start}); "
            "export or save it as UTF-8 CSV."
        ) from exc


def _delimiter(first_line: str) -> str:
    """The most frequent of `,` `;` and tab in the header line (`,` on a tie)."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def split_list(value: str) -> tuple[str, ...]:
    """Split a list cell on `;` when present, else on `,`; blanks and repeats dropped."""
    if not value:
        return ()
    parts = value.split(";") if ";" in value else value.split(",")
    seen: dict[str, str] = {}
    for part in parts:
        item = part.strip()
        if item and item.casefold() not in seen:
            seen[item.casefold()] = item
    return tuple(seen.values())


def _float(value: str) -> float | None:
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
    return number if number == number and abs(number) != float("inf") else None


def _bool(value: str) -> bool | None:
    if not value:
        return None
    return value.strip().casefold() in TRUE_WORDS


def _spotify_id(uri: str, url: str) -> str | None:
    match = SPOTIFY_TRACK_URI.match(uri)
    if match:
        return match.group(1)
    match = SPOTIFY_TRACK_URL.search(url) or SPOTIFY_TRACK_URL.search(uri)
    return match.group(1) if match else None


def _safe_url(value: str) -> str:
    return value if value.startswith(("https://", "http://")) else ""


def _track_from_row(row: list[str], cols: _Columns) -> Track | str:
    """A Track, or the reason the row is skipped."""
    uri = cols.get(row, "uri")
    if uri.startswith("spotify:local:"):
        return "local file"
    if uri.startswith("spotify:episode:"):
        return "podcast episode"
    title = cols.get(row, "title")
    if not title:
        return "row without a title"
    artists = split_list(cols.get(row, "artists"))
    url = _safe_url(cols.get(row, "url"))
    spotify_id = _spotify_id(uri, url)
    if spotify_id and not url:
        url = f"https://open.spotify.com/track/{spotify_id}"
    if spotify_id:
        track_id = spotify_id
    elif uri:
        track_id = uri
    else:
        digest = hashlib.sha1("\x1f".join((title, *artists)).encode()).hexdigest()[:16]
        track_id = f"csv:{digest}"
    audio = {
        name: value
        for name in PROVIDER_AUDIO_FEATURES
        if (value := _float(cols.get(row, name))) is not None
    }
    year_match = YEAR.search(cols.get(row, "release"))
    duration = _float(cols.get(row, "duration"))
    genres: list[str] = []
    for i in cols.genre_indexes:
        if i < len(row):
            genres.extend(split_list(row[i]))
    return Track(
        id=track_id,
        title=title,
        artists=artists,
        album=cols.get(row, "album"),
        label=cols.get(row, "label"),
        url=url,
        image=_safe_url(cols.get(row, "image")),
        liked=_bool(cols.get(row, "liked")),
        isrc=cols.get(row, "isrc"),
        spotify_id=spotify_id,
        release_year=int(year_match.group(1)) if year_match else None,
        duration_ms=int(duration) if duration is not None and duration >= 0 else None,
        explicit=_bool(cols.get(row, "explicit")),
        popularity=_float(cols.get(row, "popularity")),
        genres=split_list(";".join(genres)),
        preview_url=_safe_url(cols.get(row, "preview")),
        audio=audio or None,
        audio_provider="csv" if audio else None,
    )


def parse_playlist_csv(
    data: bytes,
    *,
    name: str,
    ref_id: str,
    max_rows: int = 10_000,
    max_bytes: int = 5_000_000,
) -> Playlist:
    """Read a playlist CSV from raw bytes.

    Raises :class:`CsvError` (not a CSV, no title/artist column, no usable row) or
    :class:`InputTooLarge` (over ``max_bytes`` or ``max_rows`` data rows).
    """
    if not data.strip():
        raise CsvError("The file is empty.")
    if len(data) > max_bytes:
        raise InputTooLarge(
            f"The file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:g} MB."
        )
    text = decode_text(data)
    if not text.strip():
        raise CsvError("The file is empty.")
    first_line = text.lstrip().split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text.lstrip(), newline=""), delimiter=_delimiter(first_line))
    try:
        header = next(reader)
        cols = _Columns(header)
        missing = [f for f in ("title", "artists") if f not in cols.index]
        if missing:
            wanted = {
                "title": "track-title column (such as 'Track Name' or 'Title')",
                "artists": "artist column (such as 'Artist Name(s)' or 'Artist')",
            }
            found = ", ".join(repr(h.strip()) for h in header[:12] if h.strip()) or "none"
            raise CsvError(
                "This CSV has no "
                + " and no ".join(wanted[m] for m in missing)
                + f". Columns found: {found}."
            )
        playlist = Playlist(
            ref=PlaylistRef("csv", ref_id),
            name=name,
            tracks=[],
            snapshot=content_snapshot(data),
        )
        seen_ids: set[str] = set()
        seen_names: set[tuple[str, ...]] = set()
        rows = 0
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            rows += 1
            if rows > max_rows:
                raise InputTooLarge(
                    f"The file has more than {max_rows:,} tracks; the limit is {max_rows:,}."
                )
            result = _track_from_row(row, cols)
            if isinstance(result, str):
                playlist.skip(result)
                continue
            name_key = (result.title.casefold(), *(a.casefold() for a in result.artists))
            if result.id in seen_ids or name_key in seen_names:
                playlist.skip("duplicate")
                continue
            seen_ids.add(result.id)
            seen_names.add(name_key)
            playlist.tracks.append(result)
    except csv.Error as exc:
        raise CsvError(
            f"The file is not a well-formed CSV (line {reader.line_num}): {exc}."
        ) from exc
    if not playlist.tracks:
        detail = f" ({describe_skips(playlist.skipped)})" if playlist.skipped else ""
        raise CsvError(f"The file has no usable track rows{detail}.")
    return playlist


def read_playlist_file(
    path: Path, *, name: str | None = None, max_rows: int, max_bytes: int
) -> Playlist:
    """Read a CSV playlist from disk, refusing oversized files before reading them."""
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise CsvError(f"No such file: {path}") from exc
    if path.is_dir():
        raise CsvError(f"{path} is a folder, not a CSV file.")
    if size > max_bytes:
        raise InputTooLarge(
            f"The file is {size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:g} MB."
        )
    return parse_playlist_csv(
        path.read_bytes(),
        name=name or path.stem.replace("_", " "),
        ref_id=path.name,
        max_rows=max_rows,
        max_bytes=max_bytes,
    )
