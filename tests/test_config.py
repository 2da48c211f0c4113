"""Settings: every one is documented in .env.example, with the default the code uses."""

from __future__ import annotations

import re

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
        if name in {"discord_token", "spotify_client_secret"}:
            continue  # secrets are empty in the example
        assert getattr(from_example, name) == getattr(defaults, name), name
