"""Compact, versioned byte encodings of playlists and analyses for the cache (pure).

The public JSON document (:mod:`bot.render.document`) repeats every field name for
every track and takes ~200 ms to turn back into an :class:`Analysis` at 10,000
tracks. The cache needs the same content back in a few milliseconds, so it stores:

- tracks once, in playlist order, as one list of values per field, by field name
  (every :class:`Track` field, the preview URL included, so a cached playlist can
  still be enriched);
- the per-track feature dicts (``audio``, ``preview_features``) as columns: the
  key names once, then one float64 matrix (NaN = key absent) and a presence mask;
- clusters as track positions (in display order), labels as a list, points as
  float64 bytes;
- all of it as a JSON header (orjson) plus the binary sections, compressed with
  zstd (about five times faster to decompress than zlib at the same size).

Fields are stored by name: tracks written by an older :class:`Track` are read with
defaults for the fields it did not have. ``FORMAT`` is bumped when
the layout itself changes; a blob of an unknown format is treated as absent.

numpy is imported inside the functions that use it: `playlist-clusters cache stats`
imports this module and should not pay ~0.1 s for numpy.
"""

from __future__ import annotations

import dataclasses
import gc
import struct
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import orjson
import zstandard

from bot.model import (
    Analysis,
    AnalysisOptions,
    Cluster,
    FeatureInfo,
    Playlist,
    PlaylistRef,
    Track,
)
from bot.text import from_os

FORMAT = 1
TRACK_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Track))
_FIELD_SPECS = {f.name: f for f in dataclasses.fields(Track)}
_TUPLE_FIELDS = ("artists", "genres")
#: Track fields holding {feature name: number}; stored as columns of float64.
_FEATURE_FIELDS = ("audio", "preview_features")
_ZSTD_LEVEL = 3
_HEADER_LENGTH = struct.Struct("<I")


class UnknownFormat(ValueError):
    """A blob written in a layout this version cannot read."""


def _default(value: Any) -> Any:
    """orjson fallback for numpy scalars and arrays that slip into tracks or options."""
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"cannot store a {type(value).__name__} in the cache")


_INT64 = (-(2**63), 2**63 - 1)


