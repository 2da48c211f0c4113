"""Authorised Spotify calls for one member, shaped like the client-credentials auth.

:class:`UserAuth` has what :class:`~bot.sources.spotify.SpotifySource` asks of its
auth (``configured``, ``token``, ``invalidate``, ``get``), so the playlist reader
works unchanged with a member's token. Every call refreshes a token that is about
to expire, and on a 401 refreshes once and repeats the call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from bot.account.oauth import TokenRevoked
from bot.net.answers import loads
from bot.net.client import HttpClient, Unauthorized

if TYPE_CHECKING:
    from bot.account.service import AccountService


class UserAuth:
    """The member ``discord_user_id``'s access to Spotify."""

    configured = True

    def __init__(self, service: AccountService, http: HttpClient, discord_user_id: int) -> None:
        self.service = service
        self.http = http
        self.discord_user_id = discord_user_id

    def __repr__(self) -> str:
        return f"UserAuth(discord_user_id={self.discord_user_id})"

    async def token(self) -> str:
        return await self.service.access_token(self.discord_user_id)

    def invalidate(self, token: str) -> None:
        """Nothing to forget: the next call refreshes a refused token (see :meth:`request`)."""

    async def get(
        self,
        url: str,
        params: Mapping[str, str | int] | None = None,
        decode: Callable[[bytes], Any] = loads,
    ) -> Any:
        return await self.request("GET", url, params=params, decode=decode)

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json_body: Any = None,
        decode: Callable[[bytes], Any] = loads,
    ) -> Any:
        """One authorised call; a 401 refreshes the token once, a second 401 is revoked.

        ``decode`` reads the body (default: JSON), as for :meth:`HttpClient.get_json`."""
        token = await self.service.access_token(self.discord_user_id)
        for attempt in range(2):
            try:
                return await self.http.request_json(
                    method,
                    url,
                    params=params,
                    json_body=json_body,
                    headers={"Authorization": f"Bearer {token}"},
                    decode=decode,
                )
            except Unauthorized:
                if attempt:
                    break
            token = await self.service.access_token(self.discord_user_id, stale=token)
        raise TokenRevoked()
