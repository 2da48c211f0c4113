"""Progress lines for Discord and a throttle that keeps message edits rare (pure).

``progress_line("Fetching tracks", 300, 1000)`` gives
``Fetching tracks 300/1,000 ▰▰▰▱▱▱▱▱▱▱``. :class:`ThrottledProgress` turns the
pipeline's synchronous progress callbacks into at most one edit per interval
(plus one whenever the stage changes), so a 10,000-track playlist does not cost
10,000 rate-limited edits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

BAR_WIDTH = 10
log = logging.getLogger(__name__)


def progress_line(stage: str, done: int, total: int, width: int = BAR_WIDTH) -> str:
    """``stage done/total`` and a bar of ``width`` segments, or ``stage…`` without a total."""
    if total <= 0:
        return f"{stage}…"
    done = min(max(done, 0), total)
    filled = min(width, int(width * done / total))
    return f"{stage} {done:,}/{total:,} {'▰' * filled}{'▱' * (width - filled)}"


class ThrottledProgress:
    """A ProgressCallback that edits a message at most once per ``interval`` seconds.

    Edits run as tasks so the pipeline never waits on Discord; only one edit is in
    flight at a time and a report arriving meanwhile is kept and sent next.
    Call :meth:`close` before sending the final answer so no stale progress edit
    lands after it.
    """

    def __init__(
        self,
        edit: Callable[[str], Awaitable[object]],
        *,
        interval: float = 1.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._edit = edit
        self._interval = interval
        self._clock = clock
        self._last_sent_at: float | None = None
        self._last_stage: str | None = None
        self._last_line = ""
        self._pending: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self.sent: list[str] = []

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self._closed:
            return
        line = progress_line(stage, done, total)
        if line == self._last_line:
            return
        now = self._clock()
        due = (
            self._last_sent_at is None
            or stage != self._last_stage
            or now - self._last_sent_at >= self._interval
        )
        if not due:
            return
        self._last_stage = stage
        self._last_sent_at = now
        self._last_line = line
        self._pending = line
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        while self._pending is not None and not self._closed:
            line, self._pending = self._pending, None
            try:
                await self._edit(line)
                self.sent.append(line)
            except Exception:  # a lost progress edit must never fail the analysis
                log.warning("progress edit failed", exc_info=True)

    async def close(self) -> None:
        """Stop reporting and wait for an edit in flight, dropping any not yet sent."""
        self._closed = True
        self._pending = None
        if self._task is not None and not self._task.done():
            with contextlib.suppress(Exception):
                await self._task


class PlaceNotices:
    """Wraps a "you are n-th in line" callback so a long line does not flood Discord.

    Told at once when first waiting; after that a new place is told if it is among the
    first ``near`` places, or has fallen by at least ``step`` (a fifth) since the last
    place told, or ``every`` seconds have passed since the last notice. From 1,000th
    that is about 30 notices instead of one per analysis finished ahead (a million edits
    for a line of a thousand members).
    """

    def __init__(
        self,
        tell: Callable[[int], Awaitable[object]],
        *,
        near: int = 3,
        step: float = 0.2,
        every: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._tell = tell
        self._near = near
        self._step = step
        self._every = every
        self._clock = clock
        self._told: int | None = None
        self._told_at = 0.0

    def due(self, place: int) -> bool:
        """Whether ``place`` would be told now."""
        told = self._told
        if told is None:
            return True
        if place == told:
            return False
        return (
            place <= self._near
            or place <= told * (1 - self._step)
            or self._clock() - self._told_at >= self._every
        )

    async def __call__(self, place: int) -> None:
        if not self.due(place):
            return
        self._told, self._told_at = place, self._clock()
        await self._tell(place)
