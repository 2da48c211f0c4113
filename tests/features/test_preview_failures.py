"""Remembered preview failures in the real SQLite cache: by reason, for a day, across restarts."""

from __future__ import annotations

from pathlib import Path

from bot.features.preview_failures import FailureMemory
from storage.database import Database

NOW = 1_800_000_000.0


async def test_failures_survive_a_restart_and_expire_after_the_retry_time(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    async with await Database.open(path) as db:
        memory = FailureMemory(db.cache, source="preview", retry_seconds=86_400, clock=lambda: NOW)
        await memory.remember(
            {"1": "silent", "2": "could not be decoded", "3": "download failed", "4": "too short"}
        )
    async with await Database.open(path) as db:
        later = NOW + 86_399.0
        memory = FailureMemory(
            db.cache, source="preview", retry_seconds=86_400, clock=lambda: later
        )
        assert await memory.recent(["1", "2", "3", "4", "5"]) == {
            "1": "silent",
            "2": "could not be decoded",
            "4": "too short",
        }
        memory.clock = lambda: NOW + 86_400.0
        assert await memory.recent(["1", "2", "4"]) == {}
        # Failures never pass for features: the preview provider's own rows are untouched.
        assert await db.cache.get_features("preview", ["1"], "preview", 1) == {}


async def test_without_a_cache_nothing_is_remembered() -> None:
    memory = FailureMemory(None, source="preview")
    await memory.remember({"1": "silent"})
    assert await memory.recent(["1"]) == {}
