"""The bot itself (bot/roots/app.py): housekeeping of paging state; the pipeline it accepts."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.pipeline.runner import Pipeline
from bot.roots.app import PlaylistBot
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


async def test_a_pipeline_that_does_not_cache_in_the_database_is_refused(tmp_path: Path) -> None:
    closed: list[str] = []

    class Pool:
        name, family = "pool", "provider"

        async def enrich(self, tracks, progress) -> int:
            return 0

        async def aclose(self) -> None:
            closed.append("pool")

    settings = bot_settings(tmp_path)
    bot = PlaylistBot(
        settings,
        pipeline_factory=lambda s, web, cache: Pipeline(providers=[Pool()]),
        heartbeat=False,
        freeze_heap=False,
        housekeeping=False,
    )
    try:
        with pytest.raises(ValueError, match="must cache in the bot's database"):
            await bot.setup_hook()
    finally:
        await bot.close()
    assert closed == ["pool"]  # what the refused pipeline held is still released
