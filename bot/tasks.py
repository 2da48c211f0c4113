"""Run many coroutines with a bound on how many run at once, failing fast and cleanly."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

#: Callers run this many tasks per allowed HTTP request in flight: HttpClient bounds the
#: requests themselves, and the extra tasks keep the connections busy while finished
#: ones decode and parse their answers.
TASKS_PER_REQUEST = 2


async def gather_bounded(factories: Sequence[Callable[[], Awaitable[T]]], limit: int) -> list[T]:
    """Await every factory's coroutine, at most ``limit`` at a time; results in order.

    A fixed set of ``limit`` workers pulls the next factory when it is free, so ten
    thousand requests cost ``limit`` tasks, not ten thousand created in one loop turn
    (which stalls the event loop). The first failure cancels the rest (and waits for
    them) before it is raised, so nothing keeps running after the caller has given up.
    """
    results: list[T] = [None] * len(factories)  # type: ignore[list-item]
    indexes = iter(range(len(factories)))

    async def worker() -> None:
        for i in indexes:
            results[i] = await factories[i]()

    workers = [asyncio.ensure_future(worker()) for _ in range(min(max(1, limit), len(factories)))]
    try:
        await asyncio.gather(*workers)
    except BaseException:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        raise
    return results


class BackgroundTasks:
    """Tasks an object leaves running past the answer that started them (lookups that go
    on into the cache): held here because the loop keeps only weak references, waited
    for by tests and benchmarks, cancelled before what they write to closes."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def add(self, task: asyncio.Task[Any]) -> None:
        """Hold ``task`` until it finishes."""
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def wait(self) -> None:
        """Until every task held (and any they start meanwhile) has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        """Cancel every task held and wait for them to end."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
