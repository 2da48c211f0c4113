"""The settings groups each layer receives, cut from the flat Settings (bot/settings/groups.py).

The variable names users set stay those of the flat Settings; every group field follows
its variable, secrets stay out of a group's repr, and a bound that used to be a silent
clamp somewhere below is now refused when the settings load, naming the variable.
"""

from __future__ import annotations

import dataclasses

import pytest

from bot.net.client import HttpClient, host_key
from bot.settings.env import BadSetting, Settings, get_settings
from bot.settings.groups import (
    AccountSettings,
    AnalysisSettings,
    DeezerSettings,
    FeatureSettings,
    HttpSettings,
    SpotifySettings,
    StorageSettings,
)
from bot.sources.deezer import DeezerSource
from tests.fakes import make_settings

GROUPS = {
    "http": HttpSettings,
    "spotify": SpotifySettings,
    "deezer": DeezerSettings,
    "features": FeatureSettings,
    "analysis": AnalysisSettings,
    "storage": StorageSettings,
    "accounts": AccountSettings,
}


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no .env of the working tree
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_every_group_is_frozen_and_built_from_the_flat_settings() -> None:
    settings = make_settings()
    for name, group in GROUPS.items():
        value = getattr(settings, name)
        assert type(value) is group
        first = dataclasses.fields(group)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, first, None)


def test_group_fields_follow_the_variables_users_set(fresh_settings) -> None:
    for name, value in {
        "HTTP_CONCURRENCY": "3",
        "HTTP_TIMEOUT_SECONDS": "7.5",
        "PLAYLIST_MAX_TRACKS": "1234",
        "DEEZER_TRACK_BUDGET_SECONDS": "2",
        "FEATURE_PROVIDERS": "ReccoBeats, deezer",
        "PREVIEW_RETRY_HOURS": "2",
        "K_MIN": "3",
        "K_MAX": "9",
        "CACHE_MAX_MB": "1.5",
        "MESSAGE_RETENTION_DAYS": "2",
        "PUBLIC_URL": "https://bot.example",
    }.items():
        fresh_settings.setenv(name, value)
    settings = get_settings()
    assert settings.http.concurrency == settings.spotify.concurrency == 3
    assert settings.deezer.concurrency == settings.features.concurrency == 3
    assert settings.http.timeout_seconds == settings.features.preview_timeout_seconds == 7.5
    assert settings.spotify.max_tracks == settings.deezer.max_tracks == 1234
    assert settings.deezer.track_budget_seconds == 2
    assert settings.features.providers == ("reccobeats", "deezer")
    assert settings.features.preview_retry_seconds == 7200
    assert (settings.analysis.k_min, settings.analysis.k_max) == (3, 9)
    assert settings.storage.cache_max_bytes == 1_500_000
    assert settings.storage.message_retention_seconds == 2 * 86_400
    assert settings.accounts.public_url == "https://bot.example"
    assert settings.accounts.spotify == settings.spotify


def test_secrets_stay_out_of_a_groups_repr() -> None:
    settings = make_settings(
        spotify_client_secret="s3cret-client",
        token_encryption_key="s3cret-key",
    )
    assert settings.spotify.client_secret == "s3cret-client"
    assert settings.accounts.token_encryption_key == "s3cret-key"
    shown = repr(settings.spotify) + repr(settings.accounts)
    assert "s3cret" not in shown


@pytest.mark.parametrize(
    ("name", "below"),
    [("HTTP_CONCURRENCY", "0"), ("HTTP_MAX_RETRIES", "-1"), ("DEEZER_RATE_PER_5S", "0")],
)
def test_a_value_below_what_used_to_be_clamped_is_a_bad_setting(
    fresh_settings, name: str, below: str
) -> None:
    fresh_settings.setenv(name, below)
    with pytest.raises(BadSetting, match=f"{name}='{below}' is not usable: must be a number"):
        get_settings()


async def test_the_lowest_accepted_values_reach_the_layers_as_they_are() -> None:
    settings = make_settings(
        http_concurrency=1,
        http_max_retries=0,
        deezer_rate_per_5s=1,
        deezer_api_base="http://127.0.0.1:10",  # a host of its own (no request is sent)
    )
    async with HttpClient(settings.http) as client:
        assert (client.concurrency, client.max_retries) == (1, 0)
        deezer = client._limiter(host_key(settings.deezer_api_base))
        assert (deezer.limit, deezer.window) == (1, 5.0)
    source = DeezerSource.from_settings(settings.deezer, client)
    assert source.concurrency == 1
