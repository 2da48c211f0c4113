"""Command names, descriptions and options in the member's language (``tree.set_translator``).

discord.py asks :class:`CatalogTranslator` for every string of every command when the
tree is synced; the translation comes from the same gettext catalogs as the answers
(``bot/locales``). Names Discord would refuse (upper case, spaces, longer than 32) are
not sent, so the English name stays for that locale.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Where

from bot.locales import ENGLISH, words_for

#: What Discord accepts as a slash command, group or option name.
NAME = re.compile(r"^[-_\w]{1,32}$")
NAMES = (Where.command_name, Where.group_name, Where.parameter_name)


class CatalogTranslator(app_commands.Translator):
    """Translates command strings from the catalogs; None (English) when missing."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        words = words_for(locale)
        if words is ENGLISH:
            return None
        text = words.messages.get(string.message)
        if not text:
            return None
        if context.location in NAMES and (not NAME.match(text) or text != text.lower()):
            return None
        if context.location is Where.other and len(text) > 32:  # context menu names
            return None
        return text[:100]


def command_strings(commands: Iterator[Any]) -> Iterator[str]:
    """Every name, description and option text of ``commands`` (for the catalogs)."""
    for command in commands:
        yield command.name
        description = getattr(command, "description", "")
        if description and description != "…":
            yield description
        for parameter in getattr(command, "parameters", []):
            yield parameter.name
            if parameter.description and parameter.description != "…":
                yield parameter.description
        yield from command_strings(iter(getattr(command, "commands", [])))