def _storable(value: Any) -> Any:
    """``value`` with what JSON (orjson) cannot hold made storable, recursively.

    Integers beyond 64 bits (a duration of 1e20 ms in a CSV) become floats; strings
    with lone surrogates (``"\\ud800"`` in a provider's JSON) get U+FFFD instead.
    Only called when a first attempt failed, so ordinary data pays nothing.
    """
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    if isinstance(value, str):
        return from_os(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value if _INT64[0] <= value <= _INT64[1] else float(value)
    return value


def _dumps(header: dict[str, Any]) -> bytes:
    option = orjson.OPT_SERIALIZE_NUMPY
    try:
        return orjson.dumps(header, default=_default, option=option)
    except (orjson.JSONEncodeError, TypeError):
        return orjson.dumps(_storable(header), default=_default, option=option)


def _pack(header: dict[str, Any], sections: dict[str, bytes]) -> bytes:
    """One zstd frame: header length, JSON header (with section offsets), binary sections."""
    offsets, position = {}, 0
    for name, data in sections.items():
        offsets[name] = [position, len(data)]
        position += len(data)
    header = {**header, "format": FORMAT, "sections": offsets}
    raw = _dumps(header)
    body = b"".join([_HEADER_LENGTH.pack(len(raw)), raw, *sections.values()])
    return zstandard.ZstdCompressor(level=_ZSTD_LEVEL).compress(body)


class _Unpacked:
    """A decoded blob: the JSON header and its binary sections by name."""

    def __init__(self, blob: bytes) -> None:
        try:
            body = zstandard.ZstdDecompressor().decompress(blob)
            (length,) = _HEADER_LENGTH.unpack_from(body)
            start = _HEADER_LENGTH.size
            header = orjson.loads(body[start : start + length])
        except (zstandard.ZstdError, struct.error, orjson.JSONDecodeError) as exc:
            raise UnknownFormat(f"not a cache blob: {exc}") from exc
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            found = header.get("format") if isinstance(header, dict) else None
            raise UnknownFormat(f"cache blob format {found!r}, expected {FORMAT}")
        self.header: dict[str, Any] = header
        self._body = memoryview(body)[start + length :]

    def section(self, name: str) -> memoryview:
        offset, length = self.header["sections"][name]
        return self._body[offset : offset + length]


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


def _numeric(values: dict[str, Any]) -> bool:
    import numpy as np

    return all(
        isinstance(v, int | float | np.number) and not isinstance(v, bool) for v in values.values()
    )


def encode_tracks(tracks: Sequence[Track]) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The tracks as a header part (one list of values per field) and binary sections.

    A feature field whose dicts are all numeric is stored as a float64 block in the
    sections (its key names in the header) instead of a list of dicts.
    """
    import numpy as np

    columns: dict[str, list[Any]] = {
        name: [getattr(track, name) for track in tracks] for name in TRACK_FIELDS
    }
    feature_keys: dict[str, list[str]] = {}
    sections: dict[str, bytes] = {}
    for name in _FEATURE_FIELDS:
        dicts = columns[name]
        if not all(d is None or (isinstance(d, dict) and _numeric(d)) for d in dicts):
            continue  # odd values: keep them as they are
        del columns[name]
        if all(d is None for d in dicts):
            continue  # absent from every track: nothing to store
        keys = list(dict.fromkeys(key for d in dicts if d for key in d))
        matrix = np.full((len(dicts), len(keys)), np.nan)
        position = {key: i for i, key in enumerate(keys)}
        for r, d in enumerate(dicts):
            if d:
                for key, value in d.items():
                    matrix[r, position[key]] = value
        feature_keys[name] = keys
        sections[f"{name}.present"] = bytes(d is not None for d in dicts)
        sections[f"{name}.values"] = matrix.astype("<f8").tobytes()
    return {"count": len(tracks), "columns": columns, "features": feature_keys}, sections


def _feature_column(unpacked: _Unpacked, name: str, keys: list[str]) -> list[Any]:
    """The per-track dicts of feature field ``name`` back from their float64 block."""
    import numpy as np

    present = np.frombuffer(unpacked.section(f"{name}.present"), dtype=np.uint8).tolist()
    matrix = np.frombuffer(unpacked.section(f"{name}.values"), dtype="<f8")
    matrix = matrix.reshape(len(present), len(keys))
    gaps = np.isnan(matrix).any(axis=1).tolist()
    values = matrix.tolist()
    return [
        None
        if not here
        else (
            {k: v for k, v in zip(keys, row, strict=True) if v == v}
            if gap
            else dict(zip(keys, row, strict=True))
        )
        for here, gap, row in zip(present, gaps, values, strict=True)
    ]


def _default_column(name: str, count: int) -> list[Any]:
    """Values for a field the writer's Track did not have: the field's default."""
    spec = _FIELD_SPECS[name]
    if spec.default is not dataclasses.MISSING:
        return [spec.default] * count
    if spec.default_factory is not dataclasses.MISSING:
        return [spec.default_factory() for _ in range(count)]
    raise UnknownFormat(f"stored tracks lack the required field {name!r}")


def decode_tracks(unpacked: _Unpacked, part: dict[str, Any]) -> list[Track]:
    """Tracks back from :func:`encode_tracks`' header part and sections.

    Fields are matched by name, so tracks written by an older :class:`Track` load
    with defaults for fields it lacked, and fields since removed are ignored.
    """
    count: int = part["count"]
    stored: dict[str, list[Any]] = part["columns"]
    for name, keys in part.get("features", {}).items():
        stored[name] = _feature_column(unpacked, name, keys)
    columns = []
    for name in TRACK_FIELDS:
        column = stored.get(name)
        if column is None:
            column = _default_column(name, count)
        elif name in _TUPLE_FIELDS:
            column = [tuple(value) if value else () for value in column]
        columns.append(column)
    return [Track(*values) for values in zip(*columns, strict=True)]


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
        "notes": dict(playlist.notes),
        "listed": playlist.listed,
        "origin": playlist.origin,
        "limit_note": playlist.limit_note,
        "matched": playlist.matched,
        "match_pending": playlist.match_pending,
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
        notes=dict(header.get("notes", {})),
        listed=header.get("listed"),
        origin=header.get("origin", ""),
        limit_note=header.get("limit_note", ""),
        matched=header.get("matched"),
        match_pending=header.get("match_pending") or 0,
    )


def encode_playlist(playlist: Playlist) -> bytes:
    """A playlist with all its tracks as one compressed blob."""
    tracks, sections = encode_tracks(playlist.tracks)
    return _pack({"playlist": _playlist_header(playlist), "tracks": tracks}, sections)


def decode_playlist(blob: bytes) -> Playlist:
    """Inverse of :func:`encode_playlist`; raises :class:`UnknownFormat` for foreign blobs."""
    with _gc_paused():
        unpacked = _Unpacked(blob)
        header = unpacked.header
        return _playlist_from(header["playlist"], decode_tracks(unpacked, header["tracks"]))


def encode_analysis(analysis: Analysis) -> bytes:
    """Everything of an analysis but the PNG (stored beside it) as one compressed blob."""
    import numpy as np

    playlist = analysis.playlist
    by_identity = {id(track): i for i, track in enumerate(playlist.tracks)}
    by_id = {track.id: i for i, track in enumerate(playlist.tracks)}

    def position(track: Track) -> int:
        found = by_identity.get(id(track))
        return found if found is not None else by_id[track.id]

    tracks, sections = encode_tracks(playlist.tracks)
    sections["points"] = np.ascontiguousarray(analysis.points, dtype="<f8").reshape(-1, 2).tobytes()
    return _pack(
        {
            "playlist": _playlist_header(playlist),
            "tracks": tracks,
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
            "partial": analysis.partial,
        },
        sections,
    )


def decode_analysis(blob: bytes, png: bytes = b"") -> Analysis:
    """Inverse of :func:`encode_analysis`, with ``png`` put back."""
    import numpy as np

    with _gc_paused():
        unpacked = _Unpacked(blob)
        data = unpacked.header
        tracks = decode_tracks(unpacked, data["tracks"])
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
            points=np.frombuffer(unpacked.section("points"), dtype="<f8").reshape(-1, 2).copy(),
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
            partial=bool(data.get("partial", False)),
            png=png,
        )
