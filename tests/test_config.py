"""Settings: every one is documented in .env.example, with the default the code uses."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from bot.config import Settings
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
