"""Compact, versioned byte encodings of playlists and analyses for the cache (pure).

The public JSON document (:mod:`bot.render.document`) repeats every field name for
every track and takes ~200 ms to turn back into an :class:`Analysis` at 10,000
tracks. The cache needs the same content back in a few milliseconds, so it stores:

- tracks once, in playlist order, as rows of values under one list of field names
  (every :class:`Track` field, the preview URL included, so a cached playlist can
  still be enriched);
- clusters as track positions (in display order), labels and points as plain lists;
- all of it as JSON (orjson) compressed with zlib.

The field names travel with the rows: rows written by an older :class:`Track` are
read by name, with defaults for fields it did not have. ``FORMAT`` is bumped when
the layout itself changes; a blob of an unknown format is treated as absent.
"""

from __future__ import annotations

import dataclasses
import gc
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import orjson

from bot.model import (
    Analysis,
    AnalysisOptions,
    Cluster,
    FeatureInfo,
    Playlist,
    PlaylistRef,
    Track,
)

FORMAT = 1
TRACK_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Track))
_TUPLE_FIELDS = ("artists", "genres")
_TUPLE_INDEXES = tuple(TRACK_FIELDS.index(name) for name in _TUPLE_FIELDS)
_ZLIB_LEVEL = 6


class UnknownFormat(ValueError):
    """A blob written in a layout this version cannot read."""


def _default(value: Any) -> Any:
    """orjson fallback for numpy scalars and arrays that slip into tracks or options."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"cannot store a {type(value).__name__} in the cache")


def _pack(data: dict[str, Any]) -> bytes:
    raw = orjson.dumps(data, default=_default, option=orjson.OPT_SERIALIZE_NUMPY)
    return zlib.compress(raw, _ZLIB_LEVEL)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while building many small objects that form no cycles.

    Decoding 10,000 tracks allocates ~200,000 objects; with the collector running,
    its full passes over the rest of the heap cost several times the decoding itself.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _unpack(blob: bytes) -> dict[str, Any]:
    data = orjson.loads(zlib.decompress(blob))
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else None
        raise UnknownFormat(f"cache blob format {found!r}, expected {FORMAT}")
    return data


def encode_tracks(tracks: Sequence[Track]) -> list[list[Any]]:
    """Rows of field values in :data:`TRACK_FIELDS` order."""
    return [[getattr(track, name) for name in TRACK_FIELDS] for track in tracks]


def decode_tracks(fields: Sequence[str], rows: list[list[Any]]) -> list[Track]:
    """Tracks back from :func:`encode_tracks` rows written under ``fields``."""
    if tuple(fields) == TRACK_FIELDS:
        first, second = _TUPLE_INDEXES
        tracks = []
        for row in rows:
            row[first] = tuple(row[first] or ())
            row[second] = tuple(row[second] or ())
            tracks.append(Track(*row))
        return tracks
    known = set(TRACK_FIELDS)
    tracks = []
    for row in rows:
        data = {name: value for name, value in zip(fields, row, strict=True) if name in known}
        for name in _TUPLE_FIELDS:
            if name in data:
                data[name] = tuple(data[name] or ())
        tracks.append(Track(**data))
    return tracks


def _playlist_header(playlist: Playlist) -> dict[str, Any]:
    return {
        "source": playlist.ref.source,
        "id": playlist.ref.id,
        "name": playlist.name,
        "snapshot": playlist.snapshot,
        "owner": playlist.owner,
        "image": playlist.image,
        "url": playlist.url,
        "skipped": dict(playlist.skipped),
    }


def _playlist_from(header: dict[str, Any], tracks: list[Track]) -> Playlist:
    return Playlist(
        ref=PlaylistRef(header["source"], header["id"]),
        name=header["name"],
        tracks=tracks,
        snapshot=header["snapshot"],
        owner=header.get("owner", ""),
        image=header.get("image", ""),
        url=header.get("url", ""),
        skipped=dict(header.get("skipped", {})),
    )


def encode_playlist(playlist: Playlist) -> bytes:
    """A playlist with all its tracks as one compressed blob."""
    return _pack(
        {
            "format": FORMAT,
            "playlist": _playlist_header(playlist),
            "fields": TRACK_FIELDS,
            "tracks": encode_tracks(playlist.tracks),
        }
    )


def decode_playlist(blob: bytes) -> Playlist:
    """Inverse of :func:`encode_playlist`; raises :class:`UnknownFormat` for foreign blobs."""
    with _gc_paused():
        data = _unpack(blob)
        return _playlist_from(data["playlist"], decode_tracks(data["fields"], data["tracks"]))


def encode_analysis(analysis: Analysis) -> bytes:
    """Everything of an analysis but the PNG (stored beside it) as one compressed blob."""
    playlist = analysis.playlist
    by_identity = {id(track): i for i, track in enumerate(playlist.tracks)}
    by_id = {track.id: i for i, track in enumerate(playlist.tracks)}

    def position(track: Track) -> int:
        found = by_identity.get(id(track))
        return found if found is not None else by_id[track.id]

    return _pack(
        {
            "format": FORMAT,
            "playlist": _playlist_header(playlist),
            "fields": TRACK_FIELDS,
            "tracks": encode_tracks(playlist.tracks),
            "clusters": [
                {
                    "number": c.number,
                    "name": c.name,
                    "traits": list(c.traits),
                    "members": [position(t) for t in c.tracks],
                }
                for c in analysis.clusters
            ],
            "labels": [int(x) for x in analysis.labels],
            "points": np.asarray(analysis.points, dtype=float).reshape(-1, 2),
            "x_label": analysis.x_label,
            "y_label": analysis.y_label,
            "features": {
                "family": analysis.features.family,
                "columns": list(analysis.features.columns),
                "coverage": int(analysis.features.coverage),
                "providers": dict(analysis.features.providers),
                "dropped": list(analysis.features.dropped),
                "summary": analysis.features.summary,
            },
            "options": {
                "k": analysis.options.k,
                "metadata_weight": analysis.options.metadata_weight,
            },
            "silhouette": analysis.silhouette,
            "note": analysis.note,
        }
    )


def decode_analysis(blob: bytes, png: bytes = b"") -> Analysis:
    """Inverse of :func:`encode_analysis`, with ``png`` put back."""
    with _gc_paused():
        data = _unpack(blob)
        tracks = decode_tracks(data["fields"], data["tracks"])
        playlist = _playlist_from(data["playlist"], tracks)
        features = data["features"]
        options = data["options"]
        return Analysis(
            playlist=playlist,
            clusters=[
                Cluster(
                    number=c["number"],
                    name=c["name"],
                    tracks=[tracks[i] for i in c["members"]],
                    traits=list(c["traits"]),
                )
                for c in data["clusters"]
            ],
            labels=data["labels"],
            points=np.array(data["points"], dtype=float).reshape(-1, 2),
            x_label=data["x_label"],
            y_label=data["y_label"],
            features=FeatureInfo(
                family=features["family"],
                columns=features["columns"],
                coverage=features["coverage"],
                providers=features["providers"],
                dropped=features["dropped"],
                summary=features["summary"],
            ),
            options=AnalysisOptions(k=options["k"], metadata_weight=options["metadata_weight"]),
            silhouette=data["silhouette"],
            note=data["note"],
            png=png,
        )
