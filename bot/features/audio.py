"""Features computed from 30-second preview audio, when providers describe too few tracks.

:class:`PreviewAudioProvider` downloads each preview (only from allowlisted hosts,
with a size cap and a timeout, redirects followed only to allowlisted hosts),
decodes and analyses it in a process pool (never on the event loop; the decoder and
scipy.signal are imported only then) and fills ``Track.preview_features``.

- Memory stays bounded for any playlist size: a fixed number of tracks (twice the
  worker count) is in flight at a time, each holding at most ``max_bytes``.
- A bad, silent, too large or unreachable preview is skipped and counted in a
  :class:`PreviewReport`, never fatal.
- With a feature cache, features are stored per track id and
  :data:`~bot.analysis.audio.signal.FEATURE_VERSION`, so analysing the same tracks again
  downloads nothing. Previews that proved silent, too short or undecodable are
  remembered by reason (:mod:`bot.features.preview_failures`) and tried again only
  after ``failure_retry_seconds`` (a day by default); they still count in the report.
  Preview URLs are signed and expire (Deezer: ~15 minutes): used as given, never kept.
- It runs last among the providers, and works only when the provider family will
  not be used: when provider audio features (``Track.audio``) cover at least
  :data:`~bot.analysis.features.MIN_FAMILY_COVERAGE` of the tracks, the pipeline
  clusters on them and never mixes in preview features, so nothing is downloaded.
  Otherwise the preview family leads, and every track with a preview is analysed,
  including the few that have provider features: the preview matrix then describes
  them by their sound rather than by the column medians.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Protocol

import aiohttp
from yarl import URL

from bot.analysis.audio.preview_result import FEATURE_VERSION, Skipped
from bot.analysis.features import MIN_FAMILY_COVERAGE
from bot.features.cache import FeatureCache
from bot.features.preview_failures import DAY_SECONDS, FailureMemory
from bot.model import ProgressCallback, Track
from bot.settings.groups import FeatureSettings

log = logging.getLogger(__name__)

#: The progress stage users see ("Listening to previews 120/430").
STAGE = "Listening to previews"
#: Provider name in the feature cache. Track ids of the sources never overlap
#: (Deezer: digits, Spotify: 22 base-62 characters, CSV: a Spotify id or "csv:<hash>"),
#: so one cache namespace serves them all.
PROVIDER_NAME = "preview"
CACHE_SOURCE = "preview"
#: Redirects followed per preview (each target must be an allowlisted host).
MAX_REDIRECTS = 3
#: Features are written to the cache in batches of this many tracks.
CACHE_BATCH = 50
#: Why a preview was not analysed, besides the reasons of bot.analysis.audio.signal.SkipReason.
HOST_NOT_ALLOWED = "host not allowed"
TOO_LARGE = "too large"
DOWNLOAD_FAILED = "download failed"
ANALYSIS_FAILED = "analysis failed"


@dataclass(slots=True)
class PreviewReport:
    """What one enrichment did: tracks that needed previews, and how each ended."""

    candidates: int = 0
    cached: int = 0
    analysed: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    not_needed: bool = False
    #: Of the skipped, how many were known failures, not downloaded again this run.
    remembered: int = 0

    @property
    def failed(self) -> int:
        """Previews that could not be analysed, whatever the reason."""
        return sum(self.skipped.values())

    @property
    def covered(self) -> int:
        """Tracks that have preview features after the run."""
        return self.cached + self.analysed

    def summary(self) -> str:
        """'3 previews could not be analysed (2 silent, 1 download failed).' or ''."""
        if not self.failed:
            return ""
        from bot.render.summary import PREVIEWS_FAILED, counted  # (sklearn: not at import)

        c = sorted(self.skipped.items(), key=lambda item: (-item[1], item[0]))
        return counted(PREVIEWS_FAILED, self.failed, reasons=", ".join(f"{n} {r}" for r, n in c))


def default_workers() -> int:
    """Processes for audio analysis: the CPU cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _single_threaded_worker() -> None:
    """Pool initializer: one BLAS thread per worker, as the pool already fills the cores."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


def make_executor(workers: int | None = None) -> ProcessPoolExecutor:
    """A process pool for :func:`~bot.analysis.audio.decode.analyse_audio_bytes`.

    Workers start from a clean interpreter (forkserver where available, else spawn)
    rather than a fork of a process that runs an event loop and threads, and use
    one BLAS thread each so ``workers`` processes do not oversubscribe the cores.
    """
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(["bot.analysis.audio.decode"])
    return ProcessPoolExecutor(
        max_workers=workers or default_workers(),
        mp_context=context,
        initializer=_single_threaded_worker,
    )


class HasSession(Protocol):
    """What the provider needs of an HTTP client (``bot.net.client.HttpClient``): its session."""

    @property
    def session(self) -> aiohttp.ClientSession: ...


#: Where previews are downloaded: a session, or a client whose session is made in the loop.
Downloader = aiohttp.ClientSession | HasSession


def _session_of(downloader: Downloader) -> aiohttp.ClientSession:
    """The aiohttp session itself, or the client's (created on first use, in the loop)."""
    if isinstance(downloader, aiohttp.ClientSession):
        return downloader
    return downloader.session


