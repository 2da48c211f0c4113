"""Paged cluster messages on Discord: embeds, buttons, reactions and stored state.

Not a cog: the Discord side shared by the clusters and schedule cogs (and the explore
components) for showing an analysis as a message whose pages turn with reactions and
buttons. The app builds one :class:`Pager`; the cogs use it as ``bot.pager``.
Everything a turn needs lives in storage (the message's :class:`MessageState` and
the cached analysis), so paging keeps working after a restart.

- :meth:`Pager.publish` sends an analysis (picture + first page + buttons), stores
  the message state and adds the reactions once.
- :meth:`Pager.post_analysis` does the same into a channel (no interaction).
- :class:`PageButton` is a persistent ``DynamicItem``; its custom id carries the
  source message (0 = the message the button is on), cluster, page and action. A turn
  of a shared message starts from its stored page, under a lock all processes share.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, Protocol, cast

import discord

from bot.discord_ui.answers import NO_MENTIONS
from bot.discord_ui.explore_items import explore_items
from bot.discord_ui.extras import ExtraItems, Marker, add_extras, viewer_page
from bot.discord_ui.items import PersistentItem, custom_id
from bot.discord_ui.lens import LENS_PATTERN, Lens, axes_of, copy_target, shared_target
from bot.render.pages import ACTIONS, Action, Page, Position, page_counts, turn
from bot.services.analyzer import AnalysisExpired
from bot.services.leases import SharedLocks
from storage.messages import MessageState

if TYPE_CHECKING:
    from bot.model import Analysis
    from bot.services.analyzer import Analyzer
    from bot.services.explorer import Explorer
    from storage.messages import MessageRepository

log = logging.getLogger(__name__)

PNG_NAME = "clusters.png"

#: Reactions in the order they are added, and what each does.
REACTIONS: dict[str, Action] = {
    "⏪": "prev_cluster",
    "⏮": "first",
    "◀": "prev",
    "▶": "next",
    "⏭": "last",
    "⏩": "next_cluster",
}
#: Button label, row and action; rows keep the within-cluster moves together.
BUTTONS: tuple[tuple[str, int, Action], ...] = (
    ("⏮", 0, "first"),
    ("◀", 0, "prev"),
    ("▶", 0, "next"),
    ("⏭", 0, "last"),
    ("⏪ Cluster", 1, "prev_cluster"),
    ("Cluster ⏩", 1, "next_cluster"),
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


def page_embed(page: Page) -> discord.Embed:
    """The embed of one page."""
    embed = discord.Embed(title=page.title, description=page.description, colour=0x5865F2)
    if page.thumbnail:
        embed.set_thumbnail(url=page.thumbnail)
    embed.set_footer(text=page.footer)
    return embed


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
        row: int | None = None,
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
                row=row,
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
            row=item.row,
            lens=Lens.parse(match["k"], match["x"], match["y"]) if match["k"] else None,
        )

    async def pressed(self, interaction: discord.Interaction[Any]) -> None:
        pager = cast("_HasPager", interaction.client).pager
        await pager.on_button(interaction, self.source, self.position, self.action, self.lens)


class _HasPager(Protocol):
    pager: Pager


def page_view(
    page: Page,
    source: int = 0,
    *,
    lens: Lens | None = None,
    extras: Sequence[tuple[discord.ui.Item[Any], int]] = (),
) -> discord.ui.View:
    """The buttons under a page (moves that lead nowhere are disabled), then ``extras``
    (component, row): the explore components."""
    view = discord.ui.View(timeout=None)
    here = Position(page.cluster, page.page)
    for label, row, action in BUTTONS:
        disabled = _disabled(page, action)
        view.add_item(
            PageButton(source, here, action, label=label, row=row, disabled=disabled, lens=lens)
        )
    for item, row in extras:
        item.row = row
        view.add_item(item)
    return view


SendFunction = Callable[..., Awaitable[discord.Message]]


class Pager:
    """Shows analyses as paged messages and turns their pages."""

    def __init__(
        self,
        analyzer: Analyzer,
        messages: MessageRepository,
        explorer: Explorer | None = None,
        locks: SharedLocks | None = None,
    ) -> None:
        self.analyzer = analyzer
        self.messages = messages
        self.explorer = explorer
        #: Page-turn locks shared by every process (in-process only when none are given).
        self.locks = locks or SharedLocks(None)
        #: Components added under every page, and the viewer's 💚 (bot/discord_ui/extras.py).
        self.extra_items: list[ExtraItems] = []
        self.marker: Marker | None = None

    def add_extras(self, view: discord.ui.View, page: Page, source: int = 0) -> discord.ui.View:
        """``view`` plus the :attr:`extra_items` that fit (``bot/discord_ui/extras.py``)."""
        return add_extras(view, self.extra_items, page, source)

    async def _page(self, analysis: Analysis, position: Position, viewer: int) -> Page:
        """The page at ``position`` with ``viewer``'s marks (:attr:`marker`)."""
        return await viewer_page(self.marker, analysis, position, viewer)

    def lock(self, message_id: int) -> AbstractAsyncContextManager[None]:
        """The lock serialising edits of one shared message (across processes)."""
        return self.locks.hold(f"page:{message_id}")

    def view(
        self,
        analysis: Analysis,
        page: Page,
        *,
        source: int = 0,
        axes: tuple[str | None, str | None] = (None, None),
    ) -> discord.ui.View:
        """Page buttons plus the explore components; a private copy (``source``) carries
        its lens in every custom id, a shared message keeps it in the database."""
        lens = Lens.of(analysis, axes) if source else Lens()
        if self.explorer is None:
            return self.add_extras(page_view(page, source, lens=lens), page, source)
        extras = explore_items(
            analysis,
            page,
            source=source,
            lens=lens,
            axes=axes,
            counts=self.explorer.count_range(analysis),
        )
        return self.add_extras(page_view(page, source, lens=lens, extras=extras), page, source)

    async def publish(
        self,
        send: SendFunction,
        *,
        key: str,
        analysis: Analysis,
        owner_id: int,
        guild_id: int | None,
        content: str,
        ephemeral: bool = False,
        editing: bool = False,
    ) -> discord.Message:
        """Send the picture and the first page with ``send``, store the state, add reactions.

        ``send`` is e.g. ``channel.send``, or ``interaction.edit_original_response``
        with ``editing=True``; it is called with ``content``, ``embed``, ``view``,
        ``allowed_mentions`` and the PNG as ``file`` (a new message) or
        ``attachments`` (an edit).
        """
        page = await self._page(analysis, Position(0, 0), owner_id)
        kwargs: dict[str, Any] = {
            "content": content,
            "embed": page_embed(page),
            "view": self.view(analysis, page),
            "allowed_mentions": NO_MENTIONS,
        }
        if analysis.png:
            png = discord.File(io.BytesIO(analysis.png), filename=PNG_NAME)
            if editing:
                kwargs["attachments"] = [png]
            else:
                kwargs["file"] = png
        message = await send(**kwargs)
        await self.messages.save(
            MessageState(
                message_id=message.id,
                channel_id=message.channel.id,
                guild_id=guild_id,
                analysis_key=key,
                owner_id=owner_id,
                cluster=0,
                page=0,
            )
        )
        if not ephemeral:
            await self.add_reactions(message)
        return message

    async def post_analysis(
        self,
        channel: discord.abc.Messageable,
        *,
        key: str,
        analysis: Analysis,
        owner_id: int,
        content: str,
    ) -> discord.Message:
        """Post ``analysis`` into ``channel`` as a paged message (used when no interaction
        can carry the answer: a long analysis or a scheduled post)."""
        in_guild = isinstance(channel, discord.abc.GuildChannel | discord.Thread)
        return await self.publish(
            channel.send,
            key=key,
            analysis=analysis,
            owner_id=owner_id,
            guild_id=channel.guild.id if in_guild else None,
            content=content,
        )

    @staticmethod
    async def add_reactions(message: discord.Message) -> None:
        """Add the paging reactions once; without permission the buttons still work."""
        try:
            for emoji in REACTIONS:
                await message.add_reaction(emoji)
        except (discord.Forbidden, discord.NotFound):
            log.info("cannot add paging reactions to message %s", message.id)

    @staticmethod
    def may_edit(interaction: discord.Interaction[Any], state: MessageState) -> bool:
        """Whether this press may change the message itself: one's own private message,
        the invoker's, or a member with Manage Messages. Others get private copies."""
        message = interaction.message
        return bool(
            (message is not None and message.flags.ephemeral)
            or interaction.user.id == state.owner_id
            or interaction.permissions.manage_messages
        )

    async def turn_message(
        self, state: MessageState, action: Action, channel: discord.abc.Messageable
    ) -> Position | None:
        """Turn a shared message's page (reaction path); None when nothing moved."""
        async with self.lock(state.message_id):
            current = await self.messages.get(state.message_id) or state
            analysis = await self.analyzer.require(current.analysis_key)
            here = Position(current.cluster, current.page)
            there = turn(page_counts(analysis), here, action)
            if there == here:
                return None
            page = await self._page(analysis, there, current.owner_id)
            partial = channel.get_partial_message(state.message_id)  # type: ignore[attr-defined]
            await partial.edit(
                embed=page_embed(page),
                view=self.view(analysis, page, axes=axes_of(current)),
                allowed_mentions=NO_MENTIONS,
            )
            await self.messages.update_position(state.message_id, there.cluster, there.page)
            return there

    async def on_button(
        self,
        interaction: discord.Interaction[Any],
        source: int,
        position: Position,
        action: Action,
        lens: Lens | None = None,
    ) -> None:
        """A page button was pressed: turn the shared message, or the presser's own pager."""
        message = interaction.message
        if source:  # a private pager of the shared message ``source``
            assert self.explorer is not None
            target = await copy_target(
                self.messages, self.analyzer, self.explorer, source, lens or Lens()
            )
            there = turn(page_counts(target.analysis), position, action)
            page = await self._page(target.analysis, there, interaction.user.id)
            await interaction.response.edit_message(
                embed=page_embed(page),
                view=self.view(target.analysis, page, source=source, axes=target.axes),
                allowed_mentions=NO_MENTIONS,
            )
            return
        if message is None:
            raise AnalysisExpired()
        target = await shared_target(self.messages, self.analyzer, message.id)
        if self.may_edit(interaction, target.state):
            return await self._turn_shared(interaction, message.id, action)
        there = turn(page_counts(target.analysis), position, action)
        page = await self._page(target.analysis, there, interaction.user.id)
        # Anyone may read: a stranger gets a private pager starting where they asked.
        await interaction.response.send_message(
            content="Only the person who asked can turn this message; here is your own copy.",
            embed=page_embed(page),
            view=self.view(target.analysis, page, source=message.id, axes=target.axes),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    async def _turn_shared(
        self, interaction: discord.Interaction[Any], message_id: int, action: Action
    ) -> None:
        """Turn from the stored page, under the lock: once per press, in order."""
        async with self.lock(message_id):
            target = await shared_target(self.messages, self.analyzer, message_id)
            here = Position(target.state.cluster, target.state.page)
            there = turn(page_counts(target.analysis), here, action)
            page = await self._page(target.analysis, there, target.state.owner_id)
            await interaction.response.edit_message(
                embed=page_embed(page),
                view=self.view(target.analysis, page, axes=target.axes),
                allowed_mentions=NO_MENTIONS,
            )
            await self.messages.update_position(message_id, there.cluster, there.page)
