"""Per-member choices: whether a member's 💚 may appear on shared messages (issue 23).

A member's 💚 (their Liked Songs, or a CSV's "Liked" column) says what is in their
library. It shows on a message others see only when the member said yes; ``None``
(never answered) counts as no.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.backends.session import Sessions


class MemberSettingsRepository:
    """Typed access to the ``member_settings`` table."""

    def __init__(self, db: Sessions, *, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self.clock = clock

    async def shows_liked(self, user_id: int) -> bool | None:
        """The member's answer: True (show on shared messages), False, or None (not asked)."""
        async with self._db.read() as conn:
            row = await conn.fetchone(
                "SELECT show_liked FROM member_settings WHERE user_id = ?", (user_id,)
            )
        if row is None or row[0] is None:
            return None
        return bool(row[0])

    async def set_shows_liked(self, user_id: int, show: bool) -> None:
        """Store the member's answer."""
        async with self._db.write() as conn:
            await conn.execute(
                "INSERT INTO member_settings (user_id, show_liked, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET show_liked = excluded.show_liked,"
                " updated_at = excluded.updated_at",
                (user_id, int(show), self.clock()),
            )