class PreviewAudioProvider:
    """Fills ``Track.preview_features`` from preview audio; see the module doc."""

    name = PROVIDER_NAME
    family = "preview"

    def __init__(
        self,
        http_or_session: Downloader,
        *,
        allowed_hosts: Iterable[str],
        max_bytes: int = 2_000_000,
        timeout: float = 20.0,
        cache: FeatureCache | None = None,
        workers: int | None = None,
        executor: Executor | None = None,
        failure_retry_seconds: float = DAY_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``executor`` shares an existing pool (the provider then never shuts it down);
        otherwise a pool of ``workers`` processes (default: one per core) starts on
        first use and stops in :meth:`aclose`. A preview that failed for a lasting
        reason is tried again after ``failure_retry_seconds`` (``clock``: Unix time)."""
        self._http = http_or_session
        self.allowed_hosts = frozenset(h.strip().lower() for h in allowed_hosts if h.strip())
        self.max_bytes = max_bytes
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.cache = cache
        self.failures = FailureMemory(
            cache, source=CACHE_SOURCE, retry_seconds=failure_retry_seconds, clock=clock
        )
        self.workers = workers or default_workers()
        self._executor = executor
        self._owns_executor = executor is None
        self.last_report = PreviewReport()

    @classmethod
    def from_settings(
        cls,
        features: FeatureSettings,
        http_or_session: Downloader,
        cache: FeatureCache | None = None,
    ) -> PreviewAudioProvider:
        """The provider as the settings describe it (hosts, size cap, timeout, workers)."""
        return cls(
            http_or_session,
            allowed_hosts=features.preview_hosts,
            max_bytes=features.preview_max_bytes,
            timeout=features.preview_timeout_seconds,
            cache=cache,
            workers=features.audio_workers or None,
            failure_retry_seconds=features.preview_retry_seconds,
        )

    async def __aenter__(self) -> PreviewAudioProvider:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop the process pool if this provider started it."""
        executor, self._executor = self._executor, None
        if executor is not None and self._owns_executor:
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)

    def _pool(self) -> Executor:
        if self._executor is None:
            self._executor = make_executor(self.workers)
            self._owns_executor = True
        return self._executor

    async def enrich(self, tracks: Sequence[Track], progress: ProgressCallback) -> int:
        """Fill preview features where needed; return how many tracks got them.

        The details (cached, analysed, skipped by reason) are in :attr:`last_report`.
        """
        report = await self.analyse(tracks, progress)
        self.last_report = report
        return report.covered

    @property
    def last_note(self) -> str:
        """What the user should hear about the last enrichment ('' if nothing).

        Read right after :meth:`enrich` returns (no await in between), it belongs to
        that call even when several analyses share this provider.
        """
        return self.last_report.summary()

    async def analyse(self, tracks: Sequence[Track], progress: ProgressCallback) -> PreviewReport:
        """Like :meth:`enrich`, returning this run's :class:`PreviewReport`."""
        report = PreviewReport()
        with_audio = sum(1 for t in tracks if t.audio)
        if tracks and with_audio / len(tracks) >= MIN_FAMILY_COVERAGE:
            report.not_needed = True
            return report
        by_id: dict[str, list[Track]] = {}
        for track in tracks:
            if not track.preview_features and track.preview_url:
                by_id.setdefault(track.id, []).append(track)
        total = len(by_id)
        report.candidates = total
        if not total:
            return report
        progress(STAGE, 0, total)
        await self._from_cache(by_id, report)
        for track_id, reason in (await self.failures.recent(list(by_id))).items():
            del by_id[track_id]
            report.skipped[reason] += 1
            report.remembered += 1
        if len(by_id) < total:
            progress(STAGE, total - len(by_id), total)
        if by_id:
            await self._analyse_missing(by_id, report, progress, total)
        return report

    async def _from_cache(self, by_id: dict[str, list[Track]], report: PreviewReport) -> None:
        """Fill cached features and take those tracks out of ``by_id``."""
        if self.cache is None:
            return
        cached = await self.cache.get_features(
            CACHE_SOURCE, list(by_id), PROVIDER_NAME, FEATURE_VERSION
        )
        for track_id, features in cached.items():
            for track in by_id.pop(track_id, ()):
                track.preview_features = dict(features)
            report.cached += 1

    async def _analyse_missing(
        self,
        by_id: dict[str, list[Track]],
        report: PreviewReport,
        progress: ProgressCallback,
        total: int,
    ) -> None:
        """Download and analyse ``by_id``'s previews, a bounded number at a time."""
        pending = iter(list(by_id.items()))
        unsaved: dict[str, dict[str, float]] = {}
        failed: dict[str, str] = {}

        async def save(force: bool) -> None:
            if self.cache is None or not unsaved or (len(unsaved) < CACHE_BATCH and not force):
                return
            batch = dict(unsaved)
            unsaved.clear()
            await self.cache.put_features(CACHE_SOURCE, batch, PROVIDER_NAME, FEATURE_VERSION)

        async def worker() -> None:
            for track_id, same_tracks in pending:
                result = await self._one(same_tracks[0].preview_url)
                if isinstance(result, dict):
                    for track in same_tracks:
                        track.preview_features = dict(result)
                    report.analysed += 1
                    unsaved[track_id] = result
                    await save(force=False)
                else:
                    report.skipped[result] += 1
                    failed[track_id] = result
                progress(STAGE, report.cached + report.analysed + report.failed, total)

        lanes = min(len(by_id), 2 * self.workers)
        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(lanes):
                    group.create_task(worker())
        except BaseExceptionGroup as errors:
            # Callers handle plain exceptions (a UserError from the cache, say), not groups.
            raise errors.exceptions[0] from None
        await save(force=True)
        await self.failures.remember(failed)

    async def _one(self, url: str) -> dict[str, float] | str:
        """The features of one preview, or the reason it has none."""
        data = await self._download(url)
        if isinstance(data, str):
            return data
        pool = self._pool()
        from bot.analysis.audio.decode import analyse_audio_bytes  # heavy: only when analysing

        try:
            result = await asyncio.get_running_loop().run_in_executor(
                pool, analyse_audio_bytes, data
            )
        except BrokenProcessPool:
            log.warning("the audio analysis pool broke; starting a new one")
            if self._owns_executor and self._executor is pool:
                self._executor = None
                pool.shutdown(wait=False, cancel_futures=True)
            return ANALYSIS_FAILED
        except Exception:  # a bug or resource limit on one odd file must not end the run
            log.exception("analysing a preview failed")
            return ANALYSIS_FAILED
        if isinstance(result, Skipped):
            log.debug("preview skipped: %s (%s)", result.reason, result.detail)
            return str(result.reason)
        return result

    def host_allowed(self, url: URL) -> bool:
        """Only http(s) URLs whose host is exactly one of the allowed hosts."""
        return (
            url.scheme in {"http", "https"}
            and url.host is not None
            and url.host.lower() in self.allowed_hosts
        )

    async def _read_body(self, response: aiohttp.ClientResponse) -> bytes | str:
        """The body of a 200 answer, or TOO_LARGE as soon as it passes ``max_bytes``."""
        if (response.content_length or 0) > self.max_bytes:
            return TOO_LARGE
        data = bytearray()
        async for chunk in response.content.iter_chunked(64 * 1024):
            data += chunk
            if len(data) > self.max_bytes:
                return TOO_LARGE
        return bytes(data)

    async def _download(self, url: str) -> bytes | str:
        """The preview's bytes, or the reason they could not be fetched."""
        try:
            current = URL(url)
        except (ValueError, TypeError):
            return HOST_NOT_ALLOWED
        session = _session_of(self._http)
        try:
            for _ in range(MAX_REDIRECTS + 1):
                if not self.host_allowed(current):
                    log.info("preview host not allowed: %s", current.host)
                    return HOST_NOT_ALLOWED
                async with session.get(
                    current, allow_redirects=False, timeout=self.timeout
                ) as response:
                    if response.status in {301, 302, 303, 307, 308}:
                        location = response.headers.get("Location")
                        if not location:
                            return DOWNLOAD_FAILED
                        current = current.join(URL(location))
                        continue
                    if response.status != 200:
                        log.info("preview from %s: HTTP %s", current.host, response.status)
                        return DOWNLOAD_FAILED
                    return await self._read_body(response)
            return DOWNLOAD_FAILED
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            log.info("preview from %s failed: %s", current.host, type(error).__name__)
            return DOWNLOAD_FAILED
