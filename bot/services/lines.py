"""Where analyses run: in this process (the default) or on workers through Redis.

The cogs ask a line for an analysis (:meth:`link`, :meth:`csv`, :meth:`ref`) with a
progress callback and a "place in line" callback, and get an
:class:`~bot.pipeline.runner.Outcome`; they never know which line serves them.

- :class:`LocalLine` runs it here: a slot in the bot's :class:`~bot.services.queue.AnalysisQueue`
  around the expensive part. A worker uses one without a queue (arq limits its jobs).
- :class:`JobLine` (``REDIS_URL`` set) first does here what is cheap, exactly as the
  local line would (resolve the link, read the cache, ask for the snapshot), with a gate
  that raises :class:`Offload` instead of opening: where the local line would start
  working, the request goes to a worker as a job (:class:`~bot.jobs.client.JobClient`),
  and the finished analysis is read back from the shared cache. So a cached answer never
  waits behind other jobs, and a user error found here is answered without a job.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING

from bot.errors import UserError
from bot.jobs.client import JobClient, PlaceCallback
from bot.jobs.protocol import AnalysisRequest
from bot.locales import N_
from bot.model import AnalysisOptions, PlaylistRef, ProgressCallback, no_progress
from bot.pipeline.runner import Gate, Outcome, open_gate
from bot.progress import PlaceNotices

if TYPE_CHECKING:
    from bot.services.analyzer import Analyzer
    from bot.services.personal import PersonalAnalyzer
    from bot.services.queue import AnalysisQueue


class Offload(Exception):
    """Raised by :func:`offload_gate`: this request needs real work, a worker's job."""


@asynccontextmanager
async def _offload() -> AsyncIterator[None]:
    raise Offload
    yield  # pragma: no cover  (never reached: makes this an async generator)


def offload_gate() -> AbstractAsyncContextManager[None]:
    """A :data:`~bot.pipeline.runner.Gate` that never opens: it raises :class:`Offload`."""
    return _offload()


class AnalysisLost(UserError):
    """A worker finished, but its analysis is not in the cache the bot reads."""

    def __init__(self) -> None:
        super().__init__(
            N_("The analysis finished but could not be read back from the cache; please try again.")
        )


class LocalLine:
    """Analyses in this process, in ``queue``'s line (None: no line of its own)."""

    def __init__(
        self, analyzer: Analyzer, personal: PersonalAnalyzer, queue: AnalysisQueue | None
    ) -> None:
        self.analyzer = analyzer
        self.personal = personal
        self.queue = queue

    def _gate(self, on_place: PlaceCallback | None) -> Gate:
        queue = self.queue
        if queue is None:
            return open_gate
        notices = None if on_place is None else PlaceNotices(on_place)
        return lambda: queue.slot(notices)

    async def link(
        self,
        user_id: int,
        text: str,
        options: AnalysisOptions,
        progress: ProgressCallback = no_progress,
        on_place: PlaceCallback | None = None,
    ) -> Outcome:
        """A link (or Liked Songs) as ``user_id`` asks for it (their own Spotify if connected)."""
        return await self.personal.from_link(user_id, text, options, progress, self._gate(on_place))

    async def csv(
        self,
        data: bytes,
        name: str,
        options: AnalysisOptions,
        progress: ProgressCallback = no_progress,
        on_place: PlaceCallback | None = None,
    ) -> Outcome:
        """An uploaded CSV export."""
        return await self.analyzer.from_csv(data, name, options, progress, self._gate(on_place))

    async def ref(
        self,
        ref: PlaylistRef,
        options: AnalysisOptions,
        progress: ProgressCallback = no_progress,
        on_place: PlaceCallback | None = None,
    ) -> Outcome:
        """A known playlist (a weekly schedule's)."""
        return await self.analyzer.from_ref(ref, options, progress, self._gate(on_place))

    async def run(
        self, request: AnalysisRequest, progress: ProgressCallback = no_progress
    ) -> Outcome:
        """Whatever ``request`` asks for (a worker's job)."""
        if request.kind == "link":
            return await self.link(request.user_id or 0, request.text, request.options, progress)
        if request.kind == "csv":
            return await self.csv(request.data, request.name, request.options, progress)
        assert request.ref is not None, "a ref request names its playlist"
        return await self.ref(request.ref, request.options, progress)


class JobLine:
    """Analyses on workers, after what is cheap is done here (see the module docstring)."""

    def __init__(self, analyzer: Analyzer, personal: PersonalAnalyzer, jobs: JobClient) -> None:
        self.analyzer = analyzer
        self.personal = personal
        self.jobs = jobs

    async def link(
        self,
        user_id: int,
        text: str,
        options: AnalysisOptions,
        progress: ProgressCallback = no_progress,
        on_place: PlaceCallback | None = None,
    ) -> Outcome:
        try:
            return await self.personal.from_link(user_id, text, options, progress, offload_gate)
        except Offload:
            pass
        request = AnalysisRequest("link", options, text=text, user_id=user_id)
        return await self._job(request, progress, on_place)

    async def csv(
        self,
        data: bytes,
        name: str,
        options: AnalysisOptions,
        progress: ProgressCallback = no_progress,
        on_place: PlaceCallback | None = None,
    ) -> Outcome:
        found = await self.analyzer.cached_csv(data, name, options)
        if found is not None:
            return found
        request = AnalysisRequest("csv", options, name=name, data=data)
        return await self._job(request, progress, on_place)

    async def ref(
        self,
        ref: PlaylistRef,
        options: AnalysisOptions,
        progress: ProgressCallback = no_progress,
        on_place: PlaceCallback | None = None,
    ) -> Outcome:
        try:
            return await self.analyzer.from_ref(ref, options, progress, offload_gate)
        except Offload:
            pass
        return await self._job(AnalysisRequest("ref", options, ref=ref), progress, on_place)

    async def _job(
        self,
        request: AnalysisRequest,
        progress: ProgressCallback,
        on_place: PlaceCallback | None,
    ) -> Outcome:
        notices = None if on_place is None else PlaceNotices(on_place)
        done = await self.jobs.run(request, progress, notices)
        analysis = await self.analyzer.load(done.key, complete=request.options.complete)
        if analysis is None:
            raise AnalysisLost()
        return Outcome(done.key, analysis, cached=done.cached)
