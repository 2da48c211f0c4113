"""Playlist CSV files: Exportify exports (old, new and localized headers) and plain CSVs.

Which column holds what is decided by :mod:`bot.sources.csv_headers`; cell values are
read by :mod:`bot.sources.csv_values`. Rows that cannot be used are skipped and counted
by reason (the count reaches the user's summary); the file as a whole is refused with a
specific message when it is too big, not text, or lacks a title or artist column.

Rows are read strictly: a row whose quotes do not close (a stray ``"`` opening a
field) would otherwise swallow the rows after it into one field. Such a row is
dropped and counted as "row with broken quotes", and reading resumes on the next line.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator

from bot.errors import CsvError, InputTooLarge
from bot.locales import N_, Fixed
from bot.model import NO_SOUND, PROVIDER_AUDIO_FEATURES, Playlist, PlaylistRef, Track
from bot.sources.csv_headers import Columns
from bot.sources.csv_values import (
    ArtistJoin,
    artist_ids,
    artist_join,
    parse_bool,
    parse_duration,
    parse_float,
    parse_year,
    split_artists,
    split_list,
    spotify_track_id,
)
from bot.text import describe_skips

__all__ = ["content_snapshot", "decode_text", "parse_playlist_csv"]

#: A file with more rows whose quotes do not close than this is refused as a whole
#: (it bounds the re-reading such rows cost, and such a file is not a CSV export).
MAX_BROKEN_ROWS = 20
BROKEN_ROW = "row with broken quotes"
UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

EMPTY = N_("The file is empty.")
#: What the header lacks (the columns ``Columns.missing`` names, in its order).
MISSING_COLUMNS = {
    ("title",): N_(
        "This CSV has no track-title column (such as 'Track Name' or 'Title'). "
        "Columns found: {found}."
    ),
    ("artists",): N_(
        "This CSV has no artist column (such as 'Artist Name(s)' or 'Artist'). "
        "Columns found: {found}."
    ),
    ("title", "artists"): N_(
        "This CSV has no track-title column (such as 'Track Name' or 'Title') and no "
        "artist column (such as 'Artist Name(s)' or 'Artist'). Columns found: {found}."
    ),
}


def content_snapshot(data: bytes) -> str:
    """The snapshot of a CSV playlist: a digest of the file's bytes (same file, same value)."""
    return hashlib.sha256(data).hexdigest()[:32]


def _decode_bom(data: bytes) -> str | None:
    """Text of a file that starts with a UTF-32 or UTF-16 byte-order mark, else None.

    UTF-32 is tested first: its little-endian mark begins with UTF-16's.
    """
    for boms, codec in ((UTF32_BOMS, "utf-32"), (UTF16_BOMS, "utf-16")):
        if data.startswith(boms):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise CsvError(
                    N_(
                        "The file starts like {codec} text but does not decode as "
                        "{codec}; save it again as UTF-8 CSV."
                    ),
                    codec=codec.upper(),
                ) from exc
    return None


def decode_text(data: bytes) -> str:
    """Bytes of an uploaded file as text: UTF-8 (BOM or not), UTF-16 or UTF-32 with a BOM.

    A NUL character anywhere is refused: text files have none, and one would reach
    every name and page built from the file.
    """
    text = _decode_bom(data)
    if text is None:
        if b"\x00" in data[:4096]:
            raise CsvError(N_("The file is binary, not a CSV text file."))
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CsvError(
                N_(
                    "The file is not UTF-8 text (bad byte at position {position}); "
                    "export or save it as UTF-8 CSV."
                ),
                position=exc.start,
            ) from exc
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise CsvError(
            N_(
                "The file contains a NUL character (line {line}): it is damaged or binary, "
                "not a CSV text file."
            ),
            line=line,
        )
    return text


