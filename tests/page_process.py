"""A bot process turning one shared message's page, for the tests of issue 25.

    python -m tests.page_process DB MESSAGE_ID EDITS SHARED [REDIS_URL]

Opens the database ``DB``, builds the real :class:`~bot.discord_ui.pager.Pager` with
page locks shared through Redis (``REDIS_URL`` given) or the database (``SHARED=1``),
or in-process locks only (``SHARED=0``, the control), prints ``ready``, waits for a
line on stdin (so two processes press at the same instant), then turns the message
one page on ("next", the reaction path). The channel is a stand-in whose edit takes
0.3 s (a slow Discord) and then appends the page's footer to ``EDITS``.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

import discord

from bot.discord_ui.pager import Pager
from bot.model import Analysis
from bot.render.pages import FOOTER_MARK
from bot.services.leases import DatabaseLeases, RedisLeases, SharedLocks
from storage.database import Database

EDIT_SECONDS = 0.3


class Cached:
    """The analyzer side the pager needs: the cached analysis by key."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def require(self, key: str) -> Analysis:
        found = await self.db.cache.get_analysis(key)
        assert found is not None
        return found


class Message:
    def __init__(self, path: str) -> None:
        self.path = path

    async def edit(self, *, view: Any, **_: Any) -> None:
        await asyncio.sleep(EDIT_SECONDS)
        texts = [c.content for c in view.walk_children() if isinstance(c, discord.ui.TextDisplay)]
        footer = texts[-1].removeprefix(FOOTER_MARK)  # a layout page's last text
        await asyncio.to_thread(self._append, f"{os.getpid()} {footer}\n")

    def _append(self, line: str) -> None:
        with open(self.path, "a", encoding="utf-8") as edits:
            edits.write(line)


class Channel:
    def __init__(self, path: str) -> None:
        self.path = path

    def get_partial_message(self, message_id: int) -> Message:
        return Message(self.path)


async def main(db_path: str, message_id: str, edits: str, shared: str, redis_url: str = "") -> None:
    db = await Database.open(db_path)
    redis = None
    try:
        if redis_url:
            from redis.asyncio import Redis

            redis = Redis.from_url(redis_url)
            leases: Any = RedisLeases(redis)
        else:
            leases = DatabaseLeases(db.leases) if shared == "1" else None
        pager = Pager(Cached(db), db.messages, locks=SharedLocks(leases))  # type: ignore[arg-type]
        state = await db.messages.get(int(message_id))
        assert state is not None
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        there = await pager.turn_message(state, "next", Channel(edits))  # type: ignore[arg-type]
        print(f"turned {there}", flush=True)
    finally:
        if redis is not None:
            await redis.aclose()
        await db.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))
