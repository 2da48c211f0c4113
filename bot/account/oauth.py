"""Spotify's token endpoint for members' accounts: code exchange and refresh (PKCE).

A PKCE client sends its ``client_id`` in the form and no secret. Spotify answers a
refresh with a new access token and sometimes a new refresh token (keep the old one
when it does not). ``400 invalid_grant`` on a refresh means the member revoked the
app or the grant expired: :class:`TokenRevoked`, whose sentence asks them to connect
again. No token ever appears in a log line or an exception message.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from bot.errors import ProviderDown, UserError
from bot.locales import N_
from bot.net.client import HttpClient, HttpError

log = logging.getLogger(__name__)

#: An access token is renewed when it has less than this many seconds left.
REFRESH_MARGIN_SECONDS = 60.0


class NotConnected(UserError):
    """The member has no connected Spotify account (or it can no longer be read)."""

    #: What the member wanted to do, and the whole sentence for it.
    SENTENCES: ClassVar[dict[str, str]] = {
        "do that": N_("To do that, connect your Spotify account first with `/spotify connect`."),
        "cluster your Liked Songs": N_(
            "To cluster your Liked Songs, connect your Spotify account first with "
            "`/spotify connect`."
        ),
        "save a playlist to Spotify": N_(
            "To save a playlist to Spotify, connect your Spotify account first with "
            "`/spotify connect`."
        ),
        "save a cluster to Spotify": N_(
            "To save a cluster to Spotify, connect your Spotify account first with "
            "`/spotify connect`."
        ),
    }

    def __init__(self, what: str = "do that") -> None:
        said = self.SENTENCES.get(what)
        if said is None:
            super().__init__(
                f"To {what}, connect your Spotify account first with `/spotify connect`."
            )
        else:
            super().__init__(said)


class TokenRevoked(UserError):
    """Spotify no longer accepts the stored grant (revoked in the account, or expired)."""

    def __init__(self) -> None:
        super().__init__(
            N_(
                "Spotify no longer accepts this bot's access to your account (it was removed "
                "in your Spotify settings, or it expired). Connect again with `/spotify connect`."
            )
        )


class SignInFailed(Exception):
    """The code could not be exchanged; ``reason`` is safe to show on the callback page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True)
class Tokens:
    """A member's token set; the secrets never appear in ``repr``."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: float
    scope: str = ""

    def fresh(self, now: float, margin: float = REFRESH_MARGIN_SECONDS) -> bool:
        return now < self.expires_at - margin

    def to_json(self) -> dict[str, Any]:
        return {
            "access": self.access_token,
            "refresh": self.refresh_token,
            "expires_at": self.expires_at,
            "scope": self.scope,
        }

    @classmethod
    def from_json(cls, data: Any) -> Tokens:
        if not isinstance(data, dict):
            raise ValueError("not a token set")
        return cls(
            str(data["access"]),
            str(data["refresh"]),
            float(data["expires_at"]),
            str(data.get("scope") or ""),
        )


def _oauth_error(exc: HttpError) -> str:
    payload = exc.payload
    if isinstance(payload, dict) and isinstance(payload.get("error"), str):
        return payload["error"]
    return ""


class SpotifyOAuth:
    """Exchanges authorization codes and refreshes tokens at ``token_url``."""

    def __init__(
        self,
        http: HttpClient,
        *,
        client_id: str,
        token_url: str,
        redirect_uri: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.http = http
        self.client_id = client_id
        self.token_url = token_url
        self.redirect_uri = redirect_uri
        self.clock = clock

    def _tokens(self, payload: Any, previous_refresh: str = "") -> Tokens:
        if not isinstance(payload, dict) or not isinstance(payload.get("access_token"), str):
            raise ProviderDown(N_("Spotify's sign-in service gave an unusable answer; try later."))
        refresh = payload.get("refresh_token")
        lifetime = payload.get("expires_in")
        seconds = float(lifetime) if isinstance(lifetime, int | float) and lifetime > 0 else 3600
        return Tokens(
            access_token=payload["access_token"],
            refresh_token=refresh if isinstance(refresh, str) and refresh else previous_refresh,
            expires_at=self.clock() + seconds,
            scope=str(payload.get("scope") or ""),
        )

    async def exchange(self, code: str, verifier: str) -> Tokens:
        """The token set for an authorization code, proven with the PKCE ``verifier``."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "client_id": self.client_id,
            "code_verifier": verifier,
        }
        try:
            payload = await self.http.request_json("POST", self.token_url, data=form)
        except HttpError as exc:
            error = _oauth_error(exc)
            log.warning("Spotify refused an authorization code: HTTP %s %s", exc.status, error)
            raise SignInFailed(
                "Spotify did not accept the sign-in"
                + (f" ({error})" if error else "")
                + ". Start again with /spotify connect."
            ) from None
        tokens = self._tokens(payload)
        if not tokens.refresh_token:
            raise SignInFailed("Spotify gave no refresh token. Start again with /spotify connect.")
        return tokens

    async def refresh(self, tokens: Tokens) -> Tokens:
        """A new access token; :class:`TokenRevoked` when the grant is gone."""
        form = {
            "grant_type": "refresh_token",
            "refresh_token": tokens.refresh_token,
            "client_id": self.client_id,
        }
        try:
            payload = await self.http.request_json("POST", self.token_url, data=form)
        except HttpError as exc:
            if exc.status in (400, 401) and _oauth_error(exc) in ("invalid_grant", ""):
                raise TokenRevoked() from None
            log.warning("Spotify refused a token refresh: HTTP %s", exc.status)
            raise ProviderDown(
                N_("Spotify's sign-in service refused to renew your access; please try later.")
            ) from None
        return self._tokens(payload, previous_refresh=tokens.refresh_token)
