"""The map on a page in the member's language, through the real discord.py against the
loopback fake Discord: a Japanese member's page carries a map drawn with the page
header's Japanese cluster names, title and axes; an English member's page carries
the stored English map, byte for byte."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from bot.locales import words_for
from bot.roots.app import PlaylistBot
from tests.cogs.test_loopback import fake_discord  # noqa: F401 (the fixture)
from tests.fake_discord import Call, FakeDiscord
from tests.harness import bot_settings, playlist_csv
from tests.pages_seen import seen


async def _page(fake: FakeDiscord, locale: str) -> tuple[Call, int]:
    """The upload of the first page a member in ``locale`` gets, and its message id."""
    token = await fake.send_clusters_command("夜.csv", playlist_csv(), 2, locale=locale)
    upload = await fake.wait_for(
        lambda c: c.method == "PATCH" and token in c.path and bool(c.files)
    )
    return upload, fake.originals[token]


async def test_a_japanese_members_page_carries_a_japanese_map(
    tmp_path: Path,
    fake_discord: FakeDiscord,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawn: list[list[str]] = []
    save = Figure.savefig

    def spy(self: Figure, *args: object, **kwargs: object) -> None:
        drawn.append([t.get_text() for t in self.findobj(Text) if t.get_text()])
        save(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", spy)
    fake = fake_discord
    bot = PlaylistBot(bot_settings(tmp_path), heartbeat=False, freeze_heap=False)
    runner = asyncio.create_task(bot.start("fake-token"))
    try:
        await asyncio.wait_for(bot.wait_until_ready(), 10)
        english, message_id = await _page(fake, "en-US")
        english_png = english.files["clusters.png"]
        state = await bot.storage.messages.get(message_id)
        assert state is not None
        analysis = await bot.analyzer.require(state.analysis_key)
        assert english_png == analysis.png  # the stored English map, as before
        drawn.clear()
        upload, _ = await _page(fake, "ja")
        japanese_png = upload.files["clusters.png"]
        assert japanese_png != english_png and japanese_png.startswith(b"\x89PNG")
        ja = words_for("ja")
        (texts,) = drawn  # the Japanese map, drawn once for this page
        assert "夜 のクラスター" in texts
        header = seen(upload.json).top
        for cluster in analysis.clusters:
            name = ja.name(cluster.name)
            assert name in header or cluster.number > 1  # the page shows cluster #1
            assert f"#{cluster.number} {name} ({cluster.size})" in texts
            assert cluster.name not in " ".join(texts)
        # the next Japanese page of the same analysis: the kept picture, nothing drawn
        again, _ = await _page(fake, "ja")
        assert again.files["clusters.png"] == japanese_png and len(drawn) == 1
        assert fake.refused == []
    finally:
        await bot.close()
        await asyncio.wait_for(runner, 10)
