"""`/help` (cogs/help.py) in a simulated Discord."""

from __future__ import annotations

from pathlib import Path

from tests.harness import world


async def test_help_explains_sources_and_spotify_limits(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        result = await w.help()
        assert result.ephemeral
        text = result.response.embeds[0].description
        assert "/clusters link:" in text and "file:" in text
        assert "development mode" in text and "Deezer" in text


def test_the_help_is_in_every_catalogs_language_within_an_embeds_description() -> None:
    from bot.locales import LOCALES, load
    from cogs.help import HELP_TEXT, help_text

    for code in sorted(set(LOCALES.values())):
        said = help_text(load(code))
        assert said != HELP_TEXT and len(said) <= 4096, code  # Discord's embed limit
        assert "`/clusters link:" in said and "`/taste share link:`" in said  # commands stay
