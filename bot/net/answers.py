"""What an HTTP answer means: its body read whole, its JSON, its status as an error.

The pieces of :class:`~bot.net.client.HttpClient` that look at answers rather than send
requests, kept apart so the client stays about sending (limits, retries):

- :func:`read_body` reads a body completely however it arrives (one piece, many
  reads, chunked) while holding the size cap, on ``Content-Length`` and while
  streaming;
- :func:`json_answer` turns a 2xx body into JSON, asks for another try
  (:class:`Retry`) for an empty, truncated or HTML body, and maps the errors Deezer
  sends inside HTTP 200 (4 quota and 700 busy: retry; 800: :class:`DeezerNoData`;
  other codes: :class:`HttpError` with ``code``);
- :class:`HttpError` / :class:`Unauthorized` are refusals (4xx) the sources turn
  into sentences for the user;
- :func:`html_elements` finds the ``<script>`` elements (or ``<meta>`` tags) of a page
  in one forward scan, for the public pages read without credentials.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp
from yarl import URL

from bot.errors import InputTooLarge, PlaylistUnavailable
from bot.locales import N_

#: Deezer counts its quota over 5 seconds: wait one window after a code-4 error.
DEEZER_QUOTA_PAUSE = 5.0
#: What a member reads when a provider keeps failing (``bot.net.client`` raises them).
NOT_ANSWERING = N_(
    "{name} is not answering properly right now ({reason}, {tries} tries); "
    "please try again in a few minutes."
)
WAIT_ASKED = N_(
    "{name} is rate-limiting this bot and asks it to wait {seconds} seconds; "
    "please try again later."
)
QUOTA_USED = N_(
    "{name} says this bot has used up its request quota for now; please try again "
    "later. A Deezer link or an Exportify CSV upload works meanwhile."
)
#: Why a provider is not answering properly (``NOT_ANSWERING``'s ``{reason}``, English as
#: the CLI prints it): read back into these message ids for a member (``answers.said``).
NO_ANSWER = N_("no answer in time")
CONNECTION_FAILED = N_("connection failed: {kind}")
TOO_MANY_REQUESTS = N_("too many requests (HTTP 429)")
EMPTY_ANSWER = N_("an empty answer")
UNREADABLE_ANSWER = N_("an unreadable answer")
DEEZER_QUOTA = N_("Deezer quota exceeded (code 4)")
DEEZER_BUSY = N_("Deezer is busy (code 700)")
RETRY_REASONS = (
    NO_ANSWER,
    CONNECTION_FAILED,
    TOO_MANY_REQUESTS,
    EMPTY_ANSWER,
    UNREADABLE_ANSWER,
    DEEZER_QUOTA,
    DEEZER_BUSY,
)
#: Bodies are read in pieces of at most this many bytes (whatever the sender's chunking).
READ_CHUNK = 64 * 1024
#: A tag's attributes are at most this long (longer: not taken for a tag).
MAX_TAG = 4096
_OPEN = {"script": re.compile(r"<script\b", re.I), "meta": re.compile(r"<meta\b", re.I)}
_CLOSE_SCRIPT = re.compile(r"</script\s*>", re.I)


class HttpError(Exception):
    """A non-retryable answer (a 4xx other than 429) or a provider error in a 200 body.

    Not a user error by itself: sources translate the ones a user can cause.
    """

    def __init__(self, status: int, url: str, payload: Any = None, code: int | None = None):
        self.status = status
        self.url = url
        self.payload = payload
        self.code = code
        super().__init__(
            f"HTTP {status} from {URL(url).with_query(None)}"
            + (f" (error code {code})" if code is not None else "")
        )


class Unauthorized(HttpError):
    """HTTP 401: the token expired or was revoked."""


class DeezerNoData(PlaylistUnavailable):
    """Deezer's error 800 ("no data") in an HTTP 200: the object does not exist or is private."""

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message or "Deezer has no playlist with that id: it does not exist or is private."
        )


