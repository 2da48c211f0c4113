"""Sign-ins and stored accounts: start a sign-in, finish it, give valid access tokens.

A sign-in (:meth:`AccountService.start`) makes a PKCE verifier and a random state,
stores the state's hash with the Discord user and the encrypted verifier, and returns
Spotify's authorize URL. The callback (:meth:`AccountService.complete`) takes that
state back exactly once, within :data:`~bot.account.pkce.STATE_TTL_SECONDS`, trades
the code for tokens, asks ``/me`` who signed in, and stores the tokens encrypted.
:meth:`AccountService.access_token` refreshes a token that is about to expire (or
that Spotify just refused); a revoked grant deletes the account and raises
:class:`~bot.account.oauth.TokenRevoked`.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from yarl import URL

from bot.account import pkce
from bot.account.crypto import BadKey, TokenCipher, Unreadable
from bot.account.oauth import NotConnected, SignInFailed, SpotifyOAuth, TokenRevoked, Tokens
from bot.errors import UserError
from bot.net.client import HttpClient, HttpError
from bot.settings.groups import AccountSettings
from storage.accounts import PendingSignIn, StoredAccount

log = logging.getLogger(__name__)

Outcome = Literal["connected", "denied", "expired", "error"]


class AccountStore(Protocol):
    """What the service needs from storage (``storage.accounts.AccountRepository``)."""

    async def get(self, discord_user_id: int) -> StoredAccount | None: ...

    async def save(self, account: StoredAccount) -> None: ...

    async def update_tokens(
        self, discord_user_id: int, tokens: bytes, expires_at: float
    ) -> bool: ...

    async def delete(self, discord_user_id: int) -> bool: ...

    async def add_pending(
        self, state_hash: str, discord_user_id: int, verifier: bytes, *, max_age: float
    ) -> None: ...

    async def take_pending(self, state_hash: str) -> PendingSignIn | None: ...


def why_off(settings: AccountSettings) -> str | None:
    """Why members cannot connect Spotify accounts on this bot, or None when they can."""
    missing = [
        name
        for name, value in (
            ("SPOTIFY_CLIENT_ID", settings.spotify.client_id),
            ("PUBLIC_URL", settings.public_url),
            ("TOKEN_ENCRYPTION_KEY", settings.token_encryption_key),
        )
        if not value.strip()
    ]
    if missing:
        return (
            "Connecting a Spotify account is not available on this bot: its host has not "
            f"set {', '.join(missing)}. Playlist links and CSV uploads still work."
        )
    url = URL(settings.public_url)
    if url.scheme not in ("http", "https") or not url.host:
        return "Connecting a Spotify account is not available: PUBLIC_URL is not an http(s) URL."
    try:
        TokenCipher(settings.token_encryption_key)
    except BadKey:
        return (
            "Connecting a Spotify account is not available: the host's TOKEN_ENCRYPTION_KEY "
            "is not a valid key."
        )
    return None


@dataclass(frozen=True, slots=True)
class CallbackResult:
    """What the callback page says: ``outcome`` and, for errors, a safe ``detail``."""

    outcome: Outcome
    detail: str = ""
    display_name: str = ""
    discord_user_id: int | None = None


class AccountService:
    """Members' Spotify sign-ins and tokens, stored through ``store`` (encrypted)."""

    def __init__(
        self,
        *,
        http: HttpClient,
        store: AccountStore,
        cipher: TokenCipher,
        oauth: SpotifyOAuth,
        client_id: str,
        authorize_base: str,
        api_base: str,
        clock: Callable[[], float] = time.time,
        state_ttl: float = pkce.STATE_TTL_SECONDS,
    ) -> None:
        self.http = http
        self.store = store
        self.cipher = cipher
        self.oauth = oauth
        self.client_id = client_id
        self.authorize_base = authorize_base
        self.api_base = api_base.rstrip("/")
        self.clock = clock
        self.state_ttl = state_ttl
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    @classmethod
    def from_settings(
        cls, settings: AccountSettings, http: HttpClient, store: AccountStore
    ) -> AccountService:
        """The service for ``settings`` (check :func:`why_off` first)."""
        spotify = settings.spotify
        oauth = SpotifyOAuth(
            http,
            client_id=spotify.client_id,
            token_url=spotify.token_url,
            redirect_uri=pkce.redirect_uri(settings.public_url),
        )
        return cls(
            http=http,
            store=store,
            cipher=TokenCipher(settings.token_encryption_key),
            oauth=oauth,
            client_id=spotify.client_id,
            authorize_base=spotify.authorize_url,
            api_base=spotify.api_base,
        )

    # -- signing in --------------------------------------------------------------------

    async def start(self, discord_user_id: int) -> str:
        """A new sign-in for ``discord_user_id`` (replacing any earlier one): the URL to open."""
        verifier = pkce.new_verifier()
        state = pkce.new_state()
        await self.store.add_pending(
            pkce.state_hash(state),
            discord_user_id,
            self.cipher.seal(verifier),
            max_age=self.state_ttl,
        )
        return pkce.authorize_url(
            self.authorize_base,
            client_id=self.client_id,
            redirect=self.oauth.redirect_uri,
            state=state,
            code_challenge=pkce.challenge(verifier),
        )

    async def _pending(self, state: str) -> PendingSignIn | None:
        """The sign-in of ``state`` if it is known and young enough (taken either way)."""
        if not state or len(state) > 200:
            return None
        pending = await self.store.take_pending(pkce.state_hash(state))
        if pending is None or self.clock() - pending.created_at > self.state_ttl:
            return None
        return pending

    async def complete(self, state: str, code: str, error: str) -> CallbackResult:
        """Finish the sign-in Spotify redirected back with (``code`` or ``error``)."""
        pending = await self._pending(state)
        if pending is None:
            return CallbackResult("expired")
        if error:
            outcome: Outcome = "denied" if error == "access_denied" else "error"
            return CallbackResult(outcome, detail=error[:200])
        if not code:
            return CallbackResult("error", detail="Spotify sent neither a code nor an error.")
        try:
            verifier = str(self.cipher.open(pending.verifier))
            tokens = await self.oauth.exchange(code, verifier)
            spotify_id, name = await self._who(tokens.access_token)
        except Unreadable:
            return CallbackResult("expired")
        except SignInFailed as exc:
            return CallbackResult("error", detail=exc.reason)
        except UserError as exc:  # ProviderDown and friends
            return CallbackResult("error", detail=str(exc))
        await self.store.save(
            StoredAccount(
                discord_user_id=pending.discord_user_id,
                spotify_user_id=spotify_id,
                display_name=name,
                scope=tokens.scope,
                tokens=self.cipher.seal(tokens.to_json()),
                expires_at=tokens.expires_at,
            )
        )
        log.info("Discord user %s connected a Spotify account", pending.discord_user_id)
        return CallbackResult(
            "connected", display_name=name, discord_user_id=pending.discord_user_id
        )

    async def _who(self, access_token: str) -> tuple[str, str]:
        """The Spotify user id and display name behind a fresh access token."""
        try:
            me = await self.http.get_json(
                f"{self.api_base}/me", headers={"Authorization": f"Bearer {access_token}"}
            )
        except HttpError as exc:
            raise SignInFailed(
                f"Spotify did not tell who signed in (HTTP {exc.status}). "
                "If this app is in development mode, the account must be on its user list."
            ) from None
        if not isinstance(me, dict) or not isinstance(me.get("id"), str) or not me["id"]:
            raise SignInFailed("Spotify did not tell who signed in.")
        return me["id"], str(me.get("display_name") or me["id"])

    # -- connected accounts ------------------------------------------------------------

    async def account(self, discord_user_id: int) -> StoredAccount | None:
        """The member's connected account, if any."""
        return await self.store.get(discord_user_id)

    async def disconnect(self, discord_user_id: int) -> bool:
        """Delete the member's tokens; True if an account was connected."""
        return await self.store.delete(discord_user_id)

    def _lock(self, discord_user_id: int) -> asyncio.Lock:
        lock = self._locks.get(discord_user_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[discord_user_id] = lock
        return lock

    async def access_token(self, discord_user_id: int, *, stale: str | None = None) -> str:
        """A valid access token for the member, refreshed when it is about to expire or
        is ``stale`` (Spotify just answered 401 to it). One refresh at a time per member."""
        async with self._lock(discord_user_id):
            account = await self.store.get(discord_user_id)
            if account is None:
                raise NotConnected()
            try:
                tokens = Tokens.from_json(self.cipher.open(account.tokens))
            except (Unreadable, ValueError, KeyError, TypeError):
                await self.store.delete(discord_user_id)
                raise TokenRevoked() from None
            if tokens.fresh(self.clock()) and tokens.access_token != stale:
                return tokens.access_token
            try:
                renewed = await self.oauth.refresh(tokens)
            except TokenRevoked:
                await self.store.delete(discord_user_id)
                log.info("Discord user %s: Spotify grant revoked; account removed", discord_user_id)
                raise
            await self.store.update_tokens(
                discord_user_id, self.cipher.seal(renewed.to_json()), renewed.expires_at
            )
            return renewed.access_token
