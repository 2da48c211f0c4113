"""The page-turn controls of a cluster page: reactions and persistent buttons.

:class:`PageButton` is a persistent ``DynamicItem``; its custom id
``pc:pg:{source}:{cluster}:{page}:{action}[:{lens}]`` carries the source message
(0 = the message the button is on), the position and the action, so a press after
a restart needs nothing else. :data:`REACTIONS` are the same moves as reactions.
"""

from __future__ import annotations

import re
from typing import Any, Protocol, cast

import discord

from bot.discord_ui.items import PersistentItem, custom_id
from bot.discord_ui.lens import LENS_PATTERN, Lens
from bot.discord_ui.page_layout import PNG_NAME
from bot.locales import N_
from bot.render.pages import ACTIONS, Action, Page, Position

#: Reactions in the order they are added, and what each does.
REACTIONS: dict[str, Action] = {
    "⏪": "prev_cluster",
    "⏮": "first",
    "◀": "prev",
    "▶": "next",
    "⏭": "last",
    "⏩": "next_cluster",
}
#: Button labels (message ids, shown in the page's language): the moves within a
#: cluster, then between clusters. The custom ids never depend on the label.
PAGE_BUTTONS: tuple[tuple[str, Action], ...] = (
    ("⏮", "first"),
    ("◀", "prev"),
    ("▶", "next"),
    ("⏭", "last"),
)
CLUSTER_BUTTONS: tuple[tuple[str, Action], ...] = (
    (N_("⏪ Cluster"), "prev_cluster"),
    (N_("Cluster ⏩"), "next_cluster"),
)
ACTION_CODES: dict[Action, str] = {
    "first": "f",
    "prev": "p",
    "next": "n",
    "last": "l",
    "prev_cluster": "P",
    "next_cluster": "N",
}
CODE_ACTIONS: dict[str, Action] = {code: action for action, code in ACTION_CODES.items()}
assert set(ACTION_CODES) == set(ACTIONS)


def reaction_action(emoji: str) -> Action | None:
    """The page action of a reaction, ignoring emoji variation selectors."""
    return REACTIONS.get(emoji.replace("\ufe0f", ""))


def has_map(message: discord.Message | None) -> bool:
    """Whether ``message`` carries the map picture the page's gallery shows."""
    return message is not None and any(a.filename == PNG_NAME for a in message.attachments)


def _disabled(page: Page, action: Action) -> bool:
    if action in ("first", "prev"):
        return page.page == 0
    if action in ("next", "last"):
        return page.page >= page.page_count - 1
    if action == "prev_cluster":
        return page.cluster == 0
    return page.cluster >= page.cluster_count - 1


class PageButton(
    PersistentItem[discord.ui.Button[Any]],
    pattern=r"pg:(?P<source>[0-9]{1,20}):(?P<cluster>[0-9]{1,3}):(?P<page>[0-9]{1,5}):"
    r"(?P<action>[fpnlPN])(?::" + LENS_PATTERN + ")?",
):
    """A page-turn button that survives restarts; the custom id holds all it needs
    (a private copy's buttons also carry its :class:`~bot.discord_ui.lens.Lens`)."""

    def __init__(
        self,
        source: int,
        position: Position,
        action: Action,
        *,
        label: str = "",
        disabled: bool = False,
        lens: Lens | None = None,
    ) -> None:
        fields: list[object] = [source, position.cluster, position.page, ACTION_CODES[action]]
        if lens is not None and lens != Lens():
            fields.append(lens.token())
        super().__init__(
            discord.ui.Button(
                label=label or action,
                style=discord.ButtonStyle.secondary,
                custom_id=custom_id("pg", *fields),
                disabled=disabled,
            )
        )
        self.source = source
        self.position = position
        self.action = action
        self.lens = lens or Lens()

    @classmethod
    def parse(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> PageButton:
        return cls(
            int(match["source"]),
            Position(int(match["cluster"]), int(match["page"])),
            CODE_ACTIONS[match["action"]],
            label=item.label or "",
            lens=Lens.parse(match["k"], match["x"], match["y"]) if match["k"] else None,
        )

    async def pressed(self, interaction: discord.Interaction[Any]) -> None:
        pager = cast("_HasPager", interaction.client).pager
        await pager.on_button(interaction, self.source, self.position, self.action, self.lens)


class PageTurner(Protocol):
    """What a page button calls on a press (the bot's ``Pager``)."""

    async def on_button(
        self,
        interaction: discord.Interaction[Any],
        source: int,
        position: Position,
        action: Action,
        lens: Lens | None = None,
    ) -> None: ...


class _HasPager(Protocol):
    pager: PageTurner


def page_buttons(
    page: Page, moves: tuple[tuple[str, Action], ...], source: int, lens: Lens | None
) -> list[discord.ui.Item[Any]]:
    """The buttons of ``moves``, labelled in the page's language (moves that lead
    nowhere are disabled)."""
    here = Position(page.cluster, page.page)
    return [
        PageButton(
            source,
            here,
            action,
            label=page.words(label),
            disabled=_disabled(page, action),
            lens=lens,
        )
        for label, action in moves
    ]
