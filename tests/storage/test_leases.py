"""Leases in the database (page locks and cooldowns without Redis), on both backends."""

from __future__ import annotations

import asyncio

from storage.database import Database, open_database
from tests.conftest import Location


async def test_a_lease_is_one_holder_s_until_it_lapses_or_is_released(db: Database) -> None:
    leases = db.leases
    assert await leases.hold("page:1", "a", now=100.0, until=110.0) == 0.0
    assert await leases.hold("page:1", "b", now=104.0, until=114.0) == 6.0
    assert await leases.hold("page:1", "a", now=104.0, until=120.0) == 0.0  # its own: extended
    assert await leases.hold("page:2", "b", now=104.0, until=114.0) == 0.0  # another name
    await leases.release("page:1", "b")  # not b's: kept
    assert await leases.hold("page:1", "b", now=105.0, until=115.0) == 15.0
    await leases.release("page:1", "a")
    assert await leases.hold("page:1", "b", now=105.0, until=115.0) == 0.0
    assert await leases.hold("page:1", "c", now=115.0, until=125.0) == 0.0  # lapsed
    assert await leases.prune(now=200.0) == 2


async def test_of_many_connections_racing_exactly_one_takes_it(location: Location) -> None:
    dbs = [await open_database(location) for _ in range(4)]
    try:
        got = await asyncio.gather(
            *(
                db.leases.hold("cooldown:7", f"p{i}", now=50.0, until=60.0)
                for i, db in enumerate(dbs)
            )
        )
        assert sorted(got) == [0.0, 10.0, 10.0, 10.0]
    finally:
        for db in dbs:
            await db.close()
