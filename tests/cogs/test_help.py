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
