"""Discord glue of the explore components (not a cog): map axes, cluster count,
tracks like this one, take a cluster home, what sets it apart.

Thin: it finds what was pressed (:mod:`bot.discord_ui.lens`), asks
:class:`bot.services.explorer.Explorer`
(cached analyses only, CPU in worker threads) and shows the result. Who sees what
follows paging: the invoker or a member with Manage Messages changes the shared
message (and gets public replies); anyone else gets a private copy or a private
reply; a private message is simply changed.

Every check a user can fail happens before the interaction is deferred, so its
sentence arrives privately; after a deferred update a failure is sent as a private
follow-up, never by touching the shared message.
"""

from __future__ import annotations

import io
import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import discord

from bot.analysis.axes import axis_choices
from bot.discord_ui.answers import NO_MENTIONS, answer_error, sentence_for
from bot.discord_ui.lens import Target, copy_target, shared_target
from bot.discord_ui.page_layout import PNG_NAME
from bot.errors import UserError
from bot.locales import ENGLISH, N_, Words, words_for
from bot.render.pages import Position, answer_text, build_page, fit
from bot.render.similar import similar_text
from storage.messages import MessageState

if TYPE_CHECKING:
    from bot.discord_ui.explore_items import Here
    from bot.discord_ui.pager import Pager
    from bot.model import Analysis
    from bot.services.explorer import Explorer

log = logging.getLogger(__name__)

COPY_NOTE = N_("Only the person who asked can change this message; here is your own copy.")


class Gone(UserError):
    """A component that names something the analysis no longer has."""


def similar_embed(
    analysis: Analysis, index: int, neighbours: Any, words: Words = ENGLISH
) -> discord.Embed:
    """The "tracks like this one" embed, in ``words``' language."""
    text = similar_text(analysis, index, neighbours, words)
    embed = discord.Embed(title=text.title, description=text.description, colour=0x57F287)
    embed.set_footer(text=text.footer)
    return embed


