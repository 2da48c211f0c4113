"""Command names, descriptions and options in the member's language: what the synced
payload carries for Japanese and Spanish, and names Discord would refuse left out."""

from __future__ import annotations

from pathlib import Path

from discord import Locale, app_commands

from bot.discord_ui.translator import CatalogTranslator
from bot.roots.app import PlaylistBot
from tests.harness import bot_settings


async def test_a_japanese_member_sees_japanese_commands(tmp_path: Path) -> None:
    bot = PlaylistBot(bot_settings(tmp_path), heartbeat=False, freeze_heap=False)
    async with bot:
        await bot.setup_hook()
        commands = bot.tree.get_commands()
        translated = {}
        for command in commands:
            data = await command.get_translated_payload(bot.tree, bot.tree.translator)
            translated[command.name] = data
        await bot.close()
    clusters = translated["clusters"]
    assert clusters["name_localizations"]["ja"] == "クラスター"
    assert clusters["name_localizations"]["es-ES"] == "grupos"
    assert clusters["description_localizations"]["ja"] == (
        "プレイリストの曲をクラスターに分けて表示します"
    )
    options = {o["name"]: o for o in clusters["options"]}
    assert options["link"]["name_localizations"]["ja"] == "リンク"
    assert options["private"]["description_localizations"]["es-ES"] == "Solo tú ves la respuesta"
    menu = translated["Cluster this playlist"]
    assert menu["name_localizations"]["ja"] == "このプレイリストをクラスター分け"
    assert clusters["name_localizations"]["ko"] == "클러스터"
    assert clusters["name_localizations"]["pt-BR"] == "grupos"
    assert "it" not in clusters.get("name_localizations", {})  # no catalog: English


async def test_names_discord_would_refuse_are_not_sent() -> None:
    translator = CatalogTranslator()
    context = app_commands.TranslationContext(
        location=app_commands.TranslationContextLocation.parameter_name, data=None
    )
    # "zona_horaria" is a valid name; a translation with a space or capitals is not
    ok = await translator.translate(
        app_commands.locale_str("timezone"), Locale.spain_spanish, context
    )
    assert ok == "zona_horaria"
    described = app_commands.TranslationContext(
        location=app_commands.TranslationContextLocation.command_description, data=None
    )
    said = await translator.translate(
        app_commands.locale_str("Only you see the answer"), Locale.japanese, described
    )
    assert said == "回答を自分だけに表示します"
    spaced = await translator.translate(
        app_commands.locale_str("Cluster this playlist"), Locale.spain_spanish, context
    )
    assert spaced is None  # "Agrupar esta playlist" has spaces: no name
