"""The member cooldown on database leases, with a clock the test moves."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services.leases import DatabaseLeases, SharedCooldown
from bot.services.queue import OnCooldown
from storage.database import open_database


async def test_cooldown_refuses_a_second_request_until_it_passes(tmp_path: Path) -> None:
    now = [100.0]
    async with await open_database(tmp_path / "bot.db") as db:
        cooldown = SharedCooldown(DatabaseLeases(db.leases, clock=lambda: now[0]), 30)
        await cooldown.check(1)
        await cooldown.check(2)  # another member is not affected
        now[0] = 110.2
        with pytest.raises(OnCooldown, match="in 20 seconds"):
            await cooldown.check(1)
        now[0] = 130.0
        await cooldown.check(1)
        await cooldown.reset(1)
        await cooldown.check(1)
        await SharedCooldown(DatabaseLeases(db.leases), 0).check(1)  # 0: off
