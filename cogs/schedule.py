"""`/schedule`: weekly posts of a playlist's clusters into a channel, and the clock that makes them.

Commands (Manage Server, or the server's schedule role; checked here, not only by
Discord's default permissions, which a server can override): ``/schedule add``,
``/schedule list``, ``/schedule remove``; every answer is ephemeral.

The clock is a ``tasks.loop`` started in ``cog_load`` and cancelled in
``cog_unload``. It ticks every ``SCHEDULE_CHECK_SECONDS`` but reads the database
only when something may be due (it remembers the next due instant), waits for the
bot to be ready, and keeps going whatever one schedule does. When and whether a
schedule is due is decided by the pure functions of :mod:`bot.weekly`; the ISO
week of each post is stored (``mark_posted``), so a restart never posts twice in a
week and a post missed during downtime is made once on the next start.

A deleted channel, lost permissions or a playlist that is gone disable the
schedule (``disable``) and tell its creator by DM, or the server owner when the DM
fails. A passing failure (a provider down, a Discord hiccup) is tried again after
``SCHEDULE_RETRY_SECONDS``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot import weekly
from bot.errors import BadInput, ProviderDown, UserError
from bot.links import resolve_link
from bot.render.pages import answer_text, fit, fit_plain_lines
from storage.schedules import Schedule, ScheduleRepository

if TYPE_CHECKING:
    from collections.abc import Callable

    from bot.app import PlaylistBot

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
#: What the bot needs in a channel to post a paged analysis there.
POST_PERMISSIONS = {
    "view_channel": "View Channel",
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
    "attach_files": "Attach Files",
}
#: Read the schedules again at least this often, whatever the remembered due time says
#: (only this cog changes them, and it re-reads at once when it does).
REREAD = timedelta(days=7)


class NotAllowed(UserError):
    """A member without Manage Server (or the schedule role) tried to change schedules."""


class Undeliverable(Exception):
    """The schedule can no longer post (channel gone, permissions lost, playlist gone)."""


def missing_permissions(channel: discord.abc.GuildChannel, member: discord.Member) -> list[str]:
    """The names of the posting permissions ``member`` lacks in ``channel``."""
    granted = channel.permissions_for(member)
    return [label for flag, label in POST_PERMISSIONS.items() if not getattr(granted, flag)]


def describe(schedule: Schedule) -> str:
    """A schedule in words: Fridays at 18:00 (Europe/Berlin)."""
    return f"{weekly.weekday_name(schedule.weekday)}s at {schedule.time} ({schedule.timezone})"


def stamp(moment: datetime) -> str:
    """A Discord timestamp: shown in each reader's own time zone."""
    seconds = int(moment.timestamp())
    return f"<t:{seconds}:F> (<t:{seconds}:R>)"


