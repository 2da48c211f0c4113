"""The cache's size bound: which entries go when a write takes it over ``CACHE_MAX_MB``.

Least recently used analyses and playlists go first, in the caller's transaction;
track features (the costliest to get again) only when that is not enough, oldest
first. An analysis a posted message still pages through, and a playlist a schedule
names, are never candidates.
"""

from __future__ import annotations

import aiosqlite


async def usage_total(conn: aiosqlite.Connection) -> int:
    """Payload bytes counted against the bound (kept exact by triggers in ``cache_usage``)."""
    async with conn.execute("SELECT coalesce(sum(bytes), 0) FROM cache_usage") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def evict_lru(conn: aiosqlite.Connection, max_bytes: int) -> int:
    """Delete LRU entries until the cache fits ``max_bytes``, in the caller's transaction."""
    total = await usage_total(conn)
    if total <= max_bytes:
        return 0
    removed = 0
    async with conn.execute(
        "SELECT 'analysis', key, NULL, size_bytes, last_used FROM analyses a"
        " WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.analysis_key = a.key)"
        " UNION ALL"
        " SELECT 'playlist', source, id, size_bytes, last_used FROM playlists p"
        " WHERE NOT EXISTS (SELECT 1 FROM schedules s"
        "                   WHERE s.ref_source = p.source AND s.ref_id = p.id)"
        " ORDER BY last_used"
    ) as cursor:
        candidates = await cursor.fetchall()
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
        async with conn.execute(
            "SELECT source, track_id, provider, size_bytes FROM track_features"
            " ORDER BY stored_at LIMIT 1000"
        ) as cursor:
            batch = await cursor.fetchall()
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
