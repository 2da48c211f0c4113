"""Paging state of posted messages, across restarts."""

from __future__ import annotations

from storage.database import Database
from storage.messages import MessageState
from tests.storage.conftest import Location

SNOWFLAKE = 1_234_567_890_123_456_789  # Discord ids use all 63 bits


async def test_a_saved_state_comes_back_after_a_restart(location: Location) -> None:
    state = MessageState(SNOWFLAKE, SNOWFLAKE + 1, SNOWFLAKE + 2, "abc", SNOWFLAKE + 3, 2, 1)
    async with await Database.open(location) as db:
        await db.messages.save(state)
        assert await db.messages.update_position(SNOWFLAKE, 3, 4)
    async with await Database.open(location) as db:
        assert await db.messages.get(SNOWFLAKE) == MessageState(
            SNOWFLAKE, SNOWFLAKE + 1, SNOWFLAKE + 2, "abc", SNOWFLAKE + 3, 3, 4
        )


async def test_unknown_messages(db: Database) -> None:
    assert await db.messages.get(5) is None
    assert not await db.messages.update_position(5, 1, 1)
    assert not await db.messages.delete(5)


async def test_saving_again_replaces_and_delete_forgets(db: Database) -> None:
    await db.messages.save(MessageState(1, 2, None, "old", 3))
    await db.messages.save(MessageState(1, 2, None, "new", 3, cluster=1))
    assert await db.messages.get(1) == MessageState(1, 2, None, "new", 3, 1, 0)
    assert await db.messages.delete(1)
    assert await db.messages.get(1) is None


async def test_prune_forgets_only_untouched_states(db: Database) -> None:
    now = [1000.0]
    db.messages.clock = lambda: now[0]
    await db.messages.save(MessageState(1, 2, 3, "a", 4))
    await db.messages.save(MessageState(2, 2, 3, "b", 4))
    now[0] = 5000.0
    await db.messages.update_position(2, 1, 0)  # paged recently
    assert await db.messages.prune(older_than_seconds=3000) == 1
    assert await db.messages.get(1) is None
    assert await db.messages.get(2) is not None


async def test_the_text_above_a_page_survives_a_restart(location: Location) -> None:
    intro = "📅 **Weekly post** · Since the last post: +3 new. 夜に駆ける 👨‍👩‍👧"
    async with await Database.open(location) as db:
        await db.messages.save(MessageState(1, 2, None, "k", 3, intro=intro))
        await db.messages.update_position(1, 1, 2)
    async with await Database.open(location) as db:
        state = await db.messages.get(1)
    assert state is not None and state.intro == intro and (state.cluster, state.page) == (1, 2)