class Schedules(commands.Cog):
    """The /schedule commands and the weekly clock."""

    schedule = app_commands.Group(
        name="schedule",
        description="Weekly posts of a playlist's clusters into a channel",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: PlaylistBot) -> None:
        self.bot = bot
        #: The current instant (aware UTC); discord.py's, which a simulated Discord can drive.
        self.clock: Callable[[], datetime] = discord.utils.utcnow
        #: Nothing is due before this instant (None: read the schedules at the next tick).
        self.next_check: datetime | None = None
        #: Counts schedule changes, so a check that raced with one does not hide it.
        self._changes = 0
        #: Schedules whose last try failed for a passing reason: not before this instant.
        self.retry_at: dict[int, datetime] = {}

    @property
    def repo(self) -> ScheduleRepository:
        assert self.bot.storage is not None
        return self.bot.storage.schedules

    async def cog_load(self) -> None:
        self.ticker.change_interval(seconds=self.bot.settings.schedule_check_seconds)
        self.ticker.start()

    async def cog_unload(self) -> None:
        self.ticker.cancel()

    # -- the clock ------------------------------------------------------------------------

    @tasks.loop(minutes=1)
    async def ticker(self) -> None:
        """Post what is due; never raises, so the loop never ends on its own."""
        try:
            if not self.bot.is_ready() or self.bot.is_closed():
                return
            now = self.clock()
            if self.next_check is not None and now < self.next_check:
                return
            await self.run_due(now)
        except Exception:
            log.exception("the schedule clock failed; it tries again at the next tick")
            self.next_check = None

    @ticker.before_loop
    async def _until_ready(self) -> None:
        await self.bot.wait_until_ready()

    async def run_due(self, now: datetime) -> int:
        """Post every schedule due at ``now``, one after the other; returns how many posted."""
        posted = 0
        for schedule in await self.repo.all_enabled():
            retry = self.retry_at.get(schedule.id)
            if not weekly.is_due(schedule, now) or (retry is not None and now < retry):
                continue
            try:
                posted += await self._post_safely(schedule, now)
            except Exception as error:  # e.g. the database failed while disabling it
                self._retry_later(schedule, now, error)
        seen = self._changes
        earliest = self._earliest(await self.repo.all_enabled(), now)
        if self._changes == seen:  # else a schedule changed meanwhile: read again next tick
            self.next_check = earliest
        return posted

    def _earliest(self, schedules: list[Schedule], now: datetime) -> datetime:
        """The next instant anything may be due (at most :data:`REREAD` ahead)."""
        earliest = now + REREAD
        for schedule in schedules:
            when = weekly.next_due(schedule, now)
            retry = self.retry_at.get(schedule.id)
            if retry is not None:
                when = max(when, retry)
            earliest = min(earliest, when)
        return earliest

    def wake(self) -> None:
        """Schedules changed: read them again at the next tick."""
        self._changes += 1
        self.next_check = None

    async def _post_safely(self, schedule: Schedule, now: datetime) -> bool:
        """Post one schedule; any failure stays with it and never reaches the others."""
        assert schedule.id is not None
        try:
            await self.post(schedule, now)
        except Undeliverable as stop:
            await self._stop(schedule, str(stop))
            return False
        except (discord.NotFound, discord.Forbidden) as error:
            reason = (
                "The channel no longer exists."
                if isinstance(error, discord.NotFound)
                else "I am no longer allowed to post in the channel."
            )
            await self._stop(schedule, reason)
            return False
        except UserError as error:
            if isinstance(error, ProviderDown):
                self._retry_later(schedule, now, error)
                return False
            await self._stop(schedule, str(error))
            return False
        except Exception as error:
            self._retry_later(schedule, now, error)
            return False
        self.retry_at.pop(schedule.id, None)
        return True

    def _retry_later(self, schedule: Schedule, now: datetime, error: BaseException) -> None:
        assert schedule.id is not None
        delay = timedelta(seconds=self.bot.settings.schedule_retry_seconds)
        self.retry_at[schedule.id] = now + delay
        log.warning(
            "weekly post %s failed; trying again at %s",
            schedule.id,
            self.retry_at[schedule.id].isoformat(),
            exc_info=error,
        )

    async def post(self, schedule: Schedule, now: datetime) -> discord.Message:
        """Fetch, analyse (or reuse the cached analysis) and post one schedule's clusters."""
        assert schedule.id is not None
        week, _ = weekly.this_weeks_slot(schedule, now)
        channel = await self._channel(schedule)
        analyzer = self.bot.analyzer
        k = schedule.k
        if k is None:
            assert self.bot.storage is not None
            k = (await self.bot.storage.guild_settings.get(schedule.guild_id)).default_k
        outcome = await analyzer.from_ref(
            schedule.ref, analyzer.options(k), gate=lambda: self.bot.queue.slot()
        )
        analysis = outcome.analysis
        track_ids = [track.id for track in analysis.playlist.tracks]
        labels = {
            track.id: int(label)
            for track, label in zip(analysis.playlist.tracks, analysis.labels, strict=True)
        }
        change = weekly.change_line(
            schedule.last_track_ids, schedule.last_labels, track_ids, labels
        )
        answer = answer_text(analysis, cached=outcome.cached)
        content = fit_plain_lines([f"📅 **Weekly post** · {change}", *answer.split("\n")], 2000)
        message = await self.bot.pager.post_analysis(
            channel,
            key=outcome.key,
            analysis=analysis,
            owner_id=schedule.created_by,
            content=content,
        )
        await self.repo.mark_posted(schedule.id, week, track_ids, labels)
        log.info("weekly post %s made in %s (message %s)", schedule.id, week, message.id)
        return message

    async def _channel(self, schedule: Schedule) -> discord.abc.GuildChannel:
        """The schedule's channel, checked before any work; :class:`Undeliverable` if not."""
        channel = self.bot.get_channel(schedule.channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(schedule.channel_id)
            except discord.NotFound:
                raise Undeliverable("The channel no longer exists.") from None
            except discord.Forbidden:
                raise Undeliverable("I can no longer see the channel.") from None
        if not isinstance(channel, discord.abc.GuildChannel) or not isinstance(
            channel, discord.abc.Messageable
        ):
            raise Undeliverable("The channel is not one I can post in.")
        me = channel.guild.me
        missing = missing_permissions(channel, me) if me is not None else []
        if missing:
            raise Undeliverable(f"I lost permissions in #{channel.name}: {', '.join(missing)}.")
        return channel

    async def _stop(self, schedule: Schedule, reason: str) -> None:
        """Disable a schedule that cannot post and tell its creator (or the server owner)."""
        assert schedule.id is not None
        await self.repo.disable(schedule.id, reason)
        self.retry_at.pop(schedule.id, None)
        log.info("weekly post %s disabled: %s", schedule.id, reason)
        guild = self.bot.get_guild(schedule.guild_id)
        where = f"in **{fit(guild.name, 100)}**" if guild else f"in server {schedule.guild_id}"
        text = (
            f"Your weekly post #{schedule.id} ({describe(schedule)}, "
            f"<{weekly.playlist_url(schedule.ref)}>, channel <#{schedule.channel_id}>) {where} "
            f"has stopped: {reason}\nA member with Manage Server can remove it and add it "
            "again with `/schedule add`."
        )
        targets: list[int] = [schedule.created_by]
        if guild is not None and guild.owner_id and guild.owner_id != schedule.created_by:
            targets.append(guild.owner_id)
        for user_id in targets:
            try:
                user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
                await user.send(text, allowed_mentions=NO_MENTIONS)
                return
            except discord.HTTPException:
                log.info("could not tell user %s that schedule %s stopped", user_id, schedule.id)
        log.warning("nobody could be told that weekly post %s stopped", schedule.id)

    # -- commands -------------------------------------------------------------------------

    async def _require_manager(self, interaction: discord.Interaction[Any]) -> discord.Guild:
        """The guild, if the member may manage its schedules; :class:`NotAllowed` if not."""
        guild = interaction.guild
        member = interaction.user
        if guild is None or not isinstance(member, discord.Member):
            raise NotAllowed("Schedules belong to a server; use this command in one.")
        if member.guild_permissions.manage_guild:
            return guild
        assert self.bot.storage is not None
        role_id = (await self.bot.storage.guild_settings.get(guild.id)).schedule_role_id
        if role_id is not None and any(role.id == role_id for role in member.roles):
            return guild
        raise NotAllowed("Only members with the Manage Server permission can manage weekly posts.")

    @schedule.command(name="add", description="Post a playlist's clusters every week")
    @app_commands.describe(
        link="A Spotify or Deezer playlist link",
        channel="Where to post",
        weekday="The day of the week",
        time="24-hour time, HH:MM (e.g. 18:00)",
        timezone="A time zone such as Europe/Berlin (daylight saving is followed)",
        clusters="How many clusters (2-12); chosen automatically if left out",
    )
    @app_commands.choices(
        weekday=[app_commands.Choice(name=name, value=i) for i, name in enumerate(weekly.WEEKDAYS)]
    )
    async def add(
        self,
        interaction: discord.Interaction[Any],
        link: str,
        channel: discord.TextChannel,
        weekday: app_commands.Choice[int],
        time: str,
        timezone: str,
        clusters: app_commands.Range[int, 2, 12] | None = None,
    ) -> None:
        guild = await self._require_manager(interaction)
        hhmm = weekly.parse_time(time)
        zone = weekly.canonical_zone(timezone)
        me = guild.me
        missing = missing_permissions(channel, me) if me is not None else []
        if missing:
            raise BadInput(f"I cannot post in #{channel.name}: I need {', '.join(missing)} there.")
        existing = await self.repo.list_for_guild(guild.id)
        limit = self.bot.settings.schedule_max_per_guild
        if len(existing) >= limit:
            raise BadInput(
                f"This server already has {len(existing)} weekly posts (the limit is {limit}); "
                "remove one with `/schedule remove` first."
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        ref = await resolve_link(link, self.bot.web)  # raises BadLink with a sentence
        now = self.clock()
        schedule = Schedule(
            guild_id=guild.id,
            channel_id=channel.id,
            ref_source=ref.source,
            ref_id=ref.id,
            weekday=weekday.value,
            time=hhmm,
            timezone=zone,
            created_by=interaction.user.id,
            k=clusters,
        )
        schedule.last_posted_week = weekly.week_done_at_creation(schedule, now)
        schedule = await self.repo.add(schedule)
        self.wake()
        first = weekly.next_due(schedule, now)
        await interaction.edit_original_response(
            content=(
                f"Weekly post #{schedule.id} added: {describe(schedule)} in {channel.mention}, "
                f"<{weekly.playlist_url(ref)}>.\nFirst post: {stamp(first)}."
            ),
            allowed_mentions=NO_MENTIONS,
        )

    @add.autocomplete("timezone")
    async def _zones(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=name, value=name) for name in weekly.zone_choices(current)]

    @schedule.command(name="list", description="The weekly posts of this server")
    async def list_(self, interaction: discord.Interaction[Any]) -> None:
        guild = await self._require_manager(interaction)
        schedules = await self.repo.list_for_guild(guild.id)
        if not schedules:
            await interaction.response.send_message(
                "No weekly posts yet; add one with `/schedule add`.", ephemeral=True
            )
            return
        now = self.clock()
        lines = []
        for s in schedules:
            head = (
                f"**#{s.id}** · {describe(s)} in <#{s.channel_id}> · "
                f"<{weekly.playlist_url(s.ref)}> · by <@{s.created_by}>"
            )
            if s.enabled:
                tail = f"next: {stamp(weekly.next_due(s, now))}"
            else:
                tail = f"⏸ stopped: {fit(s.disabled_reason, 200, markdown=False)}"
            lines.append(f"{head}\n  {tail}")
        text = "\n".join(lines)
        if len(text) > 2000:
            text = text[:1990].rsplit("\n", 1)[0] + "\n…"
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @schedule.command(name="remove", description="Stop and delete a weekly post")
    @app_commands.describe(id="The number shown by /schedule list")
    async def remove(self, interaction: discord.Interaction[Any], id: int) -> None:
        guild = await self._require_manager(interaction)
        if not await self.repo.remove(id, guild_id=guild.id):
            raise BadInput(f"This server has no weekly post #{id}; see `/schedule list`.")
        self.retry_at.pop(id, None)
        self.wake()
        await interaction.response.send_message(f"Weekly post #{id} removed.", ephemeral=True)


async def setup(bot: PlaylistBot) -> None:
    cog = Schedules(bot)
    await bot.add_cog(cog)
