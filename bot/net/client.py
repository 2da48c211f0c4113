"""One shared aiohttp session with per-host rate limits, timeouts and bounded retries.

Every remote call of the bot goes through :class:`HttpClient`:

- one ``aiohttp.ClientSession`` for the process (or the CLI run);
- per host a semaphore of ``HTTP_CONCURRENCY`` requests in flight and a pace: Deezer's
  known budget (``DEEZER_RATE_PER_5S`` in any 5 s, a :class:`bot.net.ratelimit.WindowLimit`), an
  adaptive one for Spotify, ReccoBeats and the public pages, whose limits are unpublished
  (:class:`bot.net.ratelimit.AdaptiveRate`: unpaced until the first 429, then AIMD, with
  ``Retry-After`` pausing the whole host; ``SPOTIFY_RATE_PER_SECOND`` /
  ``RECCOBEATS_RATE_PER_SECOND`` are optional ceilings, 0 = none), and
  :data:`DEFAULT_RATE` for anything else;
- a timeout on every call;
- whole bodies, however they arrive (one piece, many reads, chunked), with the size cap
  checked on ``Content-Length`` and again while streaming (:func:`read_body`);
- bounded retries (``HTTP_MAX_RETRIES``) on 429, 5xx, 408, timeouts, broken connections,
  bodies cut short and empty or unreadable (HTML) answers, honouring ``Retry-After``;
  a ``Retry-After`` longer than ``HTTP_MAX_RETRY_AFTER_SECONDS`` is reported as
  :class:`~bot.errors.ProviderDown` instead of waited out; other 4xx are never
  retried (401 is raised as :class:`Unauthorized` so the Spotify client can refresh
  its token once);
- Spotify's ``QUOTA_EXCEEDED`` 429 is reported, not retried, and remembered for
  ``quota_block_seconds`` so later calls to that host fail fast;
- Deezer's errors inside HTTP 200 bodies: code 4 (quota) pauses and retries, 700
  (busy) retries, 800 (no data) raises :class:`DeezerNoData`, any other code is an
  :class:`HttpError` with that ``code``.

What an answer means (reading the body, its JSON, Deezer's 200 errors) lives in
:mod:`bot.net.answers`; this module sends, limits and retries.

``pause_scale`` multiplies every pause (backoff, Retry-After, Deezer's quota pause),
so tests can exercise the waits without sleeping for seconds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import aiohttp
from yarl import URL

from bot.errors import ProviderDown
from bot.net.answers import (
    CONNECTION_FAILED,
    NO_ANSWER,
    NOT_ANSWERING,
    QUOTA_USED,
    TOO_MANY_REQUESTS,
    WAIT_ASKED,
    DeezerNoData,
    HttpError,
    Retry,
    Unauthorized,
    is_quota_exceeded,
    json_answer,
    loads,
    read_body,
    retry_after_seconds,
)
from bot.net.ratelimit import AdaptiveRate, WindowLimit
from bot.settings.groups import HttpSettings

#: Re-exported: callers catch these from here.
__all__ = [
    "DeezerNoData",
    "HttpClient",
    "HttpError",
    "Unauthorized",
    "host_key",
    "retry_after_seconds",
]

log = logging.getLogger(__name__)

#: Requests per second for hosts without their own setting (short links, preview CDNs).
DEFAULT_RATE = (10.0, 1.0)
#: Exponential backoff without Retry-After: BACKOFF_BASE * 2**attempt, at most BACKOFF_MAX.
BACKOFF_BASE = 0.5
BACKOFF_MAX = 8.0
#: The largest JSON answer read (a 100-item Spotify page is about 300 KB).
MAX_JSON_BYTES = 20_000_000
#: Answers at least this large are decoded in a worker thread, off the event loop.
DECODE_IN_THREAD_BYTES = 64 * 1024
#: Threads decoding large answers. One: decoding holds the GIL, so more threads would not
#: decode faster; they would only take turns with the event loop's thread, which then
#: waits for the GIL after every socket call (ten pages decoding in six threads at once
#: stalled the loop for 100 ms and more).
DECODE_THREADS = 1
USER_AGENT = "playlist-clusters/0.1 (+https://github.com/playlist-clusters)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: 4xx statuses that are worth another try (besides 429): request timeout, too early.
RETRY_STATUSES = frozenset({408, 425})

T = TypeVar("T")


def host_key(url: str | URL) -> str:
    """``host:port`` of a URL: limiters and counters are kept per key."""
    u = URL(url) if isinstance(url, str) else url
    return f"{(u.host or '').casefold()}:{u.port}"


class HttpClient:
    """The process's HTTP client: create one, share it, ``await close()`` it at the end."""

    def __init__(
        self,
        settings: HttpSettings,
        *,
        session: aiohttp.ClientSession | None = None,
        pause_scale: float = 1.0,
        quota_block_seconds: float = 600.0,
    ) -> None:
        s = settings
        self.timeout = s.timeout_seconds
        self.max_retries = s.max_retries
        self.max_retry_after = s.max_retry_after_seconds
        self.concurrency = s.concurrency
        self.pause_scale = pause_scale
        self.quota_block_seconds = quota_block_seconds
        self._session = session
        self._owns_session = session is None
        self._rates: dict[str, tuple[float, float]] = {}
        self._names: dict[str, str] = {}
        self._deezer_keys: set[str] = set()
        #: Hosts with unpublished limits, paced adaptively (one pace per host, shared).
        self.adaptive: dict[str, AdaptiveRate] = {}
        for base, name, ceiling in s.adaptive_hosts():
            key = host_key(base)
            self._names.setdefault(key, name)
            self.adaptive.setdefault(key, AdaptiveRate(ceiling=ceiling))
        key = host_key(s.deezer_api_base)
        self._names.setdefault(key, "Deezer")
        self._deezer_keys.add(key)
        if key not in self.adaptive:
            self._rates[key] = (float(s.deezer_rate_per_5s), 5.0)
        self._limiters: dict[str, WindowLimit] = {}
        self._semaphores: dict[str, asyncio.Semaphore] = {}
        self._blocked_until: dict[str, float] = {}
        #: Requests sent per ``host:port`` (each retry counts): for tests and benchmarks.
        self.requests: Counter[str] = Counter()
        #: Where large answers are decoded (started on first use, stopped by close()).
        self._decoder: ThreadPoolExecutor | None = None

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def session(self) -> aiohttp.ClientSession:
        """The one session, created on first use (it must be created inside the event loop)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(headers={"User-Agent": USER_AGENT})
            self._owns_session = True
        return self._session

    async def close(self) -> None:
        """Close the session if this client created it, and stop the decoding thread."""
        if self._owns_session and self._session is not None and not self._session.closed:
            await self._session.close()
        if self._decoder is not None:
            self._decoder.shutdown(wait=False)
            self._decoder = None

    async def _decoded(
        self,
        accept: Callable[[int, Mapping[str, str], bytes], T],
        status: int,
        headers: Mapping[str, str],
        body: bytes,
    ) -> T:
        """``accept(status, headers, body)``: at once for a small body, else in the
        decoding thread (:data:`DECODE_THREADS`) so the event loop goes on meanwhile."""
        if len(body) < DECODE_IN_THREAD_BYTES:
            return accept(status, headers, body)
        if self._decoder is None:
            self._decoder = ThreadPoolExecutor(DECODE_THREADS, thread_name_prefix="http-decode")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._decoder, accept, status, headers, body)

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())

    def provider_name(self, url: str) -> str:
        """'Spotify', 'Deezer', 'ReccoBeats' or the host, for messages."""
        key = host_key(url)
        return self._names.get(key, URL(url).host or "the remote service")

    def _limiter(self, key: str) -> WindowLimit:
        limiter = self._limiters.get(key)
        if limiter is None:
            rate, period = self._rates.get(key, DEFAULT_RATE)
            limiter = self._limiters[key] = WindowLimit(round(rate), period)
        return limiter

    def _semaphore(self, key: str) -> asyncio.Semaphore:
        sem = self._semaphores.get(key)
        if sem is None:
            sem = self._semaphores[key] = asyncio.Semaphore(self.concurrency)
        return sem

    def _feedback(
        self, pace: AdaptiveRate, sent_at: float, status: int, headers: Mapping[str, str]
    ) -> None:
        """Tell an adaptive pace how the server took a request (429: pause and slow down)."""
        if status != 429:
            pace.on_accepted()
            return
        delay = retry_after_seconds(headers.get("Retry-After"))
        if delay is not None and delay > self.max_retry_after:
            delay = None  # a quota or a long ban: reported by _request, not waited out
        pace.on_refused(sent_at, None if delay is None else delay * self.pause_scale)

    def _backoff(self, attempt: int) -> float:
        return min(BACKOFF_BASE * 2**attempt, BACKOFF_MAX)

    async def _send(
        self,
        method: str,
        url: str,
        *,
        max_bytes: int,
        **kwargs: Any,
    ) -> tuple[int, Mapping[str, str], bytes]:
        """One request within the host's concurrency and rate limits; the body up to max_bytes."""
        key = host_key(url)
        async with self._semaphore(key):
            pace = self.adaptive.get(key)
            if pace is not None:
                sent_at = await pace.acquire()
            else:
                await self._limiter(key).acquire()
            self.requests[key] += 1
            async with self.session.request(
                method,
                url,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                allow_redirects=False,
                **kwargs,
            ) as resp:
                if pace is not None:
                    self._feedback(pace, sent_at, resp.status, resp.headers)
                body = await read_body(resp, max_bytes)
                return resp.status, resp.headers, body

    async def _request(
        self,
        method: str,
        url: str,
        accept: Callable[[int, Mapping[str, str], bytes], T],
        *,
        max_bytes: int = MAX_JSON_BYTES,
        **kwargs: Any,
    ) -> T:
        """Send with bounded retries; ``accept`` turns a 2xx/3xx answer into the result.

        ``accept`` may raise :class:`Retry` for answers that deserve another try
        (unreadable JSON, Deezer's quota error).
        """
        key = host_key(url)
        name = self._names.get(key, URL(url).host or "the remote service")
        blocked = self._blocked_until.get(key, 0.0)
        if blocked > time.monotonic():
            raise self._quota_error(name)
        attempt = 0
        while True:
            delay: float | None = None
            try:
                status, headers, body = await self._send(method, url, max_bytes=max_bytes, **kwargs)
            except TimeoutError:
                reason = NO_ANSWER
            except aiohttp.ClientError as exc:
                reason = CONNECTION_FAILED.format(kind=type(exc).__name__)
            else:
                try:
                    self._check_status(status, headers, body, url)
                    # A 400 KB page takes a few ms to decode; eight arriving together
                    # would hold the event loop for one long turn.
                    return await self._decoded(accept, status, headers, body)
                except Retry as retry:
                    reason, delay = retry.reason, retry.delay
            attempt += 1
            if attempt > self.max_retries:
                raise ProviderDown(NOT_ANSWERING, name=name, reason=reason, tries=attempt)
            pause = self._backoff(attempt - 1) if delay is None else delay
            log.info(
                "%s: %s; retry %d/%d in %.2f s",
                name,
                reason,
                attempt,
                self.max_retries,
                pause * self.pause_scale,
            )
            await asyncio.sleep(pause * self.pause_scale)

    def _check_status(self, status: int, headers: Mapping[str, str], body: bytes, url: str) -> None:
        """Map an error status to a retry (:class:`Retry`) or an exception; 1xx-3xx pass.

        429: Spotify's QUOTA_EXCEEDED is reported and remembered, a ``Retry-After``
        longer than ``HTTP_MAX_RETRY_AFTER_SECONDS`` is reported, anything else is
        retried after ``Retry-After`` (or the backoff). 5xx, 408 and 425 are retried.
        401 is :class:`Unauthorized`; other 4xx are :class:`HttpError` (never retried).
        """
        if status == 429:
            self._too_many_requests(headers, body, url)
        if status >= 500 or status in RETRY_STATUSES:
            delay = retry_after_seconds(headers.get("Retry-After"))
            if delay is not None and delay > self.max_retry_after:
                delay = None
            raise Retry(f"HTTP {status}", delay)
        if status == 401:
            raise Unauthorized(status, url, loads(body))
        if status >= 400:
            raise HttpError(status, url, loads(body))

    def _too_many_requests(self, headers: Mapping[str, str], body: bytes, url: str) -> None:
        """A 429: always raises (the quota error, ProviderDown, or a retry after Retry-After)."""
        key = host_key(url)
        name = self.provider_name(url)
        if is_quota_exceeded(loads(body)):
            self._blocked_until[key] = time.monotonic() + self.quota_block_seconds
            log.warning(
                "%s quota exceeded; not calling it for %.0f s", name, self.quota_block_seconds
            )
            raise self._quota_error(name)
        delay = retry_after_seconds(headers.get("Retry-After"))
        if delay is not None and delay > self.max_retry_after:
            raise ProviderDown(WAIT_ASKED, name=name, seconds=round(delay))
        raise Retry(TOO_MANY_REQUESTS, delay)

    def _quota_error(self, name: str) -> ProviderDown:
        return ProviderDown(QUOTA_USED, name=name)

    async def get_json(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        decode: Callable[[bytes], Any] = loads,
    ) -> Any:
        """GET ``url`` and return its JSON, retrying what is worth retrying.

        ``decode`` (optional) reads the body instead of :func:`json.loads`, e.g. straight
        into typed models; it returns None for a body that is not usable JSON (retried).
        """
        return await self.request_json("GET", url, params=params, headers=headers, decode=decode)

    async def request_json(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        json_body: Any = None,
        decode: Callable[[bytes], Any] = loads,
    ) -> Any:
        """Any method returning JSON (the Spotify token is a POST); ``json_body`` is sent
        as a JSON request body (creating a playlist); ``decode`` as for :meth:`get_json`."""
        deezer = host_key(url) in self._deezer_keys

        def accept(status: int, _headers: Mapping[str, str], body: bytes) -> Any:
            return json_answer(status, body, url, deezer=deezer, decode=decode)

        return await self._request(
            method, url, accept, params=params, headers=headers, data=data, json=json_body
        )

    async def follow_once(self, url: str, *, max_bytes: int) -> tuple[str | None, str]:
        """One GET without following redirects: (Location header or None, page text).

        Used by :func:`bot.net.links.resolve_link`, which checks every hop against its
        allowlist before calling this. A 4xx raises :class:`HttpError`.
        """

        def accept(status: int, headers: Mapping[str, str], body: bytes) -> tuple[str | None, str]:
            if status in REDIRECT_STATUSES:
                return headers.get("Location"), ""
            return None, body.decode("utf-8", errors="replace")

        return await self._request("GET", url, accept, max_bytes=max_bytes)
