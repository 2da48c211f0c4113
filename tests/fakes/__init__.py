"""Fake Spotify, Deezer and ReccoBeats servers on 127.0.0.1, with switchable faults.

Each fake holds its data in plain attributes and builds an ``aiohttp.web.Application``;
``tests/conftest.py`` serves them with ``aiohttp.test_utils.TestServer`` as fixtures
(``fake_spotify``, ``fake_deezer``, ``fake_reccobeats``) that other tests reuse.
"""

from __future__ import annotations

from typing import Any

from bot.settings.env import Settings


def make_settings(**overrides: Any) -> Settings:
    """Settings that ignore the environment and ``.env``: fast retries, no real hosts."""
    values: dict[str, Any] = {
        "spotify_api_base": "http://127.0.0.1:9/v1",
        "spotify_token_url": "http://127.0.0.1:9/api/token",
        "deezer_api_base": "http://127.0.0.1:9",
        "reccobeats_api_base": "http://127.0.0.1:9/v1",
        "spotify_embed_base": "http://127.0.0.1:9/embed",
        "ytmusic_api_base": "http://127.0.0.1:9/youtubei/v1",
        "apple_music_base": "http://127.0.0.1:9/apple",
        "http_timeout_seconds": 2.0,
        # Deezer's real preview CDN must never be contacted from a test
        "preview_hosts": ["127.0.0.1"],
        "http_max_retries": 3,
        "spotify_rate_per_second": 1000.0,
        "reccobeats_rate_per_second": 1000.0,
        "deezer_rate_per_5s": 5000,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)
