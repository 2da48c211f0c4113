"""Adaptive request pacing for hosts whose rate limits are unpublished (Spotify, ReccoBeats).

:class:`AdaptiveRate` is pure bookkeeping (no sockets, clock injectable) of one host's
pace, shared by every request the process makes to that host:

- **Start unpaced.** Until the host first answers 429 nothing but the HTTP layer's
  bound on requests in flight limits the pace: a server that does not limit is used
  as fast as those requests come back.
- **Multiplicative decrease.** A 429 sets the pace to ``decrease`` times the rate the
  server was accepting just before (answers that were not refused over the last
  ``window`` seconds), or times the current pace when that is lower. Only a refusal
  of a request sent *after* the last decrease counts: the other requests already in
  flight were sent at the old pace and say nothing new.
- **Retry-After honoured host-wide.** A refusal's ``Retry-After`` pauses every
  request to the host until then, not only the refused one.
- **Additive increase.** Every accepted answer adds ``increase / rate`` to the
  rate: ``increase`` requests per second more for each second spent at full pace
  without a refusal; within 5% of the rate the server accepted when it last refused,
  a fifth of that (so the pace lingers below the known limit instead of hitting it
  again at once, each hit costing a ``Retry-After`` pause). ``ceiling`` (optional)
  bounds the pace, ``floor`` keeps it from stalling.

:meth:`AdaptiveRate.reserve` books the next send slot and says how long to wait for
it; :meth:`AdaptiveRate.acquire` is the async wrapper the HTTP client awaits.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

#: A refusal sets the pace to this share of what the server was accepting.
DECREASE = 0.8
#: Requests per second added per second at full pace without a refusal.
INCREASE = 1.0
#: The pace never drops below this many requests per second.
FLOOR = 0.2
#: Seconds over which the accepted rate is measured.
WINDOW = 1.0
#: Near the last known limit (this share of it) the pace grows this much slower.
NEAR_LIMIT = 0.95
SLOW_GROWTH = 0.2


class AdaptiveRate:
    """One host's AIMD pace; see the module doc."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        ceiling: float | None = None,
        floor: float = FLOOR,
        increase: float = INCREASE,
        decrease: float = DECREASE,
        window: float = WINDOW,
    ) -> None:
        self.clock = clock
        self.ceiling = ceiling if ceiling and ceiling > 0 else None
        self.floor = floor
        self.increase = increase
        self.decrease = decrease
        self.window = window
        #: Requests per second, or None while unpaced (no refusal seen yet).
        self.rate: float | None = self.ceiling
        #: Sends are not due before this moment (a Retry-After pause).
        self.paused_until = float("-inf")
        self._next_slot = float("-inf")
        self._decreased_at = float("-inf")
        self._accepted: deque[float] = deque()
        #: The rate the server accepted when it last refused (None before any refusal).
        self.known_limit: float | None = None
        #: Counters for logs and benchmarks.
        self.sent = 0
        self.refused = 0
        self.decreases = 0

    def reserve(self) -> tuple[float, float]:
        """Book the next send slot: (its time, seconds to wait for it from now)."""
        now = self.clock()
        slot = max(now, self.paused_until)
        if self.rate is not None:
            slot = max(slot, self._next_slot)
            self._next_slot = slot + 1.0 / self.rate
        return slot, max(0.0, slot - now)

    def still_valid(self, slot: float) -> bool:
        """False when a pause began after ``slot`` was booked and covers it."""
        return self.paused_until <= slot

    def _accepted_rate(self, now: float) -> float:
        """Answers the server accepted per second over the last ``window`` seconds."""
        while self._accepted and self._accepted[0] < now - self.window:
            self._accepted.popleft()
        return len(self._accepted) / self.window

    def on_accepted(self) -> None:
        """An answer that was not a refusal: the pace grows additively."""
        now = self.clock()
        self._accepted.append(now)
        self._accepted_rate(now)  # drop old entries: memory stays bounded by the rate
        if self.rate is not None:
            near = self.known_limit is not None and self.rate >= NEAR_LIMIT * self.known_limit
            self.rate += self.increase * (SLOW_GROWTH if near else 1.0) / self.rate
            if self.ceiling is not None:
                self.rate = min(self.rate, self.ceiling)

    def on_refused(self, sent_at: float, retry_after: float | None = None) -> None:
        """A 429 for a request sent at ``sent_at``: pause for ``retry_after``, slow down."""
        now = self.clock()
        self.refused += 1
        if retry_after is not None and retry_after > 0:
            self.paused_until = max(self.paused_until, now + retry_after)
        if sent_at < self._decreased_at:
            return  # sent at the old pace: already accounted for
        accepted = self._accepted_rate(now)
        base = accepted if self.rate is None else min(self.rate, accepted or self.rate)
        self.known_limit = base or self.known_limit
        self.rate = max(self.floor, base * self.decrease)
        self._decreased_at = now
        self._next_slot = max(self._next_slot, self.paused_until)
        self.decreases += 1

    async def acquire(self, sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> float:
        """Wait for a send slot (re-booking if a pause began meanwhile); its time."""
        while True:
            slot, wait = self.reserve()
            if wait > 0:
                await sleep(wait)
            if self.still_valid(slot):
                self.sent += 1
                return self.clock()


class WindowLimit:
    """At most ``limit`` sends in any ``window`` seconds: a known budget such as Deezer's
    "about 50 requests per 5 seconds", kept as the server counts it (a sliding window).

    A token bucket of the same size would allow a full burst and then a steady rate
    on top, nearly twice the budget within one window.
    """

    def __init__(
        self, limit: int, window: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if limit < 1:  # DEEZER_RATE_PER_5S is checked when loaded; this is for callers
            raise ValueError(f"a window limit needs at least one send, not {limit}")
        self.limit = limit
        self.window = window
        self.clock = clock
        self._slots: deque[float] = deque(maxlen=self.limit)

    def reserve(self) -> float:
        """Book the next send slot; seconds to wait for it from now."""
        now = self.clock()
        slot = now
        if len(self._slots) == self.limit:
            slot = max(now, self._slots[0] + self.window)
        self._slots.append(slot)
        return slot - now

    async def acquire(self, sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
        """Wait for a send slot."""
        wait = self.reserve()
        if wait > 0:
            await sleep(wait)
