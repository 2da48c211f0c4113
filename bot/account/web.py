"""The small web server inside the bot that Spotify redirects members back to.

It serves one page, ``GET /spotify/callback``: it finishes the sign-in and answers
with a plain HTML page (escaped, no JavaScript, no external resources) saying what
happened. The request line carries the authorization code, so the server keeps no
access log, and the page is sent with ``Cache-Control: no-store`` and
``Referrer-Policy: no-referrer``.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from bot.account.pkce import CALLBACK_PATH
from bot.account.service import CallbackResult

if TYPE_CHECKING:
    from bot.account.service import AccountService

log = logging.getLogger(__name__)

HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
}
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;"
    "line-height:1.5;color:#222}h1{font-size:1.5em}"
)


@dataclass(frozen=True, slots=True)
class CallbackPage:
    """The page for one outcome: HTTP status, title and paragraphs (plain text)."""

    status: int
    title: str
    lines: tuple[str, ...]

    def html(self) -> str:
        body = "".join(f"<p>{html.escape(line)}</p>" for line in self.lines)
        title = html.escape(self.title)
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}</title><style>{STYLE}</style></head>"
            f"<body><h1>{title}</h1>{body}</body></html>"
        )


def callback_page(result: CallbackResult) -> CallbackPage:
    """What the member reads after Spotify sent them back."""
    if result.outcome == "connected":
        return CallbackPage(
            200,
            "Spotify connected",
            (
                f"You are connected as {result.display_name}.",
                "Go back to Discord: /clusters now offers your playlists and your Liked "
                "Songs, pages mark the songs you like with 💚, and each cluster page can "
                "be saved to your Spotify.",
                "You can close this page. /spotify disconnect removes the connection.",
            ),
        )
    if result.outcome == "denied":
        return CallbackPage(
            200,
            "Not connected",
            (
                "You declined on Spotify's page, so nothing was connected or stored.",
                "Run /spotify connect in Discord whenever you change your mind.",
            ),
        )
    if result.outcome == "expired":
        return CallbackPage(
            400,
            "This sign-in link has expired",
            (
                "This link is unknown, was already used, or is older than 10 minutes.",
                "Run /spotify connect in Discord for a new one.",
            ),
        )
    return CallbackPage(
        502,
        "Spotify sign-in failed",
        (
            f"Spotify reported a problem: {result.detail or 'unknown error'}.",
            "Nothing was stored. Run /spotify connect in Discord to try again.",
        ),
    )


def not_found_page() -> CallbackPage:
    return CallbackPage(404, "Not found", ("This server only finishes Spotify sign-ins.",))


def _respond(page: CallbackPage) -> web.Response:
    return web.Response(
        text=page.html(),
        status=page.status,
        content_type="text/html",
        charset="utf-8",
        headers=HEADERS,
    )


class CallbackServer:
    """An aiohttp server on ``host:port`` that finishes sign-ins through ``service``."""

    def __init__(self, service: AccountService, *, host: str, port: int) -> None:
        self.service = service
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024)
        app.router.add_get(CALLBACK_PATH, self.callback)
        app.router.add_route("*", "/{tail:.*}", self.other)
        return app

    async def callback(self, request: web.Request) -> web.Response:
        query = request.query
        try:
            result = await self.service.complete(
                query.get("state", ""), query.get("code", ""), query.get("error", "")
            )
        except Exception:
            log.exception("the Spotify callback failed")
            result = CallbackResult("error", detail="something went wrong on the bot's side")
        return _respond(callback_page(result))

    async def other(self, request: web.Request) -> web.Response:
        return _respond(not_found_page())

    async def start(self) -> None:
        """Listen; the access log stays off (request lines carry authorization codes)."""
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        log.info("Spotify callback server listening on %s:%s", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
