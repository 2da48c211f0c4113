"""The stream's hand-over to a later provider's prefetch asks whether it will be
awaited (bot/features/stream.py, ``_Tail``), with stand-in providers and no network."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bot.features.stream import FeatureStream
from bot.model import PROVIDER_AUDIO_FEATURES, Track, no_progress

FULL = dict.fromkeys(PROVIDER_AUDIO_FEATURES, 0.5)


class Known:
    """A batch provider that knows the tracks whose number ``knows`` accepts."""

    name = "known"
    family = "provider"
    batch_size = 10
    stage = "Known"
    enabled = True

    def __init__(self, knows) -> None:
        self.knows = knows

    async def enrich(self, tracks: Sequence[Track], progress=no_progress) -> int:
        await asyncio.sleep(0)
        for track in tracks:
            if self.knows(int(track.id)):
                track.audio = dict(FULL)
        return 0


class Late:
    """A two-column provider that records what it was handed and what it stopped."""

    name = "late"
    family = "provider"
    width = 2

    def __init__(self) -> None:
        self.handed: list[tuple[int, int]] = []  # (track number, tracks settled then)
        self.cancelled: list[object] = []
        self.answers: set[int] = set()
        self.stream: FeatureStream | None = None

    def prefetch(self, tracks: Sequence[Track], answer: object = None) -> None:
        self.answers.add(id(answer))
        added = self.stream.tail.settled if self.stream and self.stream.tail else -1
        self.handed += [(int(t.id), added) for t in tracks]

    def cancel_prefetch(self, answer: object) -> None:
        self.cancelled.append(answer)

    async def enrich(self, tracks: Sequence[Track], progress=no_progress) -> int:
        return 0


def tracks(n: int) -> list[Track]:
    return [Track(id=str(i), title=f"t{i}", spotify_id=f"s{i}") for i in range(n)]


async def stream_pages(knows, n: int = 200, page: int = 50) -> Late:
    late = Late()
    stream = FeatureStream([Known(knows)], concurrency=1, tail=late)
    late.stream = stream
    every = tracks(n)
    for start in range(0, n, page):
        stream.add(every[start : start + page])
        await asyncio.sleep(0.01)  # the batches of this page settle before the next
    await stream.finish()
    stream.settle(every)
    return late


async def test_nothing_is_handed_over_when_full_features_cover_the_playlist() -> None:
    late = await stream_pages(lambda i: i % 25 != 0)  # 4% lacking
    assert late.handed == []
    assert len(late.cancelled) == 1  # nothing left to stop, but asked to


async def test_everything_lacking_is_handed_over_from_the_first_batch() -> None:
    late = await stream_pages(lambda i: i % 10 == 0)  # 90% lacking
    assert sorted(i for i, _ in late.handed) == [i for i in range(200) if i % 10]
    assert late.handed[0][1] <= 10  # at the first settled batch, not at the end
    assert len(late.answers) == 1  # one fetch, one shared budget
    assert late.cancelled == []


async def test_an_early_start_is_stopped_when_the_playlist_turns_out_covered() -> None:
    # the first page is unknown, the other three are known: the first batches look
    # like a playlist the provider would lead, the whole is covered
    late = await stream_pages(lambda i: i >= 50)
    assert late.handed and all(i < 50 for i, _ in late.handed)
    assert len(late.cancelled) == 1


async def test_a_mixed_playlist_that_ends_uncovered_keeps_its_lookups() -> None:
    # covered at first, then mostly unknown: held leftovers go out once it turns
    late = await stream_pages(lambda i: i < 80)
    assert sorted(i for i, _ in late.handed) == list(range(80, 200))
    assert late.cancelled == []


async def test_a_failed_fetch_stops_the_prefetches() -> None:
    late = Late()
    stream = FeatureStream([Known(lambda i: False)], concurrency=1, tail=late)
    stream.add(tracks(20))
    await asyncio.sleep(0.01)
    stream.cancel()
    stream.settle(None)
    assert late.handed and len(late.cancelled) == 1
