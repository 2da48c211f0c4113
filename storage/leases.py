"""Short leases shared by every process on one database: who holds a name, until when.

What the page-turn lock and the member cooldown use when there is no Redis
(:mod:`bot.services.leases` picks). Taking a lease is one ``INSERT ... ON CONFLICT DO
UPDATE ... WHERE`` that changes the row only when the lease is free, lapsed or already
the taker's: of several processes trying at once, exactly one gets rowcount 1.
"""

from __future__ import annotations

from storage.backends.session import Sessions

__all__ = ["LeaseRepository"]


class LeaseRepository:
    """Typed access to the ``leases`` table (times are Unix seconds, given by the caller)."""

    def __init__(self, db: Sessions) -> None:
        self._db = db

    async def hold(self, name: str, owner: str, *, now: float, until: float) -> float:
        """Take or extend ``name`` for ``owner`` until ``until``: 0.0 when taken, else
        the seconds left on another owner's lease."""
        async with self._db.write() as conn:
            taken = await conn.execute(
                "INSERT INTO leases (name, owner, expires) VALUES (?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner,"
                " expires = excluded.expires"
                " WHERE leases.expires <= ? OR leases.owner = excluded.owner",
                (name, owner, until, now),
            )
            if taken:
                return 0.0
            row = await conn.fetchone("SELECT expires FROM leases WHERE name = ?", (name,))
        return max(0.001, float(row[0]) - now) if row is not None else 0.001

    async def release(self, name: str, owner: str | None = None) -> None:
        """Give ``name`` up (only ``owner``'s lease when given); also drops lapsed leases."""
        sql, params = "DELETE FROM leases WHERE name = ?", [name]
        if owner is not None:
            sql += " AND owner = ?"
            params.append(owner)
        async with self._db.write() as conn:
            await conn.execute(sql, tuple(params))

    async def prune(self, now: float) -> int:
        """Delete every lapsed lease (housekeeping); how many."""
        async with self._db.write() as conn:
            return await conn.execute("DELETE FROM leases WHERE expires <= ?", (now,))
