"""Builds the account feature from settings: on with every part, or off with a reason."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.account.library import Library
from bot.account.service import AccountService, AccountStore, why_off
from bot.account.web import CallbackServer
from bot.net.client import HttpClient
from bot.settings.groups import AccountSettings

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Accounts:
    """The account feature's parts; all None (and ``off_reason`` set) when it is off."""

    service: AccountService | None = None
    library: Library | None = None
    server: CallbackServer | None = None
    off_reason: str = ""

    @property
    def enabled(self) -> bool:
        return self.service is not None

    async def start(self) -> None:
        if self.server is not None:
            await self.server.start()

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop()


def build_accounts(settings: AccountSettings, http: HttpClient, store: AccountStore) -> Accounts:
    """The feature for ``settings``; off (with the sentence members see) if not configured."""
    reason = why_off(settings)
    if reason is not None:
        log.info("Spotify accounts are off: %s", reason)
        return Accounts(off_reason=reason)
    service = AccountService.from_settings(settings, http, store)
    library = Library(
        service, http, api_base=settings.spotify.api_base, liked_ttl=settings.liked_cache_seconds
    )
    server = CallbackServer(service, host=settings.oauth_bind_host, port=settings.oauth_port)
    return Accounts(service, library, server)
