"""A cluster as files to take home: Exportify-style CSV, M3U and XSPF playlists (pure).

- CSV: Exportify's current header (Track URI, Track Name, Album Name, Artist Name(s),
  Release Date, Duration (ms), ... Tempo, Time Signature) plus Album Image URL, ISRC,
  Track URL and Liked, so the file opens again with ``/clusters file:`` (or
  ``playlist-clusters analyze``) with the same tracks, features and links.
- M3U (``.m3u8``, UTF-8): ``#EXTM3U``, ``#PLAYLIST``, one ``#EXTINF`` line and the
  track's link per track that has a link.
- XSPF: XML 1.0 in UTF-8, text escaped and characters XML cannot hold removed.

Everything is UTF-8 bytes; names keep every script and emoji byte for byte, while
line breaks and control characters are flattened where a format is line-based.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from xml.sax.saxutils import escape

from bot.model import NO_SOUND, Track

#: Exportify's header (the "new" style), then the extra columns our reader understands.
EXPORTIFY_HEADER: tuple[str, ...] = (
    "Track URI",
    "Track Name",
    "Album Name",
    "Artist Name(s)",
    "Release Date",
    "Duration (ms)",
    "Popularity",
    "Explicit",
    "Added By",
    "Added At",
    "Genres",
    "Record Label",
    "Danceability",
    "Energy",
    "Key",
    "Loudness",
    "Mode",
    "Speechiness",
    "Acousticness",
    "Instrumentalness",
    "Liveness",
    "Valence",
    "Tempo",
    "Time Signature",
)
EXTRA_HEADER: tuple[str, ...] = (
    "Album Image URL",
    "ISRC",
    "Track URL",
    "Liked",
    "Sound Features",
)
#: CSV column -> provider audio feature (Spotify's scale).
AUDIO_COLUMNS: dict[str, str] = {
    name: name.lower()
    for name in (
        "Danceability",
        "Energy",
        "Loudness",
        "Speechiness",
        "Acousticness",
        "Instrumentalness",
        "Liveness",
        "Valence",
        "Tempo",
    )
}
XSPF_NAMESPACE = "http://xspf.org/ns/0/"

# Characters XML 1.0 cannot contain at all (escaping does not help).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _one_line(text: str) -> str:
    """Text with every line break and control character turned into a space."""
    return _CONTROL.sub(" ", _LINE_BREAKS.sub(" ", text)).strip()


def _join(values: Sequence[str], separator: str | None = None) -> str:
    """Join a list cell with ``separator``; by default ',' as Exportify does, or ';' when a
    value holds a comma (our reader splits on ';' when there is one)."""
    items = [v for v in values if v]
    if separator is None:
        separator = ";" if any("," in v for v in items) else ","
    return separator.join(items)


def _artist_separator(tracks: Sequence[Track]) -> str:
    """How the file joins artists, one way for every row: ';' when any name holds a
    comma ("Tyler, The Creator"), else ',' as Exportify. The reader decides per file
    (exportify.net's two styles), so a mixed file would misread one of them."""
    return ";" if any("," in a for track in tracks for a in track.artists) else ","


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


def _uri(track: Track) -> str:
    if track.spotify_id:
        return f"spotify:track:{track.spotify_id}"
    return track.id


def _flag(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def _csv_row(track: Track, artists: str) -> list[str]:
    audio = track.audio or {}
    by_column = {
        "Track URI": _uri(track),
        "Track Name": track.title,
        "Album Name": track.album,
        "Artist Name(s)": _join(track.artists, artists),
        "Release Date": "" if track.release_year is None else str(track.release_year),
        "Duration (ms)": "" if track.duration_ms is None else str(track.duration_ms),
        "Popularity": _number(track.popularity),
        "Explicit": _flag(track.explicit),
        "Genres": _join(track.genres),
        "Record Label": track.label,
        "Album Image URL": track.image,
        "ISRC": track.isrc,
        "Track URL": track.url,
        "Liked": _flag(track.liked),
        "Sound Features": "" if track.audio or track.preview_features else NO_SOUND,
        **{column: _number(audio.get(name)) for column, name in AUDIO_COLUMNS.items()},
    }
    # A NUL byte would make the whole file read as binary: it is the one character dropped.
    return [
        by_column.get(column, "").replace("\x00", "")
        for column in (*EXPORTIFY_HEADER, *EXTRA_HEADER)
    ]


def export_csv(tracks: Sequence[Track]) -> bytes:
    """An Exportify-compatible CSV of ``tracks`` (UTF-8, no BOM, CRLF rows as Exportify)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([*EXPORTIFY_HEADER, *EXTRA_HEADER])
    artists = _artist_separator(tracks)
    for track in tracks:
        writer.writerow(_csv_row(track, artists))
    return out.getvalue().encode("utf-8")


def _display(track: Track) -> str:
    artists = ", ".join(a for a in track.artists if a)
    title = track.title or "untitled"
    return f"{artists} - {title}" if artists else title


def export_m3u(name: str, tracks: Sequence[Track]) -> bytes:
    """An extended M3U playlist (UTF-8) of the tracks that have a link, in order."""
    lines = ["#EXTM3U", f"#PLAYLIST:{_one_line(name)}"]
    for track in tracks:
        url = _one_line(track.url)
        if not url:
            continue
        seconds = -1 if track.duration_ms is None else round(track.duration_ms / 1000)
        lines.append(f"#EXTINF:{seconds},{_one_line(_display(track))}")
        lines.append(url)
    return ("\n".join(lines) + "\n").encode("utf-8")


def _xml_text(text: str) -> str:
    return escape(_XML_INVALID.sub("", text))


def _element(tag: str, text: str | None) -> str:
    if not text:
        return ""
    return f"<{tag}>{_xml_text(text)}</{tag}>"


def export_xspf(name: str, tracks: Sequence[Track]) -> bytes:
    """An XSPF playlist (XML, UTF-8) of ``tracks``, with links, titles, artists, albums."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<playlist version="1" xmlns="{XSPF_NAMESPACE}">',
        _element("title", name),
        "<trackList>",
    ]
    for track in tracks:
        fields = [
            _element("location", track.url),
            _element("identifier", _uri(track)),
            _element("title", track.title),
            _element("creator", ", ".join(a for a in track.artists if a)),
            _element("album", track.album),
            _element("image", track.image),
            _element("duration", None if track.duration_ms is None else str(track.duration_ms)),
        ]
        parts.append("<track>" + "".join(fields) + "</track>")
    parts += ["</trackList>", "</playlist>"]
    return ("\n".join(p for p in parts if p) + "\n").encode("utf-8")


def export_stem(playlist: str, number: int) -> str:
    """An ASCII file name stem: 'road-trip-cluster-2' (accents folded, the rest dropped)."""
    folded = unicodedata.normalize("NFKD", playlist).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:60].strip("-")
    return f"{slug}-cluster-{number}" if slug else f"cluster-{number}"


def export_files(playlist: str, number: int, tracks: Sequence[Track]) -> dict[str, bytes]:
    """File name -> bytes: the CSV, M3U and XSPF of one cluster."""
    stem = export_stem(playlist, number)
    title = f"{playlist} · cluster {number}"
    return {
        f"{stem}.csv": export_csv(tracks),
        f"{stem}.m3u8": export_m3u(title, tracks),
        f"{stem}.xspf": export_xspf(title, tracks),
    }
