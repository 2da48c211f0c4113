"""The cache's size bound: which entries go when a write takes it over ``CACHE_MAX_MB``.

Least recently used analyses and playlists go first, in the caller's transaction;
track features (the costliest to get again) only when that is not enough, oldest
first. An analysis a posted message still pages through, and a playlist a schedule
or a taste share names (:data:`PLAYLIST_NEEDED`), are never candidates.

The same on both backends: what is counted is the payload bytes each row records in
``size_bytes`` (summed into ``cache_usage`` by triggers), never a file's size, so a
PostgreSQL server's pages and a SQLite file's pages weigh alike. Ties in time are
broken by key, so the order never depends on how a backend happens to store rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.backends.session import Session

#: SQL: the playlist row ``p`` is still needed, so neither evicted nor cleared: a weekly
#: schedule posts it, or a member shared it on a server's taste map (its tracks carry
#: their features, so the map is answered without a provider; a shared CSV exists
#: nowhere else). Unsharing (or deleting the schedule) makes it a candidate again.
PLAYLIST_NEEDED = (
    "(EXISTS (SELECT 1 FROM schedules s WHERE s.ref_source = p.source AND s.ref_id = p.id)"
    " OR EXISTS (SELECT 1 FROM taste_shares t"
    "            WHERE t.ref_source = p.source AND t.ref_id = p.id))"
)


async def usage_total(conn: Session) -> int:
    """Payload bytes counted against the bound (kept exact by triggers in ``cache_usage``)."""
    row = await conn.fetchone("SELECT coalesce(sum(bytes), 0) FROM cache_usage")
    return int(row[0]) if row else 0


async def evict_lru(conn: Session, max_bytes: int) -> int:
    """Delete LRU entries until the cache fits ``max_bytes``, in the caller's transaction."""
    total = await usage_total(conn)
    if total <= max_bytes:
        return 0
    removed = 0
    candidates = await conn.fetchall(
        "SELECT 'analysis', key, '', size_bytes, last_used FROM analyses a"
        " WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.analysis_key = a.key)"
        " UNION ALL"
        " SELECT 'playlist', source, id, size_bytes, last_used FROM playlists p"
        f" WHERE NOT {PLAYLIST_NEEDED}"
        " ORDER BY 5, 1, 2, 3"
    )
    for kind, first, second, size, _used in candidates:
        if total <= max_bytes:
            break
        if kind == "analysis":
            await conn.execute("DELETE FROM analyses WHERE key = ?", (first,))
        else:
            await conn.execute("DELETE FROM playlists WHERE source = ? AND id = ?", (first, second))
        total -= size
        removed += 1
    while total > max_bytes:
        batch = await conn.fetchall(
            "SELECT source, track_id, provider, size_bytes FROM track_features"
            " ORDER BY stored_at, source, track_id, provider LIMIT 1000"
        )
        if not batch:
            break
        doomed = []
        for source, track_id, provider, size in batch:
            if total <= max_bytes:
                break
            doomed.append((source, track_id, provider))
            total -= size
        await conn.executemany(
            "DELETE FROM track_features WHERE source = ? AND track_id = ? AND provider = ?", doomed
        )
        removed += len(doomed)
    return removed
