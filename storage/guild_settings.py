"""Per-guild defaults: the default number of clusters and who may create schedules."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.errors import BadInput

if TYPE_CHECKING:
    from storage.backends.session import Sessions


@dataclass(slots=True)
class GuildSettings:
    """A guild's defaults; None means "not set" (automatic k; Manage Server may schedule)."""

    guild_id: int
    default_k: int | None = None
    schedule_role_id: int | None = None


class GuildSettingsRepository:
    """Typed access to the ``guild_settings`` table."""

    def __init__(self, db: Sessions, *, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self.clock = clock

    async def get(self, guild_id: int) -> GuildSettings:
        """The settings of ``guild_id``; defaults when it never set any."""
        async with self._db.read() as conn:
            row = await conn.fetchone(
                "SELECT guild_id, default_k, schedule_role_id FROM guild_settings"
                " WHERE guild_id = ?",
                (guild_id,),
            )
        return GuildSettings(*row) if row else GuildSettings(guild_id)

    async def save(self, settings: GuildSettings) -> None:
        """Store ``settings`` as the guild's. Raises :class:`BadInput` for a k outside 2-12."""
        if settings.default_k is not None and not 2 <= settings.default_k <= 12:
            raise BadInput("The default number of clusters must be between 2 and 12.")
        async with self._db.write() as conn:
            await conn.execute(
                "INSERT INTO guild_settings (guild_id, default_k, schedule_role_id, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET"
                " default_k = excluded.default_k, schedule_role_id = excluded.schedule_role_id,"
                " updated_at = excluded.updated_at",
                (settings.guild_id, settings.default_k, settings.schedule_role_id, self.clock()),
            )

    async def delete(self, guild_id: int) -> None:
        """Forget the guild's settings (e.g. the bot left the guild)."""
        async with self._db.write() as conn:
            await conn.execute("DELETE FROM guild_settings WHERE guild_id = ?", (guild_id,))
