"""Spotify's client-credentials token and authorised GETs, shared by source and provider.

Below both the Spotify playlist source (:mod:`bot.sources.spotify`) and the Spotify
feature provider (:mod:`bot.features.spotify`), so neither imports the other. The
token is cached until shortly before it expires and refreshed once when a call
answers 401.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from collections.abc import Callable
from typing import Any

from bot.errors import PlaylistUnavailable, ProviderDown
from bot.locales import N_
from bot.net.answers import loads
from bot.net.client import HttpClient, HttpError, Unauthorized
from bot.net.spotify_api import Token, parse_answer
from bot.settings.groups import SpotifySettings

log = logging.getLogger(__name__)

#: A token is renewed this many seconds before Spotify says it expires.
TOKEN_MARGIN_SECONDS = 60.0
TOKEN_REFUSED = N_("Spotify keeps refusing this bot's access token; please try again later.")
NOT_CONFIGURED = N_(
    "This bot has no Spotify credentials (SPOTIFY_CLIENT_ID / SPOTIFY_CLIENT_SECRET), "
    "so it cannot read Spotify links. A Deezer link of the same playlist works, or an "
    "Exportify CSV export (https://exportify.net) uploaded as a file."
)


class SpotifyNotConfigured(PlaylistUnavailable):
    """No client id/secret: Spotify links cannot be read at all."""

    def __init__(self) -> None:
        super().__init__(NOT_CONFIGURED)


class SpotifyAuth:
    """A client-credentials token, cached until shortly before expiry; authorised GETs."""

    def __init__(
        self, http: HttpClient, *, client_id: str, client_secret: str, token_url: str
    ) -> None:
        self.http = http
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_url = token_url
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    @classmethod
    def from_settings(cls, spotify: SpotifySettings, http: HttpClient) -> SpotifyAuth:
        return cls(
            http,
            client_id=spotify.client_id,
            client_secret=spotify.client_secret,
            token_url=spotify.token_url,
        )

    @property
    def configured(self) -> bool:
        return bool(self.client_id and self.client_secret)

    async def token(self) -> str:
        """A valid access token, asking Spotify for a new one only when needed."""
        if not self.configured:
            raise SpotifyNotConfigured()
        async with self._lock:
            if self._token is not None and time.monotonic() < self._expires_at:
                return self._token
            basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
            try:
                payload = await self.http.request_json(
                    "POST",
                    self.token_url,
                    data={"grant_type": "client_credentials"},
                    headers={"Authorization": f"Basic {basic}"},
                )
            except HttpError as exc:
                log.error("Spotify refused the client credentials: %s", exc)
                raise ProviderDown(
                    N_(
                        "Spotify refused this bot's credentials, so Spotify links cannot be "
                        "read right now. A Deezer link of the same playlist works, or an "
                        "Exportify CSV export (https://exportify.net) uploaded as a file."
                    )
                ) from None
            answer = parse_answer(Token, payload, "its access token")
            lifetime = answer.expires_in or 3600.0
            margin = min(TOKEN_MARGIN_SECONDS, lifetime / 2)
            self._token = answer.access_token
            self._expires_at = time.monotonic() + lifetime - margin
            return answer.access_token

    def invalidate(self, token: str) -> None:
        """Forget ``token`` (unless another task already replaced it)."""
        if self._token == token:
            self._token = None

    async def get(
        self,
        url: str,
        params: dict[str, str | int] | None = None,
        decode: Callable[[bytes], Any] = loads,
    ) -> Any:
        """An authorised GET; on 401 the token is refreshed once and the call repeated.

        ``decode`` reads the body (default: JSON), as for :meth:`HttpClient.get_json`.
        """
        token = await self.token()
        try:
            return await self.http.get_json(
                url, params=params, headers={"Authorization": f"Bearer {token}"}, decode=decode
            )
        except Unauthorized:
            self.invalidate(token)
        token = await self.token()
        try:
            return await self.http.get_json(
                url, params=params, headers={"Authorization": f"Bearer {token}"}, decode=decode
            )
        except Unauthorized:
            raise ProviderDown(TOKEN_REFUSED) from None
