"""Connected Spotify accounts and sign-ins under way (``spotify_accounts``, ``spotify_pending``).

Only opaque bytes are stored here: the service layer (``bot/account/``) encrypts the
tokens and the PKCE verifier before they reach this module, so neither the database
file nor this code ever sees a usable token.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.backends.session import Sessions

_COLUMNS = "discord_user_id, spotify_user_id, display_name, scope, tokens, expires_at"


@dataclass(slots=True)
class StoredAccount:
    """A Discord user's connected Spotify account; ``tokens`` is ciphertext."""

    discord_user_id: int
    spotify_user_id: str
    display_name: str
    scope: str
    tokens: bytes
    expires_at: float


@dataclass(frozen=True, slots=True)
class PendingSignIn:
    """A sign-in started by ``discord_user_id`` at ``created_at``; ``verifier`` is ciphertext."""

    discord_user_id: int
    verifier: bytes
    created_at: float


class AccountRepository:
    """Typed access to the account tables."""

    def __init__(self, db: Sessions, *, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self.clock = clock

    async def get(self, discord_user_id: int) -> StoredAccount | None:
        """The account connected by ``discord_user_id``, if any."""
        async with self._db.read() as conn:
            row = await conn.fetchone(
                f"SELECT {_COLUMNS} FROM spotify_accounts WHERE discord_user_id = ?",
                (discord_user_id,),
            )
        if row is None:
            return None
        return StoredAccount(int(row[0]), row[1], row[2], row[3], bytes(row[4]), float(row[5]))

    async def save(self, account: StoredAccount) -> None:
        """Insert the account, or replace the one this Discord user had."""
        now = self.clock()
        async with self._db.write() as conn:
            await conn.execute(
                f"INSERT INTO spotify_accounts ({_COLUMNS}, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (discord_user_id) DO UPDATE SET"
                " spotify_user_id = excluded.spotify_user_id,"
                " display_name = excluded.display_name, scope = excluded.scope,"
                " tokens = excluded.tokens, expires_at = excluded.expires_at,"
                " updated_at = excluded.updated_at",
                (
                    account.discord_user_id,
                    account.spotify_user_id,
                    account.display_name,
                    account.scope,
                    account.tokens,
                    account.expires_at,
                    now,
                    now,
                ),
            )

    async def update_tokens(self, discord_user_id: int, tokens: bytes, expires_at: float) -> bool:
        """Store refreshed tokens; False when the account was disconnected meanwhile."""
        async with self._db.write() as conn:
            changed = await conn.execute(
                "UPDATE spotify_accounts SET tokens = ?, expires_at = ?, updated_at = ?"
                " WHERE discord_user_id = ?",
                (tokens, expires_at, self.clock(), discord_user_id),
            )
        return changed > 0

    async def delete(self, discord_user_id: int) -> bool:
        """Forget the account and any sign-in under way; True if an account was stored."""
        async with self._db.write() as conn:
            changed = await conn.execute(
                "DELETE FROM spotify_accounts WHERE discord_user_id = ?", (discord_user_id,)
            )
            await conn.execute(
                "DELETE FROM spotify_pending WHERE discord_user_id = ?", (discord_user_id,)
            )
        return changed > 0

    async def add_pending(
        self, state_hash: str, discord_user_id: int, verifier: bytes, *, max_age: float
    ) -> None:
        """Remember a new sign-in; the user's earlier ones and all expired ones go."""
        now = self.clock()
        async with self._db.write() as conn:
            await conn.execute(
                "DELETE FROM spotify_pending WHERE discord_user_id = ? OR created_at < ?",
                (discord_user_id, now - max_age),
            )
            await conn.execute(
                "INSERT INTO spotify_pending (state_hash, discord_user_id, verifier, created_at)"
                " VALUES (?, ?, ?, ?)",
                (state_hash, discord_user_id, verifier, now),
            )

    async def take_pending(self, state_hash: str) -> PendingSignIn | None:
        """The sign-in with this state, deleted as it is read (a state works once)."""
        async with self._db.write() as conn:
            row = await conn.fetchone(
                "DELETE FROM spotify_pending WHERE state_hash = ?"
                " RETURNING discord_user_id, verifier, created_at",
                (state_hash,),
            )
        if row is None:
            return None
        return PendingSignIn(int(row[0]), bytes(row[1]), float(row[2]))

    async def count_pending(self) -> int:
        """Sign-ins under way (for tests and housekeeping)."""
        async with self._db.read() as conn:
            row = await conn.fetchone("SELECT count(*) FROM spotify_pending")
        return int(row[0]) if row else 0
