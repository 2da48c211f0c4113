"""The cache: track features, fetched playlists and finished analyses, under a size bound.

- Features by ``(source, track id, provider)`` with the provider's version: a track's
  features never change, so every playlist and request shares them. Values are
  float64 under a list of names stored once (``feature_keys``).
- Playlists by ``(source, id)``: the last fetched snapshot with its tracks and fetch
  time (for the freshness check in :class:`bot.pipeline.runner.Pipeline`).
- Analyses by :func:`bot.model.analysis_key`: the compact document
  (:mod:`storage.codec`) and the PNG, stored once per analysis, with the variant of
  the pipeline that made it.

Size bound: the bytes of stored payloads (kept exact by triggers in ``cache_usage``).
When a write takes the cache over ``max_bytes``, least recently used analyses and
playlists go first, in the same transaction as the write; features (the costliest
to get again) go only when that is not enough, oldest first. An analysis that a
posted message still pages through, and a playlist that a schedule names, are never
evicted nor cleared, nor one a member shared on a server's taste map (its tracks
carry their features: ``cache clear`` empties ``track_features``, yet the map is answered
from the kept playlist without asking a provider again).
"""

from __future__ import annotations

import asyncio
import struct
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import orjson

from bot.model import ANALYSIS_VERSION, Analysis, Playlist, PlaylistRef
from storage.codec import (
    UnknownFormat,
    decode_analysis,
    decode_playlist,
    encode_analysis,
    encode_playlist,
)
from storage.eviction import PLAYLIST_NEEDED, evict_lru, usage_total

if TYPE_CHECKING:
    from storage.backends.session import Session, Sessions

#: Ids per ``IN (...)`` query; well under SQLite's variable limit (and PostgreSQL's).
_CHUNK = 500
#: Bytes counted per feature row on top of its values (keys, version, time, b-tree cell).
_FEATURE_ROW_OVERHEAD = 40


@dataclass(frozen=True, slots=True)
class CacheStats:
    """What the cache holds; bytes are stored payload bytes unless named ``file``."""

    analyses: int
    analysis_bytes: int
    playlists: int
    playlist_bytes: int
    features: int
    feature_bytes: int
    referenced_analyses: int
    referenced_playlists: int
    messages: int
    schedules: int
    file_bytes: int
    max_bytes: int | None

    @property
    def total_bytes(self) -> int:
        """Bytes counted against the size bound."""
        return self.analysis_bytes + self.playlist_bytes + self.feature_bytes