def _delimiter(first_line: str) -> str:
    """The most frequent of `,` `;` and tab in the header line (`,` on a tie)."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


class _Lines:
    """The physical lines of a text, as an iterator that can be moved back."""

    def __init__(self, text: str) -> None:
        self.lines = io.StringIO(text, newline="").readlines()
        self.pos = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.pos >= len(self.lines):
            raise StopIteration
        self.pos += 1
        return self.lines[self.pos - 1]


def _lenient(line: str, delimiter: str) -> list[str] | None:
    """One physical line read leniently, when its quotes pair up (``"Heroes" (Live),X``
    reads as ``Heroes (Live)``); None when a quote opens and never closes on it."""
    if line.count('"') % 2:
        return None
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:  # a field over csv.field_size_limit
        return None


def _records(text: str, delimiter: str) -> Iterator[list[str] | None]:
    """The CSV records of ``text``; None for a row with broken quotes (it is dropped).

    Read strictly, a quote that opens a field and does not close would swallow the
    rows after it. On such an error the row's own line is read alone: leniently when
    its quotes pair up, else the row is dropped (None); either way reading resumes on
    the next line, so one stray quote costs one row, not the rest of the file.
    """
    lines = _Lines(text)
    broken: list[int] = []
    while True:
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        start = lines.pos
        try:
            for record in reader:
                yield record
                start = lines.pos
            return
        except csv.Error:
            broken.append(start + 1)
            if len(broken) > MAX_BROKEN_ROWS:
                raise CsvError(
                    N_(
                        "The file has more than {count} rows whose quotes do not "
                        "close (the first on line {line}); it is not a well-formed CSV."
                    ),
                    count=MAX_BROKEN_ROWS,
                    line=broken[0],
                ) from None
            lines.pos = start + 1
            yield _lenient(lines.lines[start], delimiter)


def _track_id(spotify_id: str | None, uri: str, title: str, artists: tuple[str, ...]) -> str:
    if spotify_id:
        return spotify_id
    if uri:
        return uri
    digest = hashlib.sha1("\x1f".join((title, *artists)).encode()).hexdigest()[:16]
    return f"csv:{digest}"


def _safe_url(value: str) -> str:
    return value if value.startswith(("https://", "http://")) else ""


def _duration(row: list[str], cols: Columns) -> int | None:
    exact = cols.get(row, "duration")
    if exact:
        return parse_duration(exact, milliseconds=True)
    return parse_duration(cols.get(row, "duration_any"), milliseconds=False)


def _audio(row: list[str], cols: Columns) -> dict[str, float]:
    return {
        name: value
        for name in PROVIDER_AUDIO_FEATURES
        if (value := parse_float(cols.get(row, name))) is not None
    }


def _genres(row: list[str], cols: Columns) -> tuple[str, ...]:
    genres: list[str] = []
    for i in cols.genre_indexes:
        if i < len(row):
            genres.extend(split_list(row[i]))
    return split_list(";".join(genres))


def _skip_reason(uri: str, title: str) -> str | None:
    if uri.startswith("spotify:local:"):
        return "local file"
    if uri.startswith("spotify:episode:"):
        return "podcast episode"
    if not title:
        return "row without a title"
    return None


def _track_from_row(row: list[str], cols: Columns, join: ArtistJoin = "any") -> Track | str:
    """A Track, or the reason the row is skipped (``join``: how the file joins artists)."""
    uri = cols.get(row, "uri")
    title = cols.get(row, "title")
    reason = _skip_reason(uri, title)
    if reason:
        return reason
    artists = split_artists(cols.get(row, "artists"), artist_ids(cols.get(row, "artist_ids")), join)
    url = _safe_url(cols.get(row, "url"))
    spotify_id = spotify_track_id(uri, url)
    if spotify_id and not url:
        url = f"https://open.spotify.com/track/{spotify_id}"
    audio: dict[str, float] | None = _audio(row, cols)
    if not audio:
        # blank cells ask the providers; our export's "none" says they were asked in vain
        audio = {} if cols.get(row, "sound").strip().casefold() == NO_SOUND else None
    return Track(
        id=_track_id(spotify_id, uri, title, artists),
        title=title,
        artists=artists,
        album=cols.get(row, "album"),
        label=cols.get(row, "label"),
        url=url,
        image=_safe_url(cols.get(row, "image")),
        liked=parse_bool(cols.get(row, "liked")),
        isrc=cols.get(row, "isrc"),
        spotify_id=spotify_id,
        release_year=parse_year(cols.get(row, "release")),
        duration_ms=_duration(row, cols),
        explicit=parse_bool(cols.get(row, "explicit")),
        popularity=parse_float(cols.get(row, "popularity")),
        genres=_genres(row, cols),
        preview_url=_safe_url(cols.get(row, "preview")),
        audio=audio,
        audio_provider="csv" if audio else None,
    )


def _header_columns(header: list[str] | None) -> Columns:
    """The columns of ``header``, or a CsvError naming what is missing and what was found."""
    if header is None:
        raise CsvError(N_("The file's header line has quotes that do not close."))
    cols = Columns(header)
    missing = cols.missing("title", "artists")
    if missing:
        found = ", ".join(repr(h.strip()) for h in header[:12] if h.strip()) or "none"
        raise CsvError(MISSING_COLUMNS[tuple(missing)], found=found)
    return cols


def _bounded(records: Iterator[list[str] | None], max_rows: int) -> list[list[str] | None]:
    """The data rows, read ahead (the artist column is judged as a whole); reading stops
    past ``max_rows`` non-blank rows, where the collector refuses the file."""
    rows: list[list[str] | None] = []
    counted = 0
    for row in records:
        rows.append(row)
        if row is None or any(cell.strip() for cell in row):
            counted += 1
            if counted > max_rows:
                break
    return rows


def _file_join(rows: list[list[str] | None], cols: Columns) -> ArtistJoin:
    """How this file joins several artists in one cell (:func:`artist_join`)."""
    if "artist_ids" in cols.index:
        return "any"  # the ids count the artists, row by row
    exportify_net = cols.header_of("artists") == "artistnames"
    cells = (cols.get(row, "artists") for row in rows if row is not None)
    return artist_join(cells, exportify_net=exportify_net)


class _Collector:
    """Adds rows to a playlist: skips unusable ones and merges repeats, counting both."""

    def __init__(
        self, playlist: Playlist, cols: Columns, max_rows: int, join: ArtistJoin = "any"
    ) -> None:
        self.playlist = playlist
        self.cols = cols
        self.max_rows = max_rows
        self.join = join
        self.rows = 0
        self.seen_ids: set[str] = set()
        self.seen_names: set[tuple[str, ...]] = set()

    def add(self, row: list[str] | None) -> None:
        if row is not None and not any(cell.strip() for cell in row):
            return
        self.rows += 1
        if self.rows > self.max_rows:
            raise InputTooLarge(
                N_("The file has more than {limit} tracks; the limit is {limit}."),
                limit=self.max_rows,
            )
        result = BROKEN_ROW if row is None else _track_from_row(row, self.cols, self.join)
        if isinstance(result, str):
            self.playlist.skip(result)
            return
        name_key = (result.title.casefold(), *(a.casefold() for a in result.artists))
        if result.id in self.seen_ids or name_key in self.seen_names:
            self.playlist.skip("duplicate")
            return
        self.seen_ids.add(result.id)
        self.seen_names.add(name_key)
        self.playlist.tracks.append(result)


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
    :class:`InputTooLarge` (over ``max_bytes`` or ``max_rows`` data rows). Rows left
    out (local files, rows without a title, rows with broken quotes, repeats merged
    into the first) are counted in ``Playlist.skipped``.
    """
    if not data.strip():
        raise CsvError(EMPTY)
    if len(data) > max_bytes:
        limit = round(max_bytes / 1e6, 4)
        raise InputTooLarge(
            N_("The file is {size} MB; the limit is {limit} MB."),
            size=Fixed(len(data) / 1e6, 1),
            limit=int(limit) if limit.is_integer() else limit,
        )
    text = decode_text(data).lstrip()
    if not text:
        raise CsvError(EMPTY)
    records = _records(text, _delimiter(text.split("\n", 1)[0]))
    cols = _header_columns(next(records))
    playlist = Playlist(
        ref=PlaylistRef("csv", ref_id), name=name, tracks=[], snapshot=content_snapshot(data)
    )
    rows = _bounded(records, max_rows)
    collector = _Collector(playlist, cols, max_rows, _file_join(rows, cols))
    for row in rows:
        collector.add(row)
    if not playlist.tracks:
        detail = f" ({describe_skips(playlist.skipped)})" if playlist.skipped else ""
        if detail:
            raise CsvError(N_("The file has no usable track rows{detail}."), detail=detail)
        raise CsvError(N_("The file has no usable track rows."))
    return playlist
