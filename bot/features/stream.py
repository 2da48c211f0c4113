"""Feature lookups that start while a playlist's pages are still arriving.

A source that accepts an ``on_tracks`` callback hands each parsed page of tracks to
:meth:`FeatureStream.add`; the stream cuts them into the providers' own batches
(Spotify 100 ids, ReccoBeats 40) and asks as soon as a batch is full, so feature
requests overlap the page requests instead of waiting for the last page.

Only *batch providers* stream: those with a ``batch_size`` (ids per request), and
only the leading run of them in provider order, so the order of providers keeps its
meaning: the tracks a provider did not cover go on to the next provider in the run,
batch by batch. Each batch goes through the provider's own ``enrich`` (feature cache
first, then the request, then the cache), so caching is unchanged. Tracks with the
same id are asked once; :meth:`FeatureStream.finish` copies the features to the
duplicates (the source keeps the first of them).

What the last of them leaves can go to a later provider's ``prefetch`` (Deezer's tempo
lookups, for tracks no preview can cover), which starts looking it up while the pages
are still arriving, but only while that provider looks needed: the stream asks of
the tracks settled so far the question the pipeline asks before it waits for the
provider (:func:`bot.analysis.unheard.can_place_by_sound`: could its few columns
place any track by sound, or do fully described tracks already cover half the
playlist?). Leftovers are held while the answer is no, and handed over once it is
yes, so a playlist that ReccoBeats mostly lacks starts its lookups with the first
batch, as before, while one that ReccoBeats mostly covers asks nothing.
:meth:`FeatureStream.settle` then asks the question of the whole playlist and stops
the prefetches the answer will not wait for (those begun when the first batches
looked uncovered).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bot.analysis.unheard import can_place_by_sound, could_place_by_sound, fully_described
from bot.features import BatchProvider, FeatureProvider, PrefetchingProvider
from bot.model import ProgressCallback, Track, no_progress
from bot.tasks import TASKS_PER_REQUEST


def streaming_providers(providers: Sequence[FeatureProvider]) -> list[BatchProvider]:
    """The leading providers that look features up in batches of ids (``batch_size``)."""
    leading: list[BatchProvider] = []
    for provider in providers:
        if not isinstance(provider, BatchProvider):
            break
        leading.append(provider)
    return leading


def prefetching_provider(
    providers: Sequence[FeatureProvider], streamed: int
) -> PrefetchingProvider | None:
    """The provider after the ``streamed`` leading ones (preview analysis, which cannot
    cover tracks without a preview, stands aside for it), if it can prefetch."""
    for provider in providers[streamed:]:
        if provider.family != "preview":
            return provider if isinstance(provider, PrefetchingProvider) else None
    return None


class _Token:
    """Identifies one fetch's prefetches (weakly referenced by the provider)."""


class _Tail:
    """The leftovers' way to a later provider's ``prefetch``, open only while that
    provider looks needed by the tracks settled so far (see the module's docstring)."""

    def __init__(self, provider: PrefetchingProvider) -> None:
        self.provider = provider
        #: One token per fetch: its prefetches share one time budget.
        self.answer = _Token()
        self.settled = 0
        self.described = 0
        self.held: list[Track] = []

    def count(self, tracks: Sequence[Track]) -> None:
        """``tracks`` are settled: they have what the streamed providers could give."""
        self.settled += len(tracks)
        self.described += sum(1 for t in tracks if fully_described(t))

    def leave(self, tracks: Sequence[Track]) -> None:
        """The streamed providers left ``tracks`` without features (already counted)."""
        self.held.extend(tracks)
        if self.held and could_place_by_sound(self.described, self.settled, self.provider.width):
            held, self.held = self.held, []
            self.provider.prefetch(held, answer=self.answer)

    def settle(self, tracks: Sequence[Track] | None) -> None:
        """The playlist is complete (None: the fetch failed): stop the prefetches
        nobody will wait for."""
        self.held = []
        if tracks is None or not can_place_by_sound(tracks, self.provider.width):
            self.provider.cancel_prefetch(self.answer)


def _observe(task: asyncio.Task[None]) -> None:
    """Mark a failure as seen: :meth:`FeatureStream.finish` raises it, or the fetch
    failed first and it no longer matters."""
    if not task.cancelled():
        task.exception()


