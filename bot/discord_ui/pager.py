"""Paged cluster messages on Discord: layout pages, buttons, reactions and stored state.

Not a cog: the Discord side shared by the clusters and schedule cogs (and the explore
components) for showing an analysis as a message whose pages turn with reactions and
buttons. The app builds one :class:`Pager`; the cogs use it as ``bot.pager``.
Everything a turn needs lives in storage (the message's :class:`MessageState`, with
the intro text above the page, and the cached analysis), so paging keeps working
after a restart.

A page is a layout message (``bot/discord_ui/layout.py``): the map (in the page's
language: ``map_file``), one section per track, then the controls: page and cluster
moves, what sets it apart, fewer/more clusters, take home, the extras (Save to
Spotify), the map's axes and "tracks like this one".

- :meth:`Pager.publish` sends an analysis (map + first page + controls), stores
  the message state and adds the reactions once.
- :meth:`Pager.post_analysis` does the same into a channel (no interaction).
- :class:`PageButton` is a persistent ``DynamicItem``; its custom id carries the
  source message (0 = the message the button is on), cluster, page and action. A turn
  of a shared message starts from its stored page, under a lock all processes share.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

import discord

from bot.discord_ui.answers import NO_MENTIONS
from bot.discord_ui.explore_items import explore_items
from bot.discord_ui.extras import Consent, ExtraItems, Marker, extra_row, viewer_page
from bot.discord_ui.lens import Lens, axes_of, copy_target, shared_target
from bot.discord_ui.page_items import (
    CLUSTER_BUTTONS,
    PAGE_BUTTONS,
    REACTIONS,
    PageButton,
    has_map,
    page_buttons,
    reaction_action,
)
from bot.discord_ui.page_layout import PNG_NAME, map_file, page_layout
from bot.locales import ENGLISH, N_, Words, words_for
from bot.render.pages import Action, Page, Position, page_counts, turn
from bot.services.analyzer import AnalysisExpired
from bot.services.leases import SharedLocks
from storage.messages import MessageState

if TYPE_CHECKING:
    from bot.model import Analysis
    from bot.services.analyzer import Analyzer
    from bot.services.explorer import Explorer
    from storage.messages import MessageRepository

log = logging.getLogger(__name__)

__all__ = ["COPY_NOTE", "PNG_NAME", "PageButton", "Pager", "has_map", "reaction_action"]

COPY_NOTE = N_("Only the person who asked can turn this message; here is your own copy.")

SendFunction = Callable[..., Awaitable[discord.Message]]


class Pager:
    """Shows analyses as paged layout messages and turns their pages."""

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
        #: Controls added to every page, the viewer's 💚 and the members' consent to
        #: show it on shared messages (bot/discord_ui/extras.py).
        self.extra_items: list[ExtraItems] = []
        self.marker: Marker | None = None
        self.consent: Consent | None = None

    async def page_for(
        self,
        analysis: Analysis,
        position: Position,
        *,
        owner: int,
        viewer: int,
        private: bool,
        words: Words = ENGLISH,
    ) -> Page:
        """The page at ``position`` as ``viewer`` may see it (💚 by consent, extras.py),
        in ``words``' language."""
        return await viewer_page(
            self.marker,
            self.consent,
            analysis,
            position,
            owner=owner,
            viewer=viewer,
            private=private,
            words=words,
        )

    def lock(self, message_id: int) -> AbstractAsyncContextManager[None]:
        """The lock serialising edits of one shared message (across processes)."""
        return self.locks.hold(f"page:{message_id}")

    def controls(
        self,
        analysis: Analysis,
        page: Page,
        *,
        source: int = 0,
        axes: tuple[str | None, str | None] = (None, None),
    ) -> list[list[discord.ui.Item[Any]]]:
        """The rows of controls under a page, most needed first: page moves (and 📊),
        cluster moves (and ➖ ➕ 📥), the extras (Save), then the selects. A private
        copy (``source``) carries its lens in every custom id; a shared message keeps
        it in the database."""
        lens = Lens.of(analysis, axes) if source else Lens()
        moves = page_buttons(page, PAGE_BUTTONS, source, lens)
        jumps = page_buttons(page, CLUSTER_BUTTONS, source, lens)
        selects: list[list[discord.ui.Item[Any]]] = []
        if self.explorer is not None:
            explore = explore_items(
                analysis,
                page,
                source=source,
                lens=lens,
                axes=axes,
                counts=self.explorer.count_range(analysis),
            )
            moves += explore.first
            jumps += explore.second
            selects = [[select] for select in explore.selects]
        return [moves, jumps, extra_row(self.extra_items, page, source), *selects]

    def extras_view(self, page: Page, source: int) -> discord.ui.View:
        """The extras (Save to Spotify) alone, for answers that are not pages (📥)."""
        view = discord.ui.View(timeout=None)
        for item in extra_row(self.extra_items, page, source):
            view.add_item(item)
        return view

    def layout(
        self,
        analysis: Analysis,
        page: Page,
        *,
        intro: str = "",
        source: int = 0,
        axes: tuple[str | None, str | None] = (None, None),
        png: bool = False,
    ) -> discord.ui.LayoutView:
        """The whole layout message of ``page``: intro, header, map (``png``: the message
        carries it), tracks, footer, controls."""
        rows = self.controls(analysis, page, source=source, axes=axes)
        return page_layout(page, intro=intro, png=png, rows=rows)

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
        reactions: bool = True,
        locale: str = "",
    ) -> discord.Message:
        """Send the map and the first page with ``send``, store the state, add reactions.

        ``send`` is e.g. ``channel.send``, or ``interaction.edit_original_response``
        with ``editing=True`` (the progress text it showed is cleared); it is called
        with ``view`` (the layout, ``content`` as its intro), ``allowed_mentions`` and
        the PNG as ``file`` (a new message) or ``attachments`` (an edit).
        ``reactions`` False: where the bot cannot react (it is not in that server).
        ``locale``: the Discord locale the message is shown in (kept for every turn).
        """
        page = await self.page_for(
            analysis,
            Position(0, 0),
            owner=owner_id,
            viewer=owner_id,
            private=ephemeral,
            words=words_for(locale),
        )
        png = bool(analysis.png)
        kwargs: dict[str, Any] = {
            "view": self.layout(analysis, page, intro=content, png=png),
            "allowed_mentions": NO_MENTIONS,
        }
        if editing:
            kwargs["content"] = None
            kwargs["embeds"] = []
        if png:
            file = await map_file(analysis, page.words, self.explorer)
            kwargs["attachments" if editing else "file"] = [file] if editing else file
        message = await send(**kwargs)
        await self.messages.save(
            MessageState(
                message_id=message.id,
                channel_id=message.channel.id,
                guild_id=guild_id,
                analysis_key=key,
                owner_id=owner_id,
                intro=content,
                locale=locale,
            )
        )
        if reactions and not ephemeral:
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
        locale: str = "",
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
            locale=locale,
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
            owner = current.owner_id
            page = await self.page_for(
                analysis,
                there,
                owner=owner,
                viewer=owner,
                private=False,
                words=words_for(current.locale),
            )
            partial = channel.get_partial_message(state.message_id)  # type: ignore[attr-defined]
            view = self.layout(
                analysis, page, intro=current.intro, axes=axes_of(current), png=bool(analysis.png)
            )
            await partial.edit(view=view, allowed_mentions=NO_MENTIONS)
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
            await self._turn_copy(interaction, source, position, action, lens or Lens())
            return
        if message is None:
            raise AnalysisExpired()
        target = await shared_target(self.messages, self.analyzer, message.id)
        if self.may_edit(interaction, target.state):
            return await self._turn_shared(interaction, message.id, action)
        there = turn(page_counts(target.analysis), position, action)
        await self._open_copy(interaction, target.analysis, there, message.id, target.axes)

    async def _turn_shared(
        self, interaction: discord.Interaction[Any], message_id: int, action: Action
    ) -> None:
        """Turn from the stored page, under the lock every process shares: once per
        press, in order."""
        message = interaction.message
        async with self.lock(message_id):
            target = await shared_target(self.messages, self.analyzer, message_id)
            state = target.state
            here = Position(state.cluster, state.page)
            there = turn(page_counts(target.analysis), here, action)
            page = await self.page_for(
                target.analysis,
                there,
                owner=state.owner_id,
                viewer=state.owner_id,
                private=bool(message is not None and message.flags.ephemeral),
                words=words_for(state.locale),
            )
            view = self.layout(
                target.analysis, page, intro=state.intro, axes=target.axes, png=has_map(message)
            )
            await interaction.response.edit_message(view=view, allowed_mentions=NO_MENTIONS)
            await self.messages.update_position(message_id, there.cluster, there.page)

    async def _turn_copy(
        self,
        interaction: discord.Interaction[Any],
        source: int,
        position: Position,
        action: Action,
        lens: Lens,
    ) -> None:
        """Turn the presser's private copy of shared message ``source``."""
        assert self.explorer is not None
        target = await copy_target(self.messages, self.analyzer, self.explorer, source, lens)
        there = turn(page_counts(target.analysis), position, action)
        page = await self.page_for(
            target.analysis,
            there,
            owner=target.state.owner_id,
            viewer=interaction.user.id,
            private=True,
            words=words_for(interaction.locale),
        )
        view = self.layout(
            target.analysis,
            page,
            intro=words_for(interaction.locale)(COPY_NOTE),
            source=source,
            axes=target.axes,
            png=has_map(interaction.message),
        )
        await interaction.response.edit_message(view=view, allowed_mentions=NO_MENTIONS)

    async def _open_copy(
        self,
        interaction: discord.Interaction[Any],
        analysis: Analysis,
        position: Position,
        source: int,
        axes: tuple[str | None, str | None],
    ) -> None:
        """Anyone may read: a stranger gets a private pager starting where they asked
        (with the map when it shows the automatic projection)."""
        state = await self.messages.get(source)
        owner = state.owner_id if state else 0
        words = words_for(interaction.locale)
        page = await self.page_for(
            analysis, position, owner=owner, viewer=interaction.user.id, private=True, words=words
        )
        png = bool(analysis.png) and axes == (None, None)
        kwargs: dict[str, Any] = {}
        if png:
            kwargs["file"] = await map_file(analysis, words, self.explorer)
        view = self.layout(
            analysis, page, intro=words(COPY_NOTE), source=source, axes=axes, png=png
        )
        await interaction.response.send_message(
            view=view, ephemeral=True, allowed_mentions=NO_MENTIONS, **kwargs
        )
