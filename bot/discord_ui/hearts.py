"""💚 by consent: the question (two persistent buttons) and the answer sentences.

A member's 💚 says which tracks are in their library. It shows on messages others see
only once the member said yes (``storage.members``); the question is asked when they
connect Spotify (``/spotify connect``) and the answer changes with ``/hearts``.
The buttons' custom ids are ``pc:lk:y`` and ``pc:lk:n``: they work after a restart.
"""

from __future__ import annotations

import re
from typing import Any, Protocol, cast

import discord

from bot.discord_ui.answers import NO_MENTIONS
from bot.discord_ui.items import PersistentItem, custom_id
from bot.locales import ENGLISH, N_, Words, words_for

QUESTION = N_(
    "May your 💚 (the tracks you like) show on answers others can see? Until you say yes, "
    "they show only in answers only you see. `/hearts` changes this later."
)
SHOWN = N_("Your 💚 now show on shared answers too. `/hearts show:False` hides them again.")
HIDDEN = N_("Your 💚 now show only in answers only you see. `/hearts show:True` shares them.")


class _Members(Protocol):
    async def set_shows_liked(self, user_id: int, show: bool) -> None: ...


class _Storage(Protocol):
    members: _Members


class _HasStorage(Protocol):
    storage: _Storage


async def answer_hearts(interaction: discord.Interaction[Any], show: bool) -> None:
    """Store the member's answer and confirm it privately."""
    client = cast("_HasStorage", interaction.client)
    await client.storage.members.set_shows_liked(interaction.user.id, show)
    words = words_for(interaction.locale)
    await interaction.response.send_message(
        words(SHOWN if show else HIDDEN), ephemeral=True, allowed_mentions=NO_MENTIONS
    )


class HeartsButton(PersistentItem[discord.ui.Button[Any]], pattern=r"lk:(?P<show>[yn])"):
    """One answer to the question: show my 💚 on shared answers (``y``) or not (``n``)."""

    def __init__(self, show: bool, words: Words = ENGLISH) -> None:
        super().__init__(
            discord.ui.Button(
                label=words(N_("Show my 💚 to others") if show else N_("Keep my 💚 private")),
                style=discord.ButtonStyle.success if show else discord.ButtonStyle.secondary,
                custom_id=custom_id("lk", "y" if show else "n"),
            )
        )
        self.show = show

    @classmethod
    def parse(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> HeartsButton:
        return cls(match["show"] == "y")

    async def pressed(self, interaction: discord.Interaction[Any]) -> None:
        await answer_hearts(interaction, self.show)


def question_buttons(words: Words = ENGLISH) -> list[discord.ui.Item[Any]]:
    """The two answers, for a message asking :data:`QUESTION`, in ``words``' language."""
    return [HeartsButton(True, words), HeartsButton(False, words)]
