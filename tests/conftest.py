"""Shared fixtures: the fake Spotify, Deezer and ReccoBeats servers and an HttpClient.

Other tests (the bot's end-to-end test) reuse them: a ``fake_deezer`` fixture already
serves on 127.0.0.1; add a playlist with ``fake_deezer.generated(pid, n)`` and point
``Settings.deezer_api_base`` at ``fake_deezer.api_base`` (``fake_settings`` does that).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from bot.http import HttpClient
from tests.fakes import make_settings
from tests.fakes.base import serve
from tests.fakes.deezer import FakeDeezer
from tests.fakes.reccobeats import FakeReccoBeats
from tests.fakes.spotify import CLIENT_ID, CLIENT_SECRET, FakeSpotify


@pytest.fixture
async def fake_spotify() -> AsyncIterator[FakeSpotify]:
    fake = FakeSpotify()
    async with serve(fake):
        yield fake


@pytest.fixture
async def fake_deezer() -> AsyncIterator[FakeDeezer]:
    fake = FakeDeezer()
    async with serve(fake):
        yield fake


@pytest.fixture
async def fake_reccobeats() -> AsyncIterator[FakeReccoBeats]:
    fake = FakeReccoBeats()
    async with serve(fake):
        yield fake


@pytest.fixture
def fake_settings(fake_spotify, fake_deezer, fake_reccobeats) -> Settings:
    """Settings pointing every base URL at the fakes, with Spotify credentials."""
    return make_settings(
        spotify_client_id=CLIENT_ID,
        spotify_client_secret=CLIENT_SECRET,
        spotify_api_base=fake_spotify.api_base,
        spotify_token_url=fake_spotify.token_url,
        deezer_api_base=fake_deezer.api_base,
        reccobeats_api_base=fake_reccobeats.api_base,
    )


@pytest.fixture
async def http(fake_settings: Settings) -> AsyncIterator[HttpClient]:
    """An HttpClient on the fakes whose retry pauses are 1/1000 of the real ones."""
    client = HttpClient(fake_settings, pause_scale=0.001)
    yield client
    await client.close()
