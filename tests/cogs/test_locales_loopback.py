"""A member's language on the whole page, through the real discord.py against the
loopback fake Discord: the header, the summary, the footer, every button, the menus and
their placeholder in Japanese or Brazilian Portuguese, the custom ids unchanged; and a
mistake answered privately in the member's language."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from bot.roots.app import PlaylistBot
from tests.cogs.test_loopback import fake_discord  # noqa: F401 (the fixture)
from tests.fake_discord import BOT_DM_ID, OWNER_ID, FakeDiscord
from tests.harness import bot_settings, playlist_csv
from tests.pages_seen import seen

#: What a member reads, by locale: summary line, page footer, the explore buttons, the
#: axis menu's first option, the track menu's placeholder, a track link's refusal and an
#: Apple Music library playlist's.
EXPECTED = {
    "ja": {
        "lines": [
            "**夜 のクラスター**: 50 曲、2 個のクラスター。",
            "50 曲中 50 曲にオーディオ特徴量がありました（ファイルから）。",
            "指定どおり 2 クラスター。",
        ],
        "footer": "ページ 1/5 · クラスター 1/2 · 夜 · 50 曲中 50 曲にオーディオ特徴量がありました",
        "labels": ["📊 特徴を見る", "⏪ クラスター", "クラスター ⏩", "➖ クラスターを減らす"],
        "axis": "X 軸：自動の射影",
        "placeholder": "🔎 この曲に似た曲…",
        "refusal": "それは曲のリンクです。プレイリストのリンクを貼ってください。",
        "apple": "それは個人の Apple Music ライブラリにあるプレイリストで、本人にしか見えません。"
        "公開で共有して（「プレイリストを共有」）、そのリンクを貼ってください。",
    },
    "pt-BR": {
        "lines": [
            "**Grupos de 夜**: 50 faixas em 2 grupos.",
            "50 de 50 faixas tinham características de áudio \\(do arquivo\\).",
            "2 grupos, como pedido.",
        ],
        "footer": "Página 1/5 · Grupo 1/2 · 夜 · 50 de 50 faixas tinham características de áudio",
        "labels": ["📊 O que o destaca", "⏪ Grupo", "Grupo ⏩", "➖ Menos grupos"],
        "axis": "Eixo X: projeção automática",
        "placeholder": "🔎 Faixas como esta…",
        "refusal": "Esse é o link de uma faixa; cole o link de uma playlist.",
        "apple": "Essa é uma playlist da biblioteca pessoal de alguém no Apple Music, que só o "
        "dono vê; compartilhe-a publicamente (Compartilhar Playlist) e cole esse link.",
    },
}


def _selects(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        component
        for row in payload["components"]
        for component in row.get("components") or []
        if component.get("type") == 3
    ]


async def test_a_members_page_and_mistakes_are_in_their_language(
    tmp_path: Path,
    fake_discord: FakeDiscord,  # noqa: F811
) -> None:
    fake = fake_discord
    bot = PlaylistBot(bot_settings(tmp_path), heartbeat=False, freeze_heap=False)
    runner = asyncio.create_task(bot.start("fake-token"))
    try:
        await asyncio.wait_for(bot.wait_until_ready(), 10)
        english = seen(await _page(fake, "en-US"))
        for locale, said in EXPECTED.items():
            payload = await _page(fake, locale)
            page = seen(payload)
            assert page.top.splitlines()[:3] == said["lines"], locale
            assert page.footer.startswith(said["footer"])
            assert set(said["labels"]) <= set(page.labels)
            x_axis, _y_axis, tracks = _selects(payload)
            assert x_axis["options"][0]["label"] == said["axis"]
            assert tracks["placeholder"] == said["placeholder"]
            # the same controls as the English page: labels translate, custom ids stay
            assert page.custom_ids == english.custom_ids
            assert page.labels != english.labels

            # a wrong link: the public "thinking" answer goes, the mistake follows privately
            fake.locale = locale
            wrong = await fake.send_clusters_link(
                "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC", 3
            )
            refusal = await fake.wait_for(
                lambda c, wrong=wrong: (
                    c.method == "POST" and wrong in c.path and "callback" not in c.path
                )
            )
            assert refusal.json["content"] == said["refusal"]
            assert refusal.json["flags"] & 64  # ephemeral
            # an Apple Music library playlist: only its owner sees it, said in their words
            library = await fake.send_clusters_link(
                "https://music.apple.com/library/playlist/p.ZOAXxyz", 3
            )
            refusal = await fake.wait_for(
                lambda c, library=library: (
                    c.method == "POST" and library in c.path and "callback" not in c.path
                )
            )
            assert refusal.json["content"] == said["apple"]
        assert fake.refused == []
    finally:
        await bot.close()
        await asyncio.wait_for(runner, 10)


async def _page(fake: FakeDiscord, locale: str) -> dict[str, Any]:
    """The first page a member whose Discord speaks ``locale`` gets for `/clusters`."""
    token = await fake.send_clusters_command("夜.csv", playlist_csv(), 2, locale=locale)
    upload = await fake.wait_for(
        lambda c: c.method == "PATCH" and token in c.path and bool(c.files)
    )
    return upload.json


async def test_a_late_private_answer_goes_to_the_members_dms_in_their_language(
    tmp_path: Path,
    fake_discord: FakeDiscord,  # noqa: F811
) -> None:
    """Past the interaction's deadline (here: at once) a private answer cannot be an
    ephemeral edit any more: it arrives as a message in the member's DMs, and the
    "working on it" answer says where it went."""
    fake = fake_discord
    settings = bot_settings(tmp_path, interaction_answer_seconds=0)
    bot = PlaylistBot(settings, heartbeat=False, freeze_heap=False)
    runner = asyncio.create_task(bot.start("fake-token"))
    try:
        await asyncio.wait_for(bot.wait_until_ready(), 10)
        token = await fake.send_clusters_command(
            "夜.csv", playlist_csv(), 2, locale="ja", private=True
        )
        # the progress it showed meanwhile was in Japanese too
        await fake.wait_for(lambda c: (c.json or {}).get("content") == "開始しています…")
        opened = await fake.wait_for(lambda c: c.path.endswith("/users/@me/channels"))
        assert int(opened.json["recipient_id"]) == OWNER_ID
        posted = await fake.wait_for(
            lambda c: c.method == "POST" and c.path.endswith(f"/channels/{BOT_DM_ID}/messages")
        )
        assert set(posted.files) == {"clusters.png"}
        page = seen(posted.json)
        assert page.top.startswith("**夜 のクラスター**")  # no mention: it is the member's DM
        assert page.footer.startswith("ページ 1/5 · クラスター 1/2")
        assert "📊 特徴を見る" in page.labels
        done = await fake.wait_for(
            lambda c: (
                c.method == "PATCH"
                and token in c.path
                and (c.json or {}).get("content", "").startswith("完了")
            )
        )
        assert (
            done.json["content"] == "完了：回答に時間がかかったため、新しいメッセージに載せました。"
        )
        message_id = int(
            next(m["id"] for m in fake.messages.values() if m["channel_id"] == str(BOT_DM_ID))
        )
        state = await bot.storage.messages.get(message_id)
        assert state is not None and state.guild_id is None and state.locale == "ja"
        assert fake.refused == []
    finally:
        await bot.close()
        await asyncio.wait_for(runner, 10)
