"""Fair use: a global first-come line for analyses (the per-member cooldown, shared by
every process, is in :mod:`bot.services.leases`; :class:`OnCooldown` is its error).

Plain asyncio, independent of Discord, so the cogs stay thin and the rules can be
tested directly. A request that cannot start at once is told its
place in line, and told again whenever the line moves.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from bot.errors import UserError
from bot.locales import N_

PlaceCallback = Callable[[int], Awaitable[object]]


class OnCooldown(UserError):
    """The user started an analysis too recently."""

    def __init__(self, seconds_left: float) -> None:
        self.seconds_left = seconds_left
        wait = max(1, math.ceil(seconds_left))
        if wait == 1:
            super().__init__(N_("You can start another analysis in 1 second."))
        else:
            super().__init__(N_("You can start another analysis in {count} seconds."), count=wait)


class AnalysisQueue:
    """At most ``limit`` analyses at once; the others wait first come, first served.

    ``wait`` wraps every wait for a free slot; the default awaits it as is (tests
    may wrap it to tell a simulated Discord that the wait is intended).
    """

    def __init__(
        self,
        limit: int,
        wait: Callable[[Awaitable[None]], Awaitable[None]] | None = None,
    ) -> None:
        if limit < 1:  # MAX_CONCURRENT_ANALYSES is checked when loaded; this is for callers
            raise ValueError(f"an analysis queue needs at least one slot, not {limit}")
        self.limit = limit
        self.running = 0
        self._line: list[tuple[asyncio.Future[None], PlaceCallback | None]] = []
        self.wait = wait
        self._notices: set[asyncio.Task[None]] = set()

    @property
    def waiting(self) -> int:
        return len(self._line)

    @asynccontextmanager
    async def slot(self, on_place: PlaceCallback | None = None) -> AsyncIterator[None]:
        """Hold one analysis slot for the ``async with`` body, waiting in line if needed.

        ``on_place(n)`` is awaited with the caller's place in line (1 = next) when it
        has to wait, and again each time the line moves.
        """
        await self._acquire(on_place)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, on_place: PlaceCallback | None) -> None:
        if self.running < self.limit and not self._line:
            self.running += 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (future, on_place)
        self._line.append(entry)
        if on_place is not None:
            await on_place(len(self._line))
        try:
            waiting = asyncio.shield(future)
            await (self.wait(waiting) if self.wait else waiting)
        except asyncio.CancelledError:
            if entry in self._line:
                self._line.remove(entry)
                self._announce()
            elif future.done() and not future.cancelled():
                self._release()  # the slot was handed over as we were cancelled
            raise

    def _release(self) -> None:
        while self._line:
            future, _ = self._line.pop(0)
            if not future.done():
                future.set_result(None)  # the slot passes straight to the next in line
                self._announce()
                return
        self.running -= 1

    def _announce(self) -> None:
        """Tell everyone still waiting their new place."""
        loop = asyncio.get_running_loop()
        for place, (_, on_place) in enumerate(self._line, start=1):
            if on_place is not None:
                task = loop.create_task(_quietly(on_place(place)))
                self._notices.add(task)
                task.add_done_callback(self._notices.discard)


async def _quietly(awaitable: Awaitable[object]) -> None:
    try:
        await awaitable
    except Exception:  # a lost "place in line" edit must not break the line
        return
