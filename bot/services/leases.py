"""State every process of a deployment shares: page-turn locks and the member cooldown.

With several bot processes (shards, overlapping restarts) a member's two presses, or
two members' presses, of one message's buttons may reach two processes; a lock in
one process would let both turn from the same page, and a cooldown in one process
would let a member past it on the other. Both live in short leases instead: in Redis
when ``REDIS_URL`` is set (:class:`RedisLeases`: ``SET NX PX``), else in the database
(:class:`DatabaseLeases`: the ``leases`` table, one conditional upsert).

- :class:`SharedCooldown`: at most one analysis per member every ``seconds``;
- :class:`SharedLocks`: ``async with locks.hold("page:123"):`` serialises the turns of
  one message across processes (and, with an ``asyncio.Lock`` per name, inside one).
  A lock is a lease of :data:`LOCK_SECONDS`: a process that dies holding it blocks
  that message's pages for at most that long.
"""

from __future__ import annotations

import asyncio
import secrets
import time
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Protocol

from redis.asyncio import Redis

from bot.services.queue import OnCooldown
from storage.leases import LeaseRepository

__all__ = [
    "LOCK_SECONDS",
    "DatabaseLeases",
    "Leases",
    "LockTimeout",
    "RedisLeases",
    "SharedCooldown",
    "SharedLocks",
]

#: How long a page-turn lock holds at most (a turn is one Discord edit: well under this).
LOCK_SECONDS = 10.0
#: How often a waiting turn tries the lock again.
RETRY_SECONDS = 0.02
#: Redis key prefix of the leases.
PREFIX = "playlist-clusters:lease:"
#: Release a lease only if it is still the releaser's (compare and delete, atomically).
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end"


class Leases(Protocol):
    """Named leases: ``hold`` returns 0.0 when taken, else the seconds left to wait."""

    async def hold(self, name: str, owner: str, seconds: float) -> float: ...
    async def release(self, name: str, owner: str | None = None) -> None: ...


class LockTimeout(Exception):
    """A lock was not free within its wait (its holder is slow or died holding it)."""


class RedisLeases:
    """Leases as Redis keys with an expiry (``SET NX PX``; Redis's clock decides)."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def hold(self, name: str, owner: str, seconds: float) -> float:
        key = PREFIX + name
        if await self.redis.set(key, owner, nx=True, px=max(1, int(seconds * 1000))):
            return 0.0
        left = await self.redis.pttl(key)
        return max(0.001, left / 1000) if left > 0 else 0.001  # gone meanwhile: try again

    async def release(self, name: str, owner: str | None = None) -> None:
        key = PREFIX + name
        if owner is None:
            await self.redis.delete(key)
        else:
            await self.redis.eval(_RELEASE, 1, key, owner)  # type: ignore[misc]


class DatabaseLeases:
    """Leases in the database's ``leases`` table, timed by this machine's clock."""

    def __init__(self, repo: LeaseRepository, clock: Callable[[], float] = time.time) -> None:
        self.repo = repo
        self.clock = clock

    async def hold(self, name: str, owner: str, seconds: float) -> float:
        now = self.clock()
        # another process may have taken it a moment after this clock was read: at most
        # ``seconds`` are left, not ``seconds`` and that moment
        return min(seconds, await self.repo.hold(name, owner, now=now, until=now + seconds))

    async def release(self, name: str, owner: str | None = None) -> None:
        await self.repo.release(name, owner)


class SharedCooldown:
    """At most one analysis per member every ``seconds`` (0 switches it off), across
    every process: the member's lease ``cooldown:<id>`` is taken and left to lapse."""

    def __init__(self, leases: Leases, seconds: float) -> None:
        self.leases = leases
        self.seconds = seconds

    async def check(self, user_id: int) -> None:
        """Raise :class:`OnCooldown` if ``user_id`` must still wait; else start the wait."""
        if self.seconds <= 0:
            return
        left = await self.leases.hold(f"cooldown:{user_id}", secrets.token_hex(8), self.seconds)
        if left:
            raise OnCooldown(left)

    async def reset(self, user_id: int) -> None:
        """Give the member's attempt back (their request failed on bad input)."""
        if self.seconds > 0:
            await self.leases.release(f"cooldown:{user_id}")


class SharedLocks:
    """Locks by name across processes (leases), and within this process (asyncio)."""

    def __init__(self, leases: Leases | None, *, seconds: float = LOCK_SECONDS) -> None:
        self.leases = leases
        self.seconds = seconds
        self._local: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def _lock(self, name: str) -> asyncio.Lock:
        lock = self._local.get(name)
        if lock is None:
            lock = asyncio.Lock()
            self._local[name] = lock
        return lock

    @asynccontextmanager
    async def hold(self, name: str) -> AsyncIterator[None]:
        """Hold ``name`` for the block; waits up to the lease length for another holder,
        then :class:`LockTimeout`."""
        async with self._lock(name):
            if self.leases is None:
                yield
                return
            owner = secrets.token_hex(8)
            deadline = time.monotonic() + self.seconds
            while await self.leases.hold(name, owner, self.seconds):
                if time.monotonic() > deadline:
                    raise LockTimeout(f"{name} stayed locked for {self.seconds:g} s")
                await asyncio.sleep(RETRY_SECONDS)
            try:
                yield
            finally:
                await self.leases.release(name, owner)