class Retry(Exception):
    """Internal: the answer is worth another try after ``delay`` seconds (None = backoff)."""

    def __init__(self, reason: str, delay: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.delay = delay


def retry_after_seconds(value: str | None) -> float | None:
    """A ``Retry-After`` header (seconds or an HTTP date) in seconds, or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def loads(body: bytes) -> Any:
    """JSON from bytes (a UTF-8 BOM allowed), or None when the body is not usable JSON.

    Nesting deep enough to exhaust the parser's recursion counts as not usable.
    """
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


async def read_body(resp: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    """The whole body however it arrives (one piece, many reads, chunked), at most max_bytes.

    A ``Content-Length`` over the cap is refused before reading; without one the cap
    is enforced while streaming, so memory stays bounded. A body cut short (the
    connection closes early, a broken chunk) raises ``aiohttp.ClientPayloadError``,
    which the caller retries.
    """
    length = resp.content_length
    if length is not None and length > max_bytes:
        raise _too_large(resp.url, max_bytes)
    parts: list[bytes] = []
    size = 0
    async for part in resp.content.iter_chunked(READ_CHUNK):
        size += len(part)
        if size > max_bytes:
            raise _too_large(resp.url, max_bytes)
        parts.append(part)
    return b"".join(parts)


def _too_large(url: URL, max_bytes: int) -> InputTooLarge:
    return InputTooLarge(
        N_("The file at {host} is larger than {limit} bytes."), host=str(url.host), limit=max_bytes
    )


def json_answer(
    status: int,
    body: bytes,
    url: str,
    *,
    deezer: bool = False,
    decode: Callable[[bytes], Any] = loads,
) -> Any:
    """The JSON of a 2xx answer; a retry for an unreadable one; Deezer's 200 errors mapped.

    An empty, truncated or HTML body is worth another try (proxies and overloaded
    front ends send those); a redirect is not (the APIs never redirect). ``decode``
    turns the body into the result (default: :func:`loads`); like :func:`loads` it
    returns None for a body that is not usable JSON.
    """
    if status >= 300:
        raise HttpError(status, url)
    payload = decode(body)
    if payload is None:
        kind = EMPTY_ANSWER if not body.strip() else UNREADABLE_ANSWER
        raise Retry(kind)
    if deezer and isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        deezer_error(status, url, payload["error"])
    return payload


def deezer_error(status: int, url: str, error: dict[str, Any]) -> None:
    """Deezer's errors inside HTTP 200: quota (4) and busy (700) retry, 800 is "no data".

    Any other code (100 items limit, 500 wrong parameter, ...) or none at all is an
    :class:`HttpError` carrying the code, which the sources turn into a sentence.
    """
    code = error.get("code")
    if not isinstance(code, int) or isinstance(code, bool):
        code = None
    if code == 4:
        raise Retry(DEEZER_QUOTA, DEEZER_QUOTA_PAUSE)
    if code == 700:
        raise Retry(DEEZER_BUSY)
    if code == 800:
        raise DeezerNoData()
    raise HttpError(status, url, {"error": error}, code=code)


def is_quota_exceeded(payload: Any) -> bool:
    """Spotify's exhausted-quota 429: ``{"error": {"reason": "QUOTA_EXCEEDED"}}``."""
    return (
        isinstance(payload, dict)
        and isinstance(payload.get("error"), dict)
        and payload["error"].get("reason") == "QUOTA_EXCEEDED"
    )


def html_elements(html: str, name: str) -> Iterator[tuple[str, str, int]]:
    """(attributes, body, where the tag starts) of each ``script`` element, or
    (attributes, "", start) of each ``meta`` tag, in page order.

    One forward scan, linear in the page's length: a regex such as
    ``<script[^>]*>(.*?)</script>`` over a whole page takes quadratic time on a page of
    unclosed "<script" (25 s for 160 KB).
    """
    pos = 0
    while (opened := _OPEN[name].search(html, pos)) is not None:
        start = opened.end()
        end = html.find(">", start, start + MAX_TAG)
        if end < 0:  # not a tag (or absurd attributes): look past it
            pos = start
            continue
        if name != "script":
            yield html[start:end], "", opened.start()
            pos = end + 1
            continue
        closed = _CLOSE_SCRIPT.search(html, end + 1)
        if closed is None:  # no later script ends: nothing more to read
            return
        yield html[start:end], html[end + 1 : closed.start()], opened.start()
        pos = closed.end()
