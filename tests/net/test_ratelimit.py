"""The adaptive (AIMD) pace of bot/net/ratelimit.py, on a virtual clock: no sockets, no sleeping.

The last tests drive it with a small discrete-event model of the HTTP layer (8 requests
in flight, 50 ms round trips, the refused request sleeping its Retry-After) against a
server that allows ``limit`` requests in any 1-second window and answers 429 with
``Retry-After`` beyond that, as Spotify and ReccoBeats do.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from dataclasses import dataclass

import pytest

from bot.net.ratelimit import AdaptiveRate


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_unpaced_until_the_first_refusal() -> None:
    clock = Clock()
    pace = AdaptiveRate(clock=clock)
    waits = [pace.reserve()[1] for _ in range(50)]
    assert waits == [0.0] * 50
    assert pace.rate is None


def test_a_refusal_paces_below_what_the_server_accepted() -> None:
    clock = Clock()
    pace = AdaptiveRate(clock=clock, decrease=0.5)
    for _ in range(40):  # 40 accepted answers within the last second
        clock.now += 0.02
        pace.on_accepted()
    pace.on_refused(sent_at=clock.now - 0.05)
    assert pace.rate == pytest.approx(20.0)
    slots = [pace.reserve()[0] for _ in range(3)]
    assert slots[1] - slots[0] == pytest.approx(1 / 20)
    assert slots[2] - slots[1] == pytest.approx(1 / 20)


def test_refusals_of_requests_sent_before_the_decrease_count_once() -> None:
    clock = Clock()
    pace = AdaptiveRate(clock=clock, decrease=0.5)
    for _ in range(20):
        clock.now += 0.05
        pace.on_accepted()
    sent = clock.now - 0.05
    pace.on_refused(sent)
    first = pace.rate
    for _ in range(7):  # the other requests in flight at the old pace
        pace.on_refused(sent)
    assert pace.rate == first
    assert pace.decreases == 1
    assert pace.refused == 8
    clock.now += 1.0
    pace.on_refused(clock.now - 0.05)  # sent after the decrease: new information
    assert pace.rate is not None and first is not None and pace.rate < first


def test_recovers_additively_while_nothing_is_refused() -> None:
    clock = Clock()
    pace = AdaptiveRate(clock=clock, increase=1.0)
    for _ in range(10):
        clock.now += 0.1
        pace.on_accepted()
    pace.on_refused(clock.now)
    start = pace.rate
    assert start is not None
    # one second at full pace adds about `increase` requests per second
    for _ in range(round(start)):
        pace.on_accepted()
    assert pace.rate == pytest.approx(start + 1.0, rel=0.05)


def test_retry_after_pauses_the_whole_host_and_rebooks_slots() -> None:
    clock = Clock()
    pace = AdaptiveRate(clock=clock)
    booked, _ = pace.reserve()
    pace.on_refused(clock.now, retry_after=2.0)
    assert not pace.still_valid(booked)  # booked before the pause: must book again
    slot, wait = pace.reserve()
    assert slot >= clock.now + 2.0 and wait >= 2.0


def test_the_ceiling_bounds_the_pace_and_the_floor_keeps_it_moving() -> None:
    clock = Clock()
    pace = AdaptiveRate(clock=clock, ceiling=5.0, floor=0.5)
    assert pace.rate == 5.0
    for _ in range(100):
        pace.on_accepted()
    assert pace.rate == 5.0
    for _ in range(30):
        clock.now += 10
        pace.on_refused(clock.now)  # nothing accepted lately
    assert pace.rate == 0.5


async def test_acquire_waits_for_a_pause_that_began_while_waiting() -> None:
    clock = Clock()
    pace = AdaptiveRate(clock=clock, ceiling=10.0)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == 1:  # a 429 arrives while this request waits for its slot
            pace.on_refused(clock.now, retry_after=3.0)
        clock.now += seconds

    pace.reserve()  # someone else holds the next slot
    sent = await pace.acquire(sleep)
    assert sent >= pace.paused_until
    assert len(slept) == 2


@dataclass
class Outcome:
    wall: float
    sent: int
    refused: int


def simulate(requests: int, limit: int, *, latency: float = 0.05, lanes: int = 8) -> Outcome:
    """The HTTP layer's use of AdaptiveRate against a server allowing ``limit`` a second."""
    clock = Clock()
    clock.now = 0.0
    pace = AdaptiveRate(clock=clock)
    accepted: deque[float] = deque()
    events: list[tuple[float, int, str, float]] = []
    serial = 0
    todo, sent, refused = requests, 0, 0

    def push(at: float, kind: str, data: float = 0.0) -> None:
        nonlocal serial
        serial += 1
        heapq.heappush(events, (at, serial, kind, data))

    for _ in range(lanes):
        push(0.0, "want")
    while events:
        clock.now, _, kind, data = heapq.heappop(events)
        if kind == "want" and todo:
            todo -= 1
            slot, wait = pace.reserve()
            push(clock.now + wait, "send", slot)
        elif kind == "send":
            if not pace.still_valid(data):
                slot, wait = pace.reserve()
                push(clock.now + wait, "send", slot)
                continue
            sent += 1
            arrive = clock.now + latency / 2
            while accepted and accepted[0] <= arrive - 1.0:
                accepted.popleft()
            if len(accepted) >= limit:
                retry_after = math.ceil(accepted[0] + 1.0 - arrive)
                push(clock.now + latency, "refused", retry_after)
            else:
                accepted.append(arrive)
                push(clock.now + latency, "ok")
        elif kind == "ok":
            pace.on_accepted()
            push(clock.now, "want")
        elif kind == "refused":
            refused += 1
            pace.on_refused(clock.now - latency, data)  # sent one round trip ago
            todo += 1
            push(clock.now + data, "want")  # the refused request sleeps its Retry-After
    return Outcome(clock.now, sent, refused)


