"""Progress lines and their throttle; the per-user cooldown and the analysis line."""

from __future__ import annotations

import asyncio

from bot.progress import ThrottledProgress, progress_line
from bot.services.queue import AnalysisQueue


def test_progress_line_shows_counts_and_a_ten_segment_bar() -> None:
    assert progress_line("Fetching tracks", 300, 1000) == "Fetching tracks 300/1,000 ▰▰▰▱▱▱▱▱▱▱"
    assert progress_line("Fetching tracks", 1000, 1000) == "Fetching tracks 1,000/1,000 ▰▰▰▰▰▰▰▰▰▰"
    assert progress_line("Clustering", 0, 0) == "Clustering…"
    assert progress_line("x", 5, 3).startswith("x 3/3 ")


async def test_throttle_sends_stage_changes_and_at_most_one_edit_per_interval() -> None:
    now = [0.0]
    edits: list[str] = []

    async def edit(line: str) -> None:
        edits.append(line)

    progress = ThrottledProgress(edit, interval=1.5, clock=lambda: now[0])
    for done in range(0, 1001, 100):  # eleven reports within the same instant
        progress("Fetching tracks", done, 1000)
    await asyncio.sleep(0)
    now[0] = 1.0
    progress("Fetching tracks", 1000, 1000)  # too soon: dropped
    now[0] = 1.6
    progress("Fetching tracks", 1000, 1000)
    await asyncio.sleep(0)
    progress("Clustering", 0, 1)  # a new stage is always shown
    await asyncio.sleep(0)
    await progress.close()
    progress("Clustering", 1, 1)  # after close: nothing
    await asyncio.sleep(0)
    assert edits == [
        "Fetching tracks 0/1,000 ▱▱▱▱▱▱▱▱▱▱",
        "Fetching tracks 1,000/1,000 ▰▰▰▰▰▰▰▰▰▰",
        "Clustering 0/1 ▱▱▱▱▱▱▱▱▱▱",
    ]


async def test_a_failing_edit_does_not_stop_the_analysis() -> None:
    async def edit(line: str) -> None:
        raise RuntimeError("discord is down")

    progress = ThrottledProgress(edit, interval=0)
    progress("Fetching tracks", 1, 2)
    await asyncio.sleep(0)
    await progress.close()
    assert progress.sent == []


async def test_the_line_runs_the_limit_at_once_and_tells_the_others_their_place() -> None:
    queue = AnalysisQueue(1)
    places: dict[str, list[int]] = {"b": [], "c": []}
    order: list[str] = []
    release_a = asyncio.Event()

    async def run(name: str, gate: asyncio.Event | None) -> None:
        async def tell(n: int) -> None:
            places[name].append(n)

        async with queue.slot(tell):
            order.append(name)
            if gate is not None:
                await gate.wait()

    a = asyncio.create_task(run("a", release_a))
    await asyncio.sleep(0)
    b = asyncio.create_task(run("b", None))
    await asyncio.sleep(0)
    c = asyncio.create_task(run("c", None))
    await asyncio.sleep(0)
    assert order == ["a"] and places == {"b": [1], "c": [2]}
    release_a.set()
    await asyncio.gather(a, b, c)
    assert order == ["a", "b", "c"]
    assert places["c"][:2] == [2, 1]  # c moved up when a finished
    assert queue.running == 0 and queue.waiting == 0


async def test_leaving_the_line_moves_the_others_up() -> None:
    queue = AnalysisQueue(1)
    hold = asyncio.Event()
    seen: list[int] = []

    async def holder() -> None:
        async with queue.slot():
            await hold.wait()

    async def waiter(record: bool) -> None:
        async def tell(n: int) -> None:
            if record:
                seen.append(n)

        async with queue.slot(tell):
            pass

    first = asyncio.create_task(holder())
    await asyncio.sleep(0)
    leaving = asyncio.create_task(waiter(False))
    await asyncio.sleep(0)
    staying = asyncio.create_task(waiter(True))
    await asyncio.sleep(0)
    leaving.cancel()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert seen == [2, 1]
    hold.set()
    await asyncio.gather(first, staying)
    assert queue.running == 0 and queue.waiting == 0
