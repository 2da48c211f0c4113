"""Paging state of posted result messages, so the buttons keep working after a restart.

A message names its analysis by cache key; while a message state exists, that
analysis is never evicted from the cache (see :mod:`storage.cache`). Old states are
dropped with :meth:`MessageRepository.prune`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.backends.session import Sessions

_COLUMNS = (
    "message_id, channel_id, guild_id, analysis_key, owner_id, cluster, page, map_x, map_y, intro,"
    " locale"
)


@dataclass(slots=True)
class MessageState:
    """Which analysis a posted message shows, who may page it, and where it is."""

    message_id: int
    channel_id: int
    guild_id: int | None
    analysis_key: str
    owner_id: int
    cluster: int = 0
    page: int = 0
    #: The feature on each map axis; '' is the automatic projection's axis.
    map_x: str = ""
    map_y: str = ""
    #: The text above the page (a layout message has no separate content).
    intro: str = ""
    #: The Discord locale it is shown in ('' = English).
    locale: str = ""


class MessageRepository:
    """Typed access to the ``messages`` table."""

    def __init__(self, db: Sessions, *, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self.clock = clock

    async def save(self, state: MessageState) -> None:
        """Insert or replace the state of ``state.message_id``."""
        now = self.clock()
        async with self._db.write() as conn:
            await conn.execute(
                f"INSERT INTO messages ({_COLUMNS}, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (message_id) DO UPDATE SET channel_id = excluded.channel_id,"
                " guild_id = excluded.guild_id, analysis_key = excluded.analysis_key,"
                " owner_id = excluded.owner_id, cluster = excluded.cluster,"
                " page = excluded.page, map_x = excluded.map_x, map_y = excluded.map_y,"
                " intro = excluded.intro, locale = excluded.locale,"
                " updated_at = excluded.updated_at",
                (
                    state.message_id,
                    state.channel_id,
                    state.guild_id,
                    state.analysis_key,
                    state.owner_id,
                    state.cluster,
                    state.page,
                    state.map_x,
                    state.map_y,
                    state.intro,
                    state.locale,
                    now,
                    now,
                ),
            )

    async def get(self, message_id: int) -> MessageState | None:
        """The state of ``message_id``, or None if it was never saved or was deleted."""
        async with self._db.read() as conn:
            row = await conn.fetchone(
                f"SELECT {_COLUMNS} FROM messages WHERE message_id = ?", (message_id,)
            )
        return MessageState(*row) if row else None

    async def update_position(self, message_id: int, cluster: int, page: int) -> bool:
        """Move ``message_id`` to ``cluster`` / ``page``; False if no such message is stored."""
        async with self._db.write() as conn:
            changed = await conn.execute(
                "UPDATE messages SET cluster = ?, page = ?, updated_at = ? WHERE message_id = ?",
                (cluster, page, self.clock(), message_id),
            )
        return changed > 0

    async def update_map(self, message_id: int, x: str, y: str) -> bool:
        """Set the features on ``message_id``'s map axes ('' = the projection's axis)."""
        async with self._db.write() as conn:
            changed = await conn.execute(
                "UPDATE messages SET map_x = ?, map_y = ?, updated_at = ? WHERE message_id = ?",
                (x, y, self.clock(), message_id),
            )
        return changed > 0

    async def latest_in_channel(self, channel_id: int) -> MessageState | None:
        """The most recently used message state in ``channel_id`` (for `/similar`)."""
        async with self._db.read() as conn:
            row = await conn.fetchone(
                f"SELECT {_COLUMNS} FROM messages WHERE channel_id = ?"
                " ORDER BY updated_at DESC, message_id DESC LIMIT 1",
                (channel_id,),
            )
        return MessageState(*row) if row else None

    async def latest_key_for_playlist(self, source: str, playlist_id: str) -> str | None:
        """The analysis key of the most recently used message showing playlist
        ``source``/``playlist_id`` (for `/similar link:`), if any is still cached."""
        async with self._db.read() as conn:
            row = await conn.fetchone(
                "SELECT m.analysis_key FROM messages m JOIN analyses a ON a.key = m.analysis_key"
                " WHERE a.source = ? AND a.playlist_id = ?"
                " ORDER BY m.updated_at DESC, m.message_id DESC LIMIT 1",
                (source, playlist_id),
            )
        return str(row[0]) if row else None

    async def delete(self, message_id: int) -> bool:
        """Forget ``message_id`` (e.g. the message was deleted); False if it was not stored."""
        async with self._db.write() as conn:
            changed = await conn.execute("DELETE FROM messages WHERE message_id = ?", (message_id,))
        return changed > 0

    async def prune(self, older_than_seconds: float) -> int:
        """Forget states untouched for ``older_than_seconds``; return how many went.

        Their analyses become evictable again.
        """
        cutoff = self.clock() - older_than_seconds
        async with self._db.write() as conn:
            return await conn.execute("DELETE FROM messages WHERE updated_at < ?", (cutoff,))
