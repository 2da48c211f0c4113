"""A member's 💚 setting: unasked, yes, no, and changed again, across restarts."""

from __future__ import annotations

from storage.database import Database
from tests.storage.conftest import Location

MEMBER = 1_234_567_890_123_456_789


async def test_a_member_never_asked_has_no_answer(db: Database) -> None:
    assert await db.members.shows_liked(MEMBER) is None


async def test_the_answer_is_kept_and_can_be_changed(location: Location) -> None:
    async with await Database.open(location) as db:
        await db.members.set_shows_liked(MEMBER, True)
        await db.members.set_shows_liked(MEMBER + 1, False)
    async with await Database.open(location) as db:
        assert await db.members.shows_liked(MEMBER) is True
        assert await db.members.shows_liked(MEMBER + 1) is False
        await db.members.set_shows_liked(MEMBER, False)
        assert await db.members.shows_liked(MEMBER) is False