class ExploreActions:
    """Handles the explore components' presses (``bot.services.explorer``)."""

    def __init__(self, pager: Pager, explorer: Explorer) -> None:
        self.pager = pager
        self.explorer = explorer

    async def _target(
        self, interaction: discord.Interaction[Any], here: Here
    ) -> tuple[Target, bool]:
        """What was pressed, and whether this press may change the message it is on."""
        pager = self.pager
        if here.source:  # the presser's own private copy
            target = await copy_target(
                pager.messages, pager.analyzer, self.explorer, here.source, here.lens
            )
            return target, True
        if interaction.message is None:
            raise Gone(N_("That message is gone; run /clusters again."))
        target = await shared_target(pager.messages, pager.analyzer, interaction.message.id)
        return target, pager.may_edit(interaction, target.state)

    @staticmethod
    def _words(
        interaction: discord.Interaction[Any], here: Here, target: Target, mine: bool
    ) -> Words:
        """The language of what the press shows: the shared message's own, else the presser's."""
        shared = mine and not here.source and interaction.message is not None
        return words_for(target.state.locale if shared else interaction.locale)

    @staticmethod
    def _public(interaction: discord.Interaction[Any], mine: bool) -> bool:
        message = interaction.message
        return mine and message is not None and not message.flags.ephemeral

    @staticmethod
    def _cluster(target: Target, here: Here) -> int:
        if not 0 <= here.cluster < len(target.analysis.clusters):
            raise Gone(
                N_("That cluster is no longer in this analysis; turn the page and try again.")
            )
        return here.cluster

    # -- changes of the message: map axes and cluster count ------------------------------

    async def on_axis(
        self, interaction: discord.Interaction[Any], here: Here, axis: str, value: str
    ) -> None:
        target, mine = await self._target(interaction, here)
        await self._defer(interaction, mine)
        try:
            message = interaction.message
            if not mine or here.source or message is None:
                await self._change_axis(interaction, here, target, mine, axis, value)
                return
            async with self.pager.lock(message.id):
                # The stored axes are read again under the lock, so two quick changes
                # (X, then Y) both stay: the second starts from the first's result.
                target, _ = await self._target(interaction, here)
                await self._change_axis(interaction, here, target, mine, axis, value, locked=True)
        except Exception as error:
            await self._fail_after_defer(interaction, error)

    async def _change_axis(
        self,
        interaction: discord.Interaction[Any],
        here: Here,
        target: Target,
        mine: bool,
        axis: str,
        value: str,
        *,
        locked: bool = False,
    ) -> None:
        choices = axis_choices(target.analysis.features.columns)
        chosen = choices[int(value)] if value.isdigit() and int(value) < len(choices) else None
        x, y = target.axes
        axes = (chosen, y) if axis == "x" else (x, chosen)
        words = self._words(interaction, here, target, mine)
        png = await self.explorer.picture(target.analysis, *axes, words)
        position = Position(here.cluster, here.page)
        await self._show(
            interaction, here, target, mine, position=position, axes=axes, png=png, locked=locked
        )

    async def on_count(self, interaction: discord.Interaction[Any], here: Here, delta: int) -> None:
        target, mine = await self._target(interaction, here)
        shown = target.analysis.sound_cluster_count
        low, high = self.explorer.count_range(target.analysis)
        wanted = shown + delta
        if not low <= wanted <= high:
            fewest = N_("{count} clusters is the fewest the buttons offer for this playlist.")
            most = N_("{count} clusters is the most the buttons offer for this playlist.")
            raise Gone(fewest if delta < 0 else most, count=shown)
        await self._defer(interaction, mine)
        try:
            outcome = await self.explorer.with_clusters(target.analysis, wanted)
            words = self._words(interaction, here, target, mine)
            png = await self.explorer.picture(outcome.analysis, *target.axes, words)
            changed = Target(target.state, outcome.key, outcome.analysis, target.axes)
            content = answer_text(outcome.analysis, cached=outcome.cached, words=words)
            await self._show(
                interaction,
                here,
                changed,
                mine,
                position=Position(0, 0),
                axes=target.axes,
                png=png,
                content=content,
            )
        except Exception as error:
            await self._fail_after_defer(interaction, error)

    async def _defer(self, interaction: discord.Interaction[Any], mine: bool) -> None:
        if mine:
            await interaction.response.defer()  # the message itself changes
        else:
            await interaction.response.defer(ephemeral=True, thinking=True)  # a private copy

    async def _fail_after_defer(
        self, interaction: discord.Interaction[Any], error: Exception
    ) -> None:
        if interaction.response.type == discord.InteractionResponseType.deferred_message_update:
            text = sentence_for(error, words_for(interaction.locale))
            try:
                await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
            except discord.HTTPException:
                log.warning("could not deliver an error answer: %s", text, exc_info=True)
            return
        await answer_error(interaction, error)

    async def _show(
        self,
        interaction: discord.Interaction[Any],
        here: Here,
        target: Target,
        mine: bool,
        *,
        position: Position,
        axes: tuple[str | None, str | None],
        png: bytes,
        content: str | None = None,
        locked: bool = False,
    ) -> None:
        """Edit the pressed message (and its stored state), or answer with a private copy.

        ``locked``: the caller already holds the shared message's lock."""
        message = interaction.message
        shared = mine and not here.source and message is not None
        public = shared and message is not None and not message.flags.ephemeral
        owner = target.state.owner_id
        words = self._words(interaction, here, target, mine)
        page = await self.pager.page_for(
            target.analysis,
            position,
            owner=owner,
            viewer=owner if public else interaction.user.id,
            private=not public,
            words=words,
        )
        if shared:
            intro = target.state.intro if content is None else content
        else:
            note = words(COPY_NOTE)
            intro = note if content is None else f"{note}\n{content}"
        source = here.source if mine else (message.id if message else 0)
        kwargs: dict[str, Any] = {
            "view": self.pager.layout(
                target.analysis, page, intro=intro, source=source, axes=axes, png=True
            ),
            "attachments": [discord.File(io.BytesIO(png), filename=PNG_NAME)],
            "allowed_mentions": NO_MENTIONS,
        }
        if not shared:
            await interaction.edit_original_response(**kwargs)
            return
        assert message is not None
        state = replace(
            target.state,
            analysis_key=target.key,
            cluster=page.cluster,
            page=page.page,
            map_x=axes[0] or "",
            map_y=axes[1] or "",
            intro=intro,
        )
        if locked:
            await self._edit_shared(interaction, state, kwargs)
            return
        async with self.pager.lock(message.id):
            await self._edit_shared(interaction, state, kwargs)

    async def _edit_shared(
        self, interaction: discord.Interaction[Any], state: MessageState, kwargs: dict[str, Any]
    ) -> None:
        """Edit the shared message and store what it now shows (under its lock)."""
        await interaction.edit_original_response(**kwargs)
        await self.pager.messages.save(state)

    # -- replies: similar tracks, files, the bar chart ----------------------------------

    async def on_similar(
        self, interaction: discord.Interaction[Any], here: Here, value: str
    ) -> None:
        target, mine = await self._target(interaction, here)
        count = target.analysis.track_count
        if not value.isdigit() or int(value) >= count:
            raise Gone(N_("That track is no longer in this analysis; turn the page and try again."))
        await interaction.response.defer(
            ephemeral=not self._public(interaction, mine), thinking=True
        )
        index = int(value)
        neighbours = await self.explorer.similar(target.key, target.analysis, index)
        await interaction.edit_original_response(
            embed=similar_embed(target.analysis, index, neighbours, words_for(interaction.locale)),
            allowed_mentions=NO_MENTIONS,
        )

    async def on_home(self, interaction: discord.Interaction[Any], here: Here) -> None:
        target, mine = await self._target(interaction, here)
        cluster = self._cluster(target, here)
        await interaction.response.defer(
            ephemeral=not self._public(interaction, mine), thinking=True
        )
        files = await self.explorer.take_home(target.analysis, cluster)
        info = target.analysis.clusters[cluster]
        words = words_for(interaction.locale)
        content = words(
            "📥 **Cluster #{number} · {name}**: {tracks} as a CSV "
            "(upload it to `/clusters file:` to open it again, or import it where you keep "
            "playlists), and as M3U and XSPF playlists with links.",
            number=info.number,
            name=fit(words.name(info.name), 150),
            tracks=words.n("{count} track", "{count} tracks", info.size),
        )
        await interaction.edit_original_response(
            content=content,
            attachments=[
                discord.File(io.BytesIO(data), filename=name) for name, data in files.items()
            ],
            # e.g. Save to Spotify (Pager.extra_items), for the shared message's cluster
            view=self.pager.extras_view(
                build_page(target.analysis, Position(cluster, 0), words=words),
                here.source or (interaction.message.id if interaction.message else 0),
            ),
            allowed_mentions=NO_MENTIONS,
        )

    async def on_apart(self, interaction: discord.Interaction[Any], here: Here) -> None:
        target, mine = await self._target(interaction, here)
        cluster = self._cluster(target, here)
        await interaction.response.defer(
            ephemeral=not self._public(interaction, mine), thinking=True
        )
        words = words_for(interaction.locale)
        png = await self.explorer.apart(target.key, target.analysis, cluster, words)
        info = target.analysis.clusters[cluster]
        content = words(
            "📊 What sets **cluster #{number} · {name}** apart from the "
            "rest of the playlist (in standard deviations from its average).",
            number=info.number,
            name=fit(words.name(info.name), 150),
        )
        await interaction.edit_original_response(
            content=content,
            attachments=[
                discord.File(io.BytesIO(png), filename=f"cluster-{info.number}-apart.png")
            ],
            allowed_mentions=NO_MENTIONS,
        )
