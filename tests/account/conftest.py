"""A fake Spotify with accounts, a database, and the account service pointed at both."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from bot.account.setup import Accounts, build_accounts
from bot.net.client import HttpClient
from bot.settings.env import Settings
from storage.database import Database
from tests.fakes import make_settings
from tests.fakes.base import serve
from tests.fakes.spotify import CLIENT_ID, CLIENT_SECRET
from tests.fakes.spotify_accounts import FakeSpotifyAccounts

KEY = Fernet.generate_key().decode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def account_settings(fake: FakeSpotifyAccounts, port: int, **overrides: Any) -> dict[str, Any]:
    """Settings values turning the feature on against ``fake``, callback on ``port``."""
    values: dict[str, Any] = {
        "spotify_client_id": CLIENT_ID,
        "spotify_client_secret": CLIENT_SECRET,
        "spotify_api_base": fake.api_base,
        "spotify_token_url": fake.token_url,
        "spotify_authorize_url": fake.authorize_url,
        "public_url": f"http://127.0.0.1:{port}",
        "oauth_port": port,
        "oauth_bind_host": "127.0.0.1",
        "token_encryption_key": KEY,
    }
    values.update(overrides)
    return values


@pytest.fixture
async def fake_accounts() -> AsyncIterator[FakeSpotifyAccounts]:
    fake = FakeSpotifyAccounts()
    async with serve(fake):
        yield fake


@dataclass
class Env:
    """The account feature running: settings, database, HTTP client, parts, the fake."""

    settings: Settings
    db: Database
    http: HttpClient
    accounts: Accounts
    fake: FakeSpotifyAccounts

    @property
    def service(self) -> Any:
        return self.accounts.service

    @property
    def library(self) -> Any:
        return self.accounts.library


@pytest.fixture
async def env(tmp_path: Path, fake_accounts: FakeSpotifyAccounts) -> AsyncIterator[Env]:
    settings = make_settings(**account_settings(fake_accounts, free_port()))
    db = await Database.open(tmp_path / "data" / "bot.db")
    http = HttpClient(settings.http, pause_scale=0.001)
    accounts = build_accounts(settings.accounts, http, db.accounts)
    assert accounts.enabled
    await accounts.start()
    try:
        yield Env(settings, db, http, accounts, fake_accounts)
    finally:
        await accounts.stop()
        await http.close()
        await db.close()