@pytest.mark.parametrize("limit", [5, 20, 50, 100])
@pytest.mark.parametrize("requests", [250, 1000])
def test_polite_and_near_the_limit_against_a_limiting_server(limit: int, requests: int) -> None:
    outcome = simulate(requests, limit)
    assert outcome.refused / outcome.sent < 0.10
    ideal = requests / limit
    assert outcome.wall < 1.5 * ideal


def test_a_server_that_does_not_limit_is_used_at_full_concurrency() -> None:
    outcome = simulate(1000, limit=10**9)
    assert outcome.refused == 0
    assert outcome.wall == pytest.approx(1000 / 8 * 0.05, rel=0.01)


def test_growth_slows_near_the_rate_the_server_last_refused_at() -> None:
    clock = Clock()
    pace = AdaptiveRate(clock=clock, increase=1.0, decrease=0.8)
    for _ in range(20):  # the server accepted 20 a second, then refused
        clock.now += 0.05
        pace.on_accepted()
    pace.on_refused(clock.now)
    assert pace.known_limit == pytest.approx(20.0) and pace.rate == pytest.approx(16.0)
    for _ in range(200):
        pace.on_accepted()
    # far below the limit it grows ~1/s per second at full pace, near it a fifth of that
    assert 19.0 < pace.rate < 21.0  # without the slowdown: about 25.6


def test_a_known_budget_holds_in_every_window() -> None:
    """Deezer's 45 per 5 s: never more than 45 sends in any 5 seconds, even after a burst."""
    from bot.net.ratelimit import WindowLimit

    clock = Clock()
    budget = WindowLimit(45, 5.0, clock=clock)
    slots = []
    for _ in range(200):
        clock.now += 0.01  # asked for far faster than allowed
        slots.append(clock.now + budget.reserve())
    for i, start in enumerate(slots):
        assert sum(1 for s in slots[i:] if s < start + 5.0) <= 45
    assert slots[44] - slots[0] < 1.0  # the first 45 go at once
    assert slots[-1] - slots[0] >= 20.0  # 200 sends need 4 more windows after the first