def _now_utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class CacheRepository:
    """Typed access to the cache tables of one :class:`~storage.database.Database`."""

    def __init__(
        self,
        db: Sessions,
        *,
        max_bytes: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._db = db
        self.max_bytes = max_bytes
        #: Unix seconds; replaceable so tests can order uses without sleeping.
        self.clock = clock
        # feature_keys rows never change once committed: remembered both ways
        self._id_by_keys: dict[str, int] = {}
        self._keys_by_id: dict[int, tuple[str, ...]] = {}

    # --- features ---------------------------------------------------------------

    async def get_features(
        self, source: str, track_ids: Sequence[str], provider: str, version: int
    ) -> dict[str, dict[str, float]]:
        """Stored features of ``track_ids`` from ``provider`` at ``version`` (others absent)."""
        ids = list(dict.fromkeys(track_ids))
        rows: list[tuple[str, int, bytes]] = []
        async with self._db.read() as conn:
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows.extend(
                    await conn.fetchall(
                        "SELECT track_id, keys_id, vals FROM track_features WHERE source = ?"
                        f" AND provider = ? AND version = ? AND track_id IN ({marks})",
                        (source, provider, version, *chunk),
                    )
                )
            unknown = {keys_id for _, keys_id, _ in rows} - self._keys_by_id.keys()
            if unknown:
                marks = ",".join("?" * len(unknown))
                for keys_id, text in await conn.fetchall(
                    f"SELECT id, keys FROM feature_keys WHERE id IN ({marks})", tuple(unknown)
                ):
                    self._remember_keys(keys_id, text)
        found: dict[str, dict[str, float]] = {}
        for track_id, keys_id, blob in rows:
            keys = self._keys_by_id[keys_id]
            values = struct.unpack(f"<{len(keys)}d", blob)
            found[track_id] = {k: v for k, v in zip(keys, values, strict=True) if v == v}
        return found

    async def put_features(
        self,
        source: str,
        features: Mapping[str, Mapping[str, float]],
        provider: str,
        version: int,
    ) -> None:
        """Store features per track id (replacing what ``provider`` gave before), in one go.

        Each track's values are stored as float64 under its list of names, which is
        stored once for all tracks that share it.
        """
        if not features:
            return
        now = self.clock()
        prepared = []
        for track_id, values in features.items():
            names = orjson.dumps(list(values)).decode("utf-8")
            blob = struct.pack(f"<{len(values)}d", *(float(v) for v in values.values()))
            size = len(blob) + len(track_id) + len(source) + len(provider) + _FEATURE_ROW_OVERHEAD
            prepared.append((track_id, names, size, blob))
        async with self._db.write() as conn:
            keys_ids = await self._keys_ids(conn, {names for _, names, _, _ in prepared})
            await conn.executemany(
                "INSERT INTO track_features"
                " (source, track_id, provider, version, stored_at, size_bytes, keys_id, vals)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (source, track_id, provider) DO UPDATE SET"
                " version = excluded.version, stored_at = excluded.stored_at,"
                " size_bytes = excluded.size_bytes, keys_id = excluded.keys_id,"
                " vals = excluded.vals",
                [
                    (source, track_id, provider, version, now, size, keys_ids[names], blob)
                    for track_id, names, size, blob in prepared
                ],
            )
            await self._evict_within(conn)
        # only now that the key lists are committed may later writes rely on their ids
        for names, keys_id in keys_ids.items():
            self._remember_keys(keys_id, names)

    async def _keys_ids(self, conn: Session, texts: set[str]) -> dict[str, int]:
        """The ``feature_keys`` id of each JSON list of names, adding new lists."""
        ids = {text: self._id_by_keys[text] for text in texts if text in self._id_by_keys}
        for text in texts - ids.keys():
            await conn.execute(
                "INSERT INTO feature_keys (keys) VALUES (?) ON CONFLICT (keys) DO NOTHING", (text,)
            )
            row = await conn.fetchone("SELECT id FROM feature_keys WHERE keys = ?", (text,))
            assert row is not None
            ids[text] = int(row[0])
        return ids

    def _remember_keys(self, keys_id: int, text: str) -> None:
        self._id_by_keys[text] = keys_id
        self._keys_by_id[keys_id] = tuple(orjson.loads(text))

    # --- playlists --------------------------------------------------------------

    async def get_playlist(self, ref: PlaylistRef) -> tuple[Playlist, datetime] | None:
        """The cached playlist behind ``ref`` and when it was fetched (UTC), or None."""
        async with self._db.read() as conn:
            row = await conn.fetchone(
                "SELECT data, fetched_at FROM playlists WHERE source = ? AND id = ?",
                (ref.source, ref.id),
            )
            if row is None:
                return None
            await conn.touch(
                "UPDATE playlists SET last_used = ? WHERE source = ? AND id = ?",
                (self.clock(), ref.source, ref.id),
            )
        try:
            playlist = await asyncio.to_thread(decode_playlist, row[0])
        except UnknownFormat:
            return None
        return playlist, _now_utc(row[1])

    async def put_playlist(self, playlist: Playlist) -> None:
        """Store ``playlist`` with its tracks as fetched now, replacing any older snapshot."""
        blob = await asyncio.to_thread(encode_playlist, playlist)
        now = self.clock()
        async with self._db.write() as conn:
            await conn.execute(
                "INSERT INTO playlists (source, id, snapshot, name, track_count, fetched_at,"
                " last_used, size_bytes, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (source, id) DO UPDATE SET snapshot = excluded.snapshot,"
                " name = excluded.name, track_count = excluded.track_count,"
                " fetched_at = excluded.fetched_at, last_used = excluded.last_used,"
                " size_bytes = excluded.size_bytes, data = excluded.data",
                (
                    playlist.ref.source,
                    playlist.ref.id,
                    playlist.snapshot,
                    _shown(playlist.name),
                    len(playlist.tracks),
                    now,
                    now,
                    len(blob) + len(playlist.ref.id) + len(playlist.snapshot) + len(playlist.name),
                    blob,
                ),
            )
            await self._evict_within(conn)

    async def mark_fresh(self, ref: PlaylistRef) -> None:
        """Record that the cached playlist was just confirmed unchanged at its source."""
        async with self._db.write() as conn:
            await conn.execute(
                "UPDATE playlists SET fetched_at = ? WHERE source = ? AND id = ?",
                (self.clock(), ref.source, ref.id),
            )

    # --- analyses ---------------------------------------------------------------

    async def get_analysis(self, key: str, *, variant: str | None = None) -> Analysis | None:
        """The cached analysis under ``key`` (PNG included), or None.

        With ``variant``, only an analysis stored with that variant is returned (the
        pipeline passes its providers, k range and seed); without, whichever is stored.
        """
        async with self._db.read() as conn:
            row = await conn.fetchone(
                "SELECT variant, document, png FROM analyses WHERE key = ?", (key,)
            )
            if row is None or (variant is not None and row[0] != variant):
                return None
            await conn.touch("UPDATE analyses SET last_used = ? WHERE key = ?", (self.clock(), key))
        try:
            return await asyncio.to_thread(decode_analysis, row[1], row[2])
        except UnknownFormat:
            return None

    async def has_analysis(self, key: str) -> bool:
        """Whether an analysis is stored under ``key`` (without loading it)."""
        async with self._db.read() as conn:
            return await conn.fetchone("SELECT 1 FROM analyses WHERE key = ?", (key,)) is not None

    async def put_analysis(self, key: str, analysis: Analysis, *, variant: str = "") -> None:
        """Store ``analysis`` (document + PNG) under ``key`` and ``variant``, replacing any."""
        blob = await asyncio.to_thread(encode_analysis, analysis)
        playlist = analysis.playlist
        now = self.clock()
        async with self._db.write() as conn:
            await conn.execute(
                "INSERT INTO analyses (key, source, playlist_id, snapshot, options,"
                " analysis_version, track_count, created_at, last_used, size_bytes, document, png,"
                " variant) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET variant = excluded.variant,"
                " source = excluded.source,"
                " playlist_id = excluded.playlist_id, snapshot = excluded.snapshot,"
                " options = excluded.options, analysis_version = excluded.analysis_version,"
                " track_count = excluded.track_count, created_at = excluded.created_at,"
                " last_used = excluded.last_used, size_bytes = excluded.size_bytes,"
                " document = excluded.document, png = excluded.png",
                (
                    key,
                    playlist.ref.source,
                    playlist.ref.id,
                    playlist.snapshot,
                    analysis.options.key(),
                    ANALYSIS_VERSION,
                    len(playlist.tracks),
                    now,
                    now,
                    len(blob) + len(analysis.png) + len(key) + len(playlist.ref.id),
                    blob,
                    analysis.png,
                    variant,
                ),
            )
            await self._evict_within(conn)

    # --- size, statistics, clearing -----------------------------------------------

    async def size_bytes(self) -> int:
        """Bytes counted against the size bound right now."""
        async with self._db.read() as conn:
            return await usage_total(conn)

    async def evict(self, max_bytes: int) -> int:
        """Evict until at most ``max_bytes`` are stored; return how many entries went."""
        async with self._db.write() as conn:
            return await evict_lru(conn, max_bytes)

    async def stats(self) -> CacheStats:
        """Counts and sizes of everything cached, and what is protected from eviction."""
        async with self._db.read() as conn:
            usage = {
                kind: (rows, size)
                for kind, rows, size in await conn.fetchall(
                    "SELECT kind, rows, bytes FROM cache_usage"
                )
            }
            counts = await conn.fetchone(
                "SELECT (SELECT count(DISTINCT analysis_key) FROM messages m"
                "        WHERE EXISTS (SELECT 1 FROM analyses a WHERE a.key = m.analysis_key)),"
                f" (SELECT count(*) FROM playlists p WHERE {PLAYLIST_NEEDED}),"
                " (SELECT count(*) FROM messages), (SELECT count(*) FROM schedules)"
            )
        assert counts is not None
        ref_analyses, ref_playlists, messages, schedules = counts
        return CacheStats(
            analyses=usage["analyses"][0],
            analysis_bytes=usage["analyses"][1],
            playlists=usage["playlists"][0],
            playlist_bytes=usage["playlists"][1],
            features=usage["track_features"][0],
            feature_bytes=usage["track_features"][1],
            referenced_analyses=ref_analyses,
            referenced_playlists=ref_playlists,
            messages=messages,
            schedules=schedules,
            file_bytes=await self._db.file_bytes(),
            max_bytes=self.max_bytes,
        )

    async def clear(self) -> int:
        """Remove every feature and every analysis and playlist nothing references (a
        playlist a schedule or a taste share names stays, with its tracks' features).

        Returns how many entries were removed; the freed pages go back to the file system.
        """
        async with self._db.write() as conn:
            removed = 0
            for sql in (
                "DELETE FROM track_features",
                "DELETE FROM analyses WHERE NOT EXISTS"
                " (SELECT 1 FROM messages m WHERE m.analysis_key = analyses.key)",
                f"DELETE FROM playlists AS p WHERE NOT {PLAYLIST_NEEDED}",
            ):
                removed += await conn.execute(sql)
        await self._db.reclaim_space()
        return removed

    # --- internals ----------------------------------------------------------------

    async def _evict_within(self, conn: Session) -> None:
        if self.max_bytes is not None:
            await evict_lru(conn, self.max_bytes)


def _shown(name: str) -> str:
    """A name for the informational ``name`` column: PostgreSQL text holds no NUL (the
    playlist itself, with its exact name, is in the encoded ``data``)."""
    return name.replace("\0", "\ufffd")
