"""PlaceNotices: a long line is told its places without one edit per finished analysis."""

from __future__ import annotations

import itertools

from bot.progress import PlaceNotices


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_line_of_a_thousand_is_told_about_thirty_times_and_the_last_places_all() -> None:
    told: list[int] = []

    async def tell(place: int) -> None:
        told.append(place)

    notices = PlaceNotices(tell, clock=Clock())
    for place in range(1000, 0, -1):  # one analysis ahead finishes at a time, instantly
        await notices(place)
    assert told[0] == 1000 and told[-3:] == [3, 2, 1]
    assert 20 <= len(told) <= 40
    assert all(b <= a * 0.8 for a, b in itertools.pairwise(told) if b > 3)


async def test_a_slow_line_is_told_again_after_a_while_and_never_the_same_place() -> None:
    told: list[int] = []

    async def tell(place: int) -> None:
        told.append(place)

    clock = Clock()
    notices = PlaceNotices(tell, every=30.0, clock=clock)
    await notices(50)
    await notices(50)
    clock.now = 10
    await notices(49)  # too soon, too small a step
    clock.now = 31
    await notices(48)
    clock.now = 100
    await notices(48)  # unchanged: nothing to say
    assert told == [50, 48]
