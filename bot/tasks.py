"""Run many coroutines with a bound on how many run at once, failing fast and cleanly."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

#: Callers run this many tasks per allowed HTTP request in flight: HttpClient bounds the
#: requests themselves, and the extra tasks keep the connections busy while finished
#: ones decode and parse their answers.
TASKS_PER_REQUEST = 2


async def gather_bounded(factories: Sequence[Callable[[], Awaitable[T]]], limit: int) -> list[T]:
    """Await every factory's coroutine, at most ``limit`` at a time; results in order.

    The first failure cancels the rest (and waits for them) before it is raised, so no
    request keeps running in the background after the caller has given up.
    """
    semaphore = asyncio.Semaphore(max(1, limit))

    async def run(factory: Callable[[], Awaitable[T]]) -> T:
        async with semaphore:
            return await factory()

    tasks = [asyncio.ensure_future(run(f)) for f in factories]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
