"""The base of our persistent components: the custom id carries everything a press needs.

discord.py's ``DynamicItem`` rebuilds a component from its custom id when it is
pressed, even after a restart. Every such component of this bot (page buttons,
explore components, Save to Spotify) is a :class:`PersistentItem`, which writes the
part they all share once:

- custom ids are ``pc:<kind>:<fields>`` (:func:`custom_id`); a subclass names the
  part after ``pc:`` as a regular expression (``pattern=``);
- :meth:`PersistentItem.from_custom_id` hands the match and the rebuilt component to
  the subclass's :meth:`~PersistentItem.parse` (plain, not a coroutine);
- :meth:`PersistentItem.callback` runs the subclass's :meth:`~PersistentItem.pressed`
  and answers any error like a command error (a sentence, or an error id for a bug).

A press reaches the bot's services through ``interaction.client``; each family of
items declares the handlers it calls as a protocol of its own module (the pager's
buttons, the explore components), so this base imports none of the modules that
subclass it.
"""

from __future__ import annotations

import re
from typing import Any, Self, TypeVar

import discord

from bot.discord_ui.answers import answer_error

#: Every custom id of this bot starts with this.
PREFIX = "pc:"
#: Matches no custom id: the template of the abstract base itself.
NEVER = r"(?!)"
#: Discord's limit on a custom id.
MAX_CUSTOM_ID = 100

ItemT = TypeVar("ItemT", bound=discord.ui.Item[Any])


def custom_id(kind: str, *fields: object) -> str:
    """``pc:<kind>:<field>:<field>...``; the fields as ``str`` gives them."""
    return PREFIX + ":".join((kind, *map(str, fields)))


class PersistentItem(discord.ui.DynamicItem[ItemT], template=NEVER):
    """A component rebuilt from its custom id (see the module's docstring).

    A subclass passes ``pattern=`` (the custom id after ``pc:``, with named groups),
    implements :meth:`parse` (match -> instance) and :meth:`pressed` (what a press does).
    """

    def __init_subclass__(cls, *, pattern: str | None = None) -> None:
        super().__init_subclass__(template=NEVER if pattern is None else PREFIX + pattern)

    @classmethod
    def parse(cls, match: re.Match[str], item: ItemT) -> Self:
        """The component for a pressed custom id (``item``: the component as Discord sent it)."""
        raise NotImplementedError

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: ItemT, match: re.Match[str], /
    ) -> Self:
        return cls.parse(match, item)

    async def pressed(self, interaction: discord.Interaction[Any]) -> None:
        """What a press does."""
        raise NotImplementedError

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await self.pressed(interaction)
        except Exception as error:  # answered like command errors: sentence or error id
            await answer_error(interaction, error)
