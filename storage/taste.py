"""Shared playlists of a server's taste map, and what was computed from them.

Consent is the table: a member's playlist takes part in maps, comparisons, neighbours
and weekly posts only while a ``taste_shares`` row names it. :meth:`TasteRepository.unshare`
deletes that row and, in the same transaction, every ``taste_derived`` row naming the
member (bridge playlists behind posted comparisons, last week's pair scores), so
nothing computed from their music outlives the share. A shared CSV file's kept copy (the
cache's ``playlists`` row ``csv:<digest>``, never evicted while shared) is deleted with
the last share naming it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.model import PlaylistRef
from storage.eviction import PLAYLIST_NEEDED

if TYPE_CHECKING:
    from storage.backends.session import Session, Sessions

#: ``ref_source`` of a shared CSV file, whose kept copy is the cache's ``playlists`` row
#: (``csv``, digest): protected while shared, deleted with the last share naming it.
SHARED_FILE = "csv"
_SHARE_COLUMNS = "guild_id, user_id, ref_source, ref_id, name, member_name, created_at"
BRIDGE = "bridge"
WEEK = "week"


@dataclass(frozen=True, slots=True)
class TasteShare:
    """A member's playlist shared with one server's taste map."""

    guild_id: int
    user_id: int
    ref_source: str
    ref_id: str
    name: str = ""
    member_name: str = ""
    created_at: float = 0.0

    @property
    def ref(self) -> PlaylistRef:
        return PlaylistRef(self.ref_source, self.ref_id)  # type: ignore[arg-type]


def _share(row: Sequence[object]) -> TasteShare:
    guild, user, source, ref_id, name, member, created = row
    return TasteShare(
        int(guild),  # type: ignore[arg-type]
        int(user),  # type: ignore[arg-type]
        str(source),
        str(ref_id),
        str(name),
        str(member),
        float(created),  # type: ignore[arg-type]
    )


async def _drop_files(conn: Session, digests: Sequence[str]) -> None:
    """Delete the kept copies of shared files that no share or schedule names any more."""
    for digest in digests:
        await conn.execute(
            f"DELETE FROM playlists AS p WHERE p.source = ? AND p.id = ? AND NOT {PLAYLIST_NEEDED}",
            (SHARED_FILE, digest),
        )


class TasteRepository:
    """Typed access to ``taste_shares`` and ``taste_derived``."""

    def __init__(self, db: Sessions, *, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self.clock = clock

    async def share(self, share: TasteShare) -> None:
        """Store ``share`` as the member's shared playlist in that server (replacing one;
        a replaced shared file's kept copy goes unless something else names it)."""
        async with self._db.write() as conn:
            before = await conn.fetchall(
                "SELECT ref_id FROM taste_shares WHERE guild_id = ? AND user_id = ?"
                " AND ref_source = ?",
                (share.guild_id, share.user_id, SHARED_FILE),
            )
            await conn.execute(
                f"INSERT INTO taste_shares ({_SHARE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (guild_id, user_id) DO UPDATE SET ref_source = excluded.ref_source,"
                " ref_id = excluded.ref_id, name = excluded.name,"
                " member_name = excluded.member_name, created_at = excluded.created_at",
                (
                    share.guild_id,
                    share.user_id,
                    share.ref_source,
                    share.ref_id,
                    share.name,
                    share.member_name,
                    self.clock(),
                ),
            )
            await _drop_files(conn, [str(row[0]) for row in before])

    async def get(self, guild_id: int, user_id: int) -> TasteShare | None:
        """The member's shared playlist in that server, or None."""
        async with self._db.read() as conn:
            row = await conn.fetchone(
                f"SELECT {_SHARE_COLUMNS} FROM taste_shares WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )
        return _share(row) if row else None

    async def list_for_guild(self, guild_id: int) -> list[TasteShare]:
        """Every shared playlist of a server, oldest share first."""
        async with self._db.read() as conn:
            rows = await conn.fetchall(
                f"SELECT {_SHARE_COLUMNS} FROM taste_shares WHERE guild_id = ?"
                " ORDER BY created_at, user_id",
                (guild_id,),
            )
        return [_share(row) for row in rows]

    async def guilds_with_shares(self) -> list[int]:
        """Servers with at least one shared playlist."""
        async with self._db.read() as conn:
            rows = await conn.fetchall("SELECT DISTINCT guild_id FROM taste_shares")
        return sorted(int(row[0]) for row in rows)  # type: ignore[arg-type]

    async def unshare(self, guild_id: int, user_id: int) -> int:
        """Delete the member's share and everything derived from it; rows deleted (0: none).

        A shared file's kept copy goes too, unless another share or a schedule names it.
        """
        where = "WHERE guild_id = ? AND user_id = ?"
        async with self._db.write() as conn:
            files = await conn.fetchall(
                f"SELECT ref_id FROM taste_shares {where} AND ref_source = ?",
                (guild_id, user_id, SHARED_FILE),
            )
            shares = await conn.execute(f"DELETE FROM taste_shares {where}", (guild_id, user_id))
            derived = await conn.execute(
                "DELETE FROM taste_derived WHERE guild_id = ? AND (user_a = ? OR user_b = ?)",
                (guild_id, user_id, user_id),
            )
            await _drop_files(conn, [str(row[0]) for row in files])
        return shares + derived

    async def forget_guild(self, guild_id: int) -> None:
        """Delete a server's shares and derived rows (the bot left it), and the kept
        copies of its shared files that nothing else names."""
        async with self._db.write() as conn:
            files = await conn.fetchall(
                "SELECT ref_id FROM taste_shares WHERE guild_id = ? AND ref_source = ?",
                (guild_id, SHARED_FILE),
            )
            await conn.execute("DELETE FROM taste_shares WHERE guild_id = ?", (guild_id,))
            await conn.execute("DELETE FROM taste_derived WHERE guild_id = ?", (guild_id,))
            await _drop_files(conn, [str(row[0]) for row in files])

    async def put_bridge(self, guild_id: int, user_a: int, user_b: int, tracks: list[Any]) -> int:
        """Keep a bridge playlist (JSON-ready track dicts) of two members; returns its id."""
        async with self._db.write() as conn:
            row = await conn.fetchone(
                "INSERT INTO taste_derived (guild_id, user_a, user_b, kind, payload, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (guild_id, user_a, user_b, BRIDGE, json.dumps(tracks, ensure_ascii=False),
                 self.clock()),
            )  # fmt: skip
        assert row is not None
        return int(row[0])  # type: ignore[arg-type]

    async def get_bridge(self, bridge_id: int) -> tuple[int, int, int, list[Any]] | None:
        """(guild, member a, member b, track dicts) of a kept bridge, or None once unshared."""
        async with self._db.read() as conn:
            row = await conn.fetchone(
                "SELECT guild_id, user_a, user_b, payload FROM taste_derived"
                " WHERE id = ? AND kind = ?",
                (bridge_id, BRIDGE),
            )
        if row is None:
            return None
        guild, a, b, payload = row
        return int(guild), int(a), int(b), list(json.loads(str(payload)))  # type: ignore[arg-type]

    async def save_week(
        self, guild_id: int, week: str, scores: Sequence[tuple[int, int, float]]
    ) -> None:
        """Replace the server's kept pair scores with this week's (member a, member b, score)."""
        async with self._db.write() as conn:
            await conn.execute(
                "DELETE FROM taste_derived WHERE guild_id = ? AND kind = ?", (guild_id, WEEK)
            )
            now = self.clock()
            await conn.executemany(
                "INSERT INTO taste_derived (guild_id, user_a, user_b, kind, payload, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (guild_id, a, b, WEEK, json.dumps({"week": week, "score": s}), now)
                    for a, b, s in scores
                ],
            )

    async def last_week(self, guild_id: int) -> tuple[str | None, dict[tuple[int, int], float]]:
        """The week and pair scores kept by :meth:`save_week` (pairs with a member who
        unshared since are gone)."""
        async with self._db.read() as conn:
            rows = await conn.fetchall(
                "SELECT user_a, user_b, payload FROM taste_derived WHERE guild_id = ? AND kind = ?",
                (guild_id, WEEK),
            )
        week: str | None = None
        scores: dict[tuple[int, int], float] = {}
        for a, b, payload in rows:
            data = json.loads(str(payload))
            week = str(data["week"])
            scores[(int(a), int(b))] = float(data["score"])  # type: ignore[arg-type]
        return week, scores
