"""Settings: every one is documented in .env.example, with the default the code uses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings.env import BadSetting, Settings, get_settings
from tests.conftest import ROOT

LINE = re.compile(r"^([A-Z0-9_]+)=(.*)$", re.M)


def test_every_setting_is_listed_in_env_example_with_its_default(monkeypatch) -> None:
    listed = dict(LINE.findall((ROOT / ".env.example").read_text(encoding="utf-8")))
    fields = {name.upper() for name in Settings.model_fields}
    assert fields == set(listed)
    for name in fields:
        monkeypatch.delenv(name, raising=False)
    defaults = Settings(_env_file=None)
    from_example = Settings(_env_file=ROOT / ".env.example")
    for name in Settings.model_fields:
        if name in {"discord_token", "spotify_client_secret", "token_encryption_key"}:
            continue  # secrets are empty in the example
        assert getattr(from_example, name) == getattr(defaults, name), name


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HTTP_TIMEOUT_SECONDS", "0"),
        ("HTTP_CONCURRENCY", "0"),
        ("HTTP_MAX_RETRIES", "-1"),
        ("SPOTIFY_RATE_PER_SECOND", "-1"),  # 0 is allowed: no ceiling
        ("CSV_MAX_ROWS", "0"),
        ("K_MIN", "1"),
        ("CACHE_MAX_MB", "-5"),
        ("MAX_CONCURRENT_ANALYSES", "0"),
        ("SCHEDULE_CHECK_SECONDS", "0"),
        ("SCHEDULE_CHECK_SECONDS", str(8 * 86400)),
        ("INTERACTION_ANSWER_SECONDS", "901"),
        ("RANDOM_STATE", "-1"),
    ],
)
def test_a_value_out_of_bounds_fails_at_load_naming_the_setting(
    monkeypatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None)
    assert name.lower() in str(caught.value)


def test_k_min_above_k_max_is_refused(monkeypatch) -> None:
    monkeypatch.setenv("K_MIN", "6")
    monkeypatch.setenv("K_MAX", "5")
    with pytest.raises(ValidationError, match="K_MIN"):
        Settings(_env_file=None)
    monkeypatch.setenv("K_MAX", "6")
    assert Settings(_env_file=None).k_max == 6


@pytest.mark.parametrize(
    ("env", "count", "ids"),
    [
        ({}, None, []),
        ({"SHARD_COUNT": "", "SHARD_IDS": ""}, None, []),
        ({"SHARD_COUNT": "auto"}, 0, []),
        ({"SHARD_COUNT": " AUTO "}, 0, []),
        ({"SHARD_COUNT": "4"}, 4, []),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "3, 1"}, 4, [3, 1]),
    ],
)
def test_shard_settings(
    monkeypatch, env: dict[str, str], count: int | None, ids: list[int]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)
    assert (settings.shard_count, settings.shard_ids) == (count, ids)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SHARD_IDS": "0"}, "SHARD_IDS needs SHARD_COUNT"),
        ({"SHARD_COUNT": "auto", "SHARD_IDS": "0"}, "not auto"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "0,2"}, "SHARD_IDS has 2, but with SHARD_COUNT=2"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "-1"}, "SHARD_IDS has -1"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "1,1"}, "names a shard twice"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "one"}, "shard_ids"),
        ({"SHARD_COUNT": "-1"}, "shard_count"),
        ({"SHARD_COUNT": "many"}, "shard_count"),
    ],
)
def test_unusable_shard_settings_are_refused_with_a_sentence(
    monkeypatch, env: dict[str, str], message: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=message):
        Settings(_env_file=None)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("sqlite:///data/x.db", "postgresql:// URL"),
        ("mysql://u:pw@h/db", "postgresql:// URL"),
        ("postgresql://u:pw@h:99999/db", "port"),
        ("postgresql://u:pw@[::1/db", "not a URL"),
    ],
)
def test_database_url_is_empty_or_postgresql_and_never_repeated(
    monkeypatch, value: str, why: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", value)
    get_settings.cache_clear()
    try:
        with pytest.raises(BadSetting, match=why) as caught:
            get_settings()
    finally:
        get_settings.cache_clear()
    assert "pw" not in str(caught.value)


def test_the_storage_location_is_the_url_when_set_else_the_path(monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_PATH", "state/x.db")
    monkeypatch.setenv("DATABASE_URL", "")
    assert Settings(_env_file=None).storage.location == Path("state/x.db")
    monkeypatch.setenv("DATABASE_URL", " postgres://bot@db/pc ")
    settings = Settings(_env_file=None)
    assert settings.storage.location == "postgres://bot@db/pc"
    assert "bot@db" not in repr(settings) and "bot@db" not in repr(settings.storage)