class _Stage:
    """One provider of the stream: a buffer of tracks, cut into batches as it fills."""

    def __init__(self, provider: BatchProvider, lanes: int, after: _Stage | None) -> None:
        self.provider = provider
        self.size = provider.batch_size
        self.name = provider.stage
        self.after = after
        #: Where the last provider's leftovers go (a later provider's ``prefetch``).
        self.tail: _Tail | None = None
        self.buffer: list[Track] = []
        self.tasks: set[asyncio.Task[None]] = set()
        self.lanes = asyncio.Semaphore(lanes)
        self.total = 0
        self.done = 0
        self.progress: ProgressCallback = no_progress
        #: No more pages will come: a partial batch is asked at once.
        self.last = False

    def add(self, tracks: Sequence[Track]) -> None:
        self.buffer.extend(tracks)
        self.total += len(tracks)
        while len(self.buffer) >= self.size or (self.last and self.buffer):
            self._launch(self.buffer[: self.size])
            del self.buffer[: self.size]

    def _launch(self, batch: list[Track]) -> None:
        task = asyncio.get_running_loop().create_task(self._run(batch))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        task.add_done_callback(_observe)

    async def _run(self, batch: list[Track]) -> None:
        async with self.lanes:
            await self.provider.enrich(batch, no_progress)
        self.done += len(batch)
        if self.provider.enabled:  # Spotify's, once switched off: silent
            self.progress(self.name, self.done, self.total)
        left = [t for t in batch if t.audio is None]
        if self.tail is not None:
            self.tail.count([t for t in batch if t.audio is not None])
        if self.after is not None:
            self.after.add(left)
        elif self.tail is not None:
            self.tail.count(left)
            self.tail.leave(left)

    async def finish(self, progress: ProgressCallback) -> None:
        """Ask for the last, partial batch and wait for every batch of this provider."""
        self.progress = progress
        if self.buffer:
            self._launch(self.buffer)
            self.buffer = []
        if self.total and self.provider.enabled:
            progress(self.name, self.done, self.total)
        while self.tasks:
            await asyncio.gather(*list(self.tasks))

    def cancel(self) -> None:
        for task in self.tasks:
            task.cancel()


class FeatureStream:
    """Feeds pages of tracks to the leading batch providers as they arrive."""

    def __init__(
        self,
        providers: Sequence[BatchProvider],
        concurrency: int = 8,
        tail: PrefetchingProvider | None = None,
    ) -> None:
        """``tail`` (optional): the provider whose ``prefetch`` gets the tracks the last
        streamed provider left without features, batch by batch, while it looks needed."""
        lanes = concurrency * TASKS_PER_REQUEST
        after: _Stage | None = None
        stages: list[_Stage] = []
        for provider in reversed(list(providers)):
            after = _Stage(provider, lanes, after)
            stages.insert(0, after)
        self.stages = stages
        self.tail = None if tail is None or not stages else _Tail(tail)
        for stage in stages:
            stage.tail = self.tail
        self._first: dict[str, Track] = {}
        self._twins: list[tuple[Track, Track]] = []

    @property
    def names(self) -> frozenset[str]:
        """The providers this stream ran (the pipeline does not run them again)."""
        return frozenset(stage.provider.name for stage in self.stages)

    def add(self, tracks: Sequence[Track], *, last: bool = False) -> None:
        """A page of tracks has arrived: queue those lacking features (once per id).

        ``last``: no page will follow (a source read whole, such as Spotify's embed
        page, that has more to do before it returns): the partial batches are asked
        now rather than at :meth:`finish`, so every track's features are known early
        (the Deezer matcher puts the tracks they miss first).
        """
        fresh: list[Track] = []
        for track in tracks:
            if track.audio is not None or not track.spotify_id:
                if self.tail is not None and track.spotify_id not in self._first:
                    self.tail.count([track])  # settled as it came
                continue
            first = self._first.get(track.spotify_id)
            if first is None:
                self._first[track.spotify_id] = track
                fresh.append(track)
            else:
                self._twins.append((first, track))
        if last:
            for stage in self.stages:
                stage.last = True
        if (fresh or last) and self.stages:
            self.stages[0].add(fresh)

    async def finish(self, progress: ProgressCallback = no_progress) -> None:
        """The last page has arrived: ask for what is left, provider by provider."""
        try:
            for stage in self.stages:
                await stage.finish(progress)
        finally:
            self.cancel()
        for first, twin in self._twins:
            if twin.audio is None and first.audio is not None:
                twin.audio = dict(first.audio)
                twin.audio_provider = first.audio_provider

    def settle(self, tracks: Sequence[Track] | None) -> None:
        """The fetch is over with ``tracks`` (None: it failed): stop the prefetches
        nobody will wait for."""
        if self.tail is not None:
            self.tail.settle(tracks)

    def cancel(self) -> None:
        """Stop every lookup still running (the fetch failed or was cancelled)."""
        for stage in self.stages:
            stage.cancel()
