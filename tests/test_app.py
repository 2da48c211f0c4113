"""The bot's own housekeeping: old paging state is forgotten after the retention time."""

from __future__ import annotations

import time
from pathlib import Path

from bot.app import PlaylistBot
from storage.database import Database
from storage.messages import MessageState
from tests.harness import bot_settings


async def test_messages_untouched_for_the_retention_time_are_forgotten(tmp_path: Path) -> None:
    settings = bot_settings(tmp_path, message_retention_days=30)
    bot = PlaylistBot(settings, heartbeat=False, freeze_heap=False)
    bot.storage = await Database.open(settings.database_path)
    try:
        messages = bot.storage.messages
        now = time.time()
        messages.clock = lambda: now - 31 * 86_400
        await messages.save(MessageState(1, 10, 100, "old", 7))
        messages.clock = lambda: now - 29 * 86_400
        await messages.save(MessageState(2, 10, 100, "recent", 7))
        messages.clock = lambda: now
        assert await bot.prune_messages() == 1
        assert await messages.get(1) is None
        assert await messages.get(2) is not None
    finally:
        await bot.storage.close()
        await bot.close()
