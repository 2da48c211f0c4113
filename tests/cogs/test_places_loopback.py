"""Wherever members are, through the real discord.py against the loopback fake Discord:
`/clusters` in a private chat as a user-installed app, the message menu "Cluster this
playlist", and the install types and contexts every command is synced with."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.discord_ui.places import ELSEWHERE_NOTE
from bot.roots.app import PlaylistBot
from tests.cogs.test_loopback import fake_discord  # noqa: F401 (the fixture)
from tests.fake_discord import DM_ID, FakeDiscord
from tests.harness import bot_settings, playlist_csv
from tests.pages_seen import is_layout, seen


def _synced(bot: PlaylistBot) -> dict[str, dict]:
    return {command.name: command.to_dict(bot.tree) for command in bot.tree.get_commands()}


async def test_every_command_is_offered_wherever_members_are_except_weekly_posts(
    tmp_path: Path,
) -> None:
    bot = PlaylistBot(bot_settings(tmp_path), heartbeat=False, freeze_heap=False)
    async with bot:
        await bot.setup_hook()
        synced = _synced(bot)
        await bot.close()
    assert {"clusters", "similar", "help", "hearts", "spotify", "Cluster this playlist"} <= set(
        synced
    )
    for name, payload in synced.items():
        # weekly posts need the bot in the server; taste maps are a server's shared playlists
        if name in ("schedule", "taste", "Compare taste"):
            assert (payload["integration_types"], payload["contexts"]) == ([0], [0])
            continue
        assert sorted(payload["integration_types"]) == [0, 1], name  # server and user installs
        assert sorted(payload["contexts"]) == [0, 1, 2], name  # servers, bot DMs, private chats
    assert synced["Cluster this playlist"]["type"] == 3  # a message context menu


async def test_clusters_in_a_private_chat_as_a_user_app_and_the_message_menu(
    tmp_path: Path,
    fake_discord: FakeDiscord,  # noqa: F811
    fake_deezer,
) -> None:
    fake = fake_discord
    fake_deezer.generated(4242, 30, name="Friday 🎉")
    settings = bot_settings(tmp_path, deezer_api_base=fake_deezer.api_base)
    bot = PlaylistBot(settings, heartbeat=False, freeze_heap=False)
    runner = asyncio.create_task(bot.start("fake-token"))
    try:
        await asyncio.wait_for(bot.wait_until_ready(), 10)
        token = await fake.send_clusters_in_dm("Road_Trip.csv", playlist_csv())
        upload = await fake.wait_for(
            lambda c: c.method == "PATCH" and token in c.path and bool(c.files)
        )
        assert is_layout(upload.json)
        page = seen(upload.json)
        assert page.footer.startswith("Page 1/5 · Cluster 1/")
        # what cannot work there is said in one sentence, and no reaction is attempted
        assert ELSEWHERE_NOTE in page.top
        message_id = fake.originals[token]
        state = await bot.storage.messages.get(message_id)
        assert state is not None and state.guild_id is None
        # the buttons work there: pressing ▶ turns the page
        pressed = await fake.send_component(message_id, "pc:pg:0:0:0:n")
        update = await fake.wait_for(lambda c: c.path.endswith(f"/{pressed}/callback"))
        assert seen(update.json["data"]).footer.startswith("Page 2/5")

        # right-click a friend's message → Apps → Cluster this playlist
        menu = await fake.send_message_menu(
            "listen to this (https://www.deezer.com/fr/playlist/4242)!", dm=True
        )
        answer = await fake.wait_for(
            lambda c: c.method == "PATCH" and menu in c.path and bool(c.files)
        )
        assert "Clusters in Friday 🎉" in seen(answer.json).top
        nothing = await fake.send_message_menu("no link here, just words")
        refusal = await fake.wait_for(lambda c: c.path.endswith(f"/{nothing}/callback"))
        assert refusal.json["data"]["flags"] & 64  # privately
        assert "no playlist link" in refusal.json["data"]["content"]

        reactions = [c for c in fake.calls if "/reactions/" in c.path]
        assert not [c for c in reactions if str(DM_ID) in c.path]
        assert fake.refused == []
    finally:
        await bot.close()
        await asyncio.wait_for(runner, 10)


async def test_a_japanese_member_gets_a_japanese_page_and_it_stays_japanese(
    tmp_path: Path,
    fake_discord: FakeDiscord,  # noqa: F811
) -> None:
    fake = fake_discord
    bot = PlaylistBot(bot_settings(tmp_path), heartbeat=False, freeze_heap=False)
    runner = asyncio.create_task(bot.start("fake-token"))
    try:
        await asyncio.wait_for(bot.wait_until_ready(), 10)
        token = await fake.send_clusters_command("夜.csv", playlist_csv(), 2, locale="ja")
        upload = await fake.wait_for(
            lambda c: c.method == "PATCH" and token in c.path and bool(c.files)
        )
        page = seen(upload.json)
        assert page.top.startswith("**夜 のクラスター**: 50 曲、2 個のクラスター。")
        assert page.title.startswith("クラスター #1 · ") and page.title.endswith(" · 25 曲")
        assert "特徴: " in page.top and "プレイリストの 50%" in page.top
        assert page.footer.startswith("ページ 1/5 · クラスター 1/2 · 夜 · ")
        # an English-speaking moderator's reaction turns it: it stays in Japanese
        message_id = fake.originals[token]
        fake.locale = "en-US"
        await fake.react(message_id, "▶")
        turned = await fake.wait_for(
            lambda c: c.method == "PATCH" and c.path.endswith(f"/messages/{message_id}")
        )
        assert seen(turned.json).footer.startswith("ページ 2/5 · クラスター 1/2")
        assert fake.refused == []
    finally:
        await bot.close()
        await asyncio.wait_for(runner, 10)
