"""The account tables on both backends: connect, refresh, disconnect, sign-ins once."""

from __future__ import annotations

from storage.accounts import StoredAccount
from storage.database import Database
from tests.storage.conftest import Location


def _account(uid: int = 7, tokens: bytes = b"cipher-1") -> StoredAccount:
    return StoredAccount(uid, "spotify-user", "ミク 🎤", "user-library-read", tokens, 1000.0)


async def test_an_account_survives_a_restart_and_is_replaced_on_reconnect(
    location: Location,
) -> None:
    async with await Database.open(location) as db:
        await db.accounts.save(_account())
        await db.accounts.save(_account(tokens=b"cipher-2"))
    async with await Database.open(location) as db:
        found = await db.accounts.get(7)
        assert found == _account(tokens=b"cipher-2")
        assert await db.accounts.get(8) is None


async def test_refreshed_tokens_replace_the_old_ones_unless_disconnected(db: Database) -> None:
    await db.accounts.save(_account())
    assert await db.accounts.update_tokens(7, b"cipher-3", 5000.0)
    found = await db.accounts.get(7)
    assert found is not None and (found.tokens, found.expires_at) == (b"cipher-3", 5000.0)
    assert await db.accounts.delete(7)
    assert not await db.accounts.update_tokens(7, b"cipher-4", 6000.0)
    assert await db.accounts.get(7) is None
    assert not await db.accounts.delete(7)


async def test_a_pending_sign_in_is_taken_once(db: Database) -> None:
    await db.accounts.add_pending("h1", 7, b"v1", max_age=600)
    taken = await db.accounts.take_pending("h1")
    assert taken is not None and (taken.discord_user_id, taken.verifier) == (7, b"v1")
    assert await db.accounts.take_pending("h1") is None
    assert await db.accounts.take_pending("unknown") is None


async def test_a_new_sign_in_replaces_the_users_earlier_one_and_old_ones_go(db: Database) -> None:
    clock = [1000.0]
    db.accounts.clock = lambda: clock[0]
    await db.accounts.add_pending("old-7", 7, b"v", max_age=600)
    await db.accounts.add_pending("old-8", 8, b"v", max_age=600)
    clock[0] = 1700.0  # 11+ minutes later: 8's sign-in has expired
    await db.accounts.add_pending("new-7", 7, b"v", max_age=600)
    assert await db.accounts.count_pending() == 1
    assert await db.accounts.take_pending("old-7") is None
    assert await db.accounts.take_pending("new-7") is not None


async def test_disconnect_also_drops_sign_ins_under_way(db: Database) -> None:
    await db.accounts.save(_account())
    await db.accounts.add_pending("h", 7, b"v", max_age=600)
    await db.accounts.delete(7)
    assert await db.accounts.take_pending("h") is None
