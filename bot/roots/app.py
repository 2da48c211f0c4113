"""The Discord bot: a ``commands.Bot`` that owns storage, one HTTP session and the cogs.

``setup_hook`` opens the database and the HTTP session, builds the pipeline and
the services the cogs use, registers the persistent page buttons and loads the
cogs from :data:`COGS`. ``close`` shuts the gateway first, then the session and
the database, so nothing is left pending. Command sync is never done here: it is
the owner's ``sync`` command or ``playlist-clusters sync-commands``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import time
from collections.abc import Callable, Sequence
from typing import Any

import discord
from discord.ext import commands, tasks

import bot.pipeline.compute  # noqa: F401  (at start: a first import in a thread stalls the loop)
from bot.account.setup import Accounts, build_accounts
from bot.discord_ui.explore import ExploreActions
from bot.discord_ui.explore_items import DYNAMIC_ITEMS
from bot.discord_ui.pager import PageButton, Pager
from bot.discord_ui.places import ANY_INSTALL, EVERYWHERE
from bot.discord_ui.translator import CatalogTranslator
from bot.jobs.client import JobClient
from bot.net.client import HttpClient
from bot.pipeline.runner import Pipeline
from bot.roots.wiring import build_pipeline, close_providers
from bot.services.analyzer import Analyzer
from bot.services.explorer import Explorer
from bot.services.leases import DatabaseLeases, RedisLeases, SharedCooldown, SharedLocks
from bot.services.lines import JobLine, LocalLine
from bot.services.personal import PersonalAnalyzer
from bot.services.queue import AnalysisQueue
from bot.services.taste import TasteService
from bot.settings.env import Settings
from bot.shards import ShardPlan
from bot.threads import limit_native_threads, native_threads, tune_interpreter
from storage.cache import CacheRepository
from storage.database import Database, open_database
from storage.errors import StorageError

log = logging.getLogger(__name__)

#: Extensions loaded at start, in order (errors first so it handles the others' errors).
COGS: tuple[str, ...] = (
    "cogs.errors",
    "cogs.help",
    "cogs.clusters",
    "cogs.similar",
    "cogs.schedule",
    "cogs.spotify_account",
    "cogs.hearts",
    "cogs.taste",
    "cogs.admin",
)

#: Builds the bot's pipeline; it must cache in the given cache (paging reads analyses there).
PipelineFactory = Callable[[Settings, HttpClient, CacheRepository], Pipeline]


def default_pipeline(settings: Settings, web: HttpClient, cache: CacheRepository) -> Pipeline:
    """Spotify and Deezer sources and the configured feature providers (``bot.roots.wiring``)."""
    return build_pipeline(settings, web, cache, background=True)


class PlaylistBot(commands.Bot):
    """The playlist-clusters bot. Default intents only: nothing privileged is needed."""

    def __init__(
        self,
        settings: Settings,
        *,
        pipeline_factory: PipelineFactory | None = None,
        cogs: Sequence[str] = COGS,
        heartbeat: bool = True,
        freeze_heap: bool = True,
        housekeeping: bool = True,
    ) -> None:
        owner_ids = {int(x) for x in settings.discord_owner_ids if x.strip().isdigit()}
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            owner_ids=owner_ids or None,
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            # every command, in servers, DMs and private chats, as a server or user app
            allowed_contexts=EVERYWHERE,
            allowed_installs=ANY_INSTALL,
            **self._shard_options(settings),
        )
        self.settings = settings
        self.pipeline_factory = pipeline_factory or default_pipeline
        self.cog_names = tuple(cogs)
        self.heartbeat_enabled = heartbeat
        #: Tune the interpreter for a long-running bot (:func:`tune_interpreter`: freeze
        #: the start-up heap, raise the GC's young threshold, shorten the GIL switch
        #: interval). Off in tests that start many bots in one process: frozen objects,
        #: unclosed connections included, are never freed.
        self.freeze_heap = freeze_heap
        #: Run the 6-hourly housekeeping loop (off under SimCord's virtual clock, where
        #: weeks pass in seconds and each run would be a real database wait).
        self.housekeeping_enabled = housekeeping
        #: The member cooldown, shared by every process (set up in setup_hook).
        self.cooldown: SharedCooldown
        self.queue = AnalysisQueue(settings.max_concurrent_analyses)
        self.storage: Database | None = None
        #: Members' own Spotify accounts (off until setup_hook finds them configured).
        self.accounts = Accounts(off_reason="Spotify accounts are not ready yet.")
        #: The one HTTP client (one aiohttp session) for every remote call. Not ``http``:
        #: that name is discord.py's own REST client.
        self.web: HttpClient | None = None
        #: The job queue client when REDIS_URL is set (analyses then run on workers).
        self.jobs: JobClient | None = None
        #: The pipeline once setup_hook built it (its providers are closed at shutdown).
        self._built: Pipeline | None = None
        self._closed_resources = False

    @classmethod
    def _shard_options(cls, settings: Settings) -> dict[str, Any]:
        """discord.py's sharding arguments (none: one unsharded connection)."""
        return {}

    @property
    def shard_plan(self) -> ShardPlan:
        """The shards this process runs, as connected (``auto`` known once launched)."""
        ids = getattr(self, "shard_ids", None) or ()
        return ShardPlan.of(self.shard_count, ids)

    def owns_guild(self, guild_id: int) -> bool:
        """Whether this process serves ``guild_id`` (its shards): it posts its schedules."""
        return self.shard_plan.owns(guild_id)

    def connected(self) -> bool:
        """Ready, not closing, and (sharded) every shard of this process connected."""
        if not self.is_ready() or self.is_closed():
            return False
        shards = getattr(self, "shards", None)
        return not shards or all(not shard.is_closed() for shard in shards.values())

    async def on_shard_ready(self, shard_id: int) -> None:
        log.info("shard %s of %s ready", shard_id, self.shard_count)

    async def on_shard_disconnect(self, shard_id: int) -> None:
        log.warning("shard %s of %s disconnected", shard_id, self.shard_count)

    async def on_shard_resumed(self, shard_id: int) -> None:
        log.info("shard %s of %s resumed", shard_id, self.shard_count)

    # Services built in setup_hook; typed accessors keep the cogs free of None checks.
    analyzer: Analyzer
    pager: Pager
    pipeline: Pipeline
    explorer: Explorer
    explore: ExploreActions
    personal: PersonalAnalyzer
    #: Where /clusters and weekly posts run their analyses: here, or on workers.
    line: LocalLine | JobLine
    #: Shared playlists of servers on taste maps (/taste).
    taste: TasteService

    async def setup_hook(self) -> None:
        settings = self.settings
        # command names, descriptions and options in the member's language (bot/locales)
        await self.tree.set_translator(CatalogTranslator())
        stored = settings.storage
        self.storage = await open_database(stored.location, cache_max_bytes=stored.cache_max_bytes)
        log.info("storage: %s (%s)", self.storage.location, self.storage.dialect)
        self.web = HttpClient(settings.http)
        self.pipeline = self.pipeline_factory(settings, self.web, self.storage.cache)
        self._built = self.pipeline
        if self.pipeline.cache is not self.storage.cache:
            # The bot always caches: analyses are what stored messages page through.
            raise ValueError("the bot's pipeline must cache in the bot's database")
        analysis = settings.analysis
        self.analyzer = Analyzer(
            self.pipeline,
            metadata_weight=analysis.metadata_weight,
            csv_max_rows=analysis.csv_max_rows,
            csv_max_bytes=analysis.csv_max_bytes,
            http=self.web,
        )
        self.explorer = Explorer(self.analyzer, self.pipeline)
        self.accounts = build_accounts(settings.accounts, self.web, self.storage.accounts)
        self.personal = PersonalAnalyzer(
            self.analyzer, self.accounts.library, settings.spotify, self.web
        )
        redis_url = settings.redis_url.get_secret_value()
        if redis_url:
            self.jobs = await JobClient.connect(redis_url, job_timeout=settings.job_timeout_seconds)
            self.line = JobLine(self.analyzer, self.personal, self.jobs)
        else:
            self.line = LocalLine(self.analyzer, self.personal, self.queue)
        # Page locks and the cooldown hold for every process: in Redis, else the database.
        leases = RedisLeases(self.jobs.redis) if self.jobs else DatabaseLeases(self.storage.leases)
        self.cooldown = SharedCooldown(leases, settings.user_cooldown_seconds)
        self.pager = Pager(self.analyzer, self.storage.messages, self.explorer, SharedLocks(leases))
        # 💚 on shared messages only with the owner's consent (storage.members, /hearts)
        self.pager.consent = self.storage.members.shows_liked
        self.explore = ExploreActions(self.pager, self.explorer)
        self.taste = TasteService(self.line, self.storage.taste, self.analyzer.options(None))
        self.add_dynamic_items(PageButton, *DYNAMIC_ITEMS)
        for name in self.cog_names:
            await self.load_extension(name)
        await self.accounts.start()  # the sign-in callback server, when the feature is on
        if self.freeze_heap:
            tune_interpreter()
        if self.heartbeat_enabled:
            self._heartbeat.start()
        if self.housekeeping_enabled:
            self._housekeeping.start()

    @tasks.loop(seconds=30)
    async def _heartbeat(self) -> None:
        """Write the health file while connected; the container healthcheck reads its age,
        and its text names the shards (``python -m bot.roots.health`` prints them)."""
        if self.connected():
            plan = self.shard_plan
            beat = {
                "at": int(time.time()),
                "shards": plan.label(),
                "shard_ids": sorted(getattr(self, "shards", {})),
                "shard_count": self.shard_count,
                "guilds": len(self.guilds),
            }
            await asyncio.to_thread(_write_beat, self.settings.health_file, json.dumps(beat))

    @tasks.loop(hours=6)
    async def _housekeeping(self) -> None:
        """Forget the paging state of long-untouched messages (see :meth:`prune_messages`)
        and lapsed leases (cooldowns) of the database."""
        await self.prune_messages()
        if self.storage is not None:
            with contextlib.suppress(StorageError):
                await self.storage.leases.prune(time.time())

    async def prune_messages(self) -> int:
        """Drop paging state untouched for ``MESSAGE_RETENTION_DAYS``; return how many went.

        Without this, every message ever posted would pin its analysis in the cache and
        the size bound could only evict what nobody posted.
        """
        if self.storage is None:
            return 0
        try:
            pruned = await self.storage.messages.prune(
                self.settings.storage.message_retention_seconds
            )
        except StorageError:
            log.warning("could not prune old message states", exc_info=True)
            return 0
        if pruned:
            log.info("forgot the paging state of %d old messages", pruned)
        return pruned

    async def close(self) -> None:
        """Leave the gateway, then close the HTTP session and the database."""
        if self._heartbeat.is_running():
            self._heartbeat.cancel()
        if self._housekeeping.is_running():
            self._housekeeping.cancel()
        await super().close()
        await self.close_resources()

    async def close_resources(self) -> None:
        if self._closed_resources:
            return
        self._closed_resources = True
        await self.accounts.stop()
        if self.jobs is not None:
            await self.jobs.close()
        if self._built is not None:
            await close_providers(self._built)  # e.g. the preview analysis' process pool
        if self.web is not None:
            await self.web.close()
        if self.storage is not None:
            await self.storage.close()


class ShardedPlaylistBot(PlaylistBot, commands.AutoShardedBot):
    """The bot on discord.py's ``AutoShardedBot``: ``SHARD_IDS`` of ``SHARD_COUNT`` shards,
    one gateway connection each, in this process."""

    @classmethod
    def _shard_options(cls, settings: Settings) -> dict[str, Any]:
        # shard_count None: discord.py asks GET /gateway/bot; shard_ids None: all of them.
        return {
            "shard_count": settings.shard_count or None,
            "shard_ids": list(settings.shard_ids) or None,
        }


def make_bot(settings: Settings, **options: Any) -> PlaylistBot:
    """The bot for ``settings``: sharded when ``SHARD_COUNT`` is set, else one connection."""
    cls = ShardedPlaylistBot if ShardPlan.of(settings.shard_count).sharded else PlaylistBot
    return cls(settings, **options)


def log_formatter(settings: Settings) -> logging.Formatter | None:
    """A log format naming this process's shards when sharded (None: discord.py's own)."""
    plan = ShardPlan.of(settings.shard_count, settings.shard_ids)
    if not plan.sharded:
        return None
    return logging.Formatter(
        f"[{{asctime}}] [{{levelname:<8}}] [{plan.label()}] {{name}}: {{message}}",
        "%Y-%m-%d %H:%M:%S",
        style="{",
    )


def _write_beat(path: Any, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


async def run_bot(settings: Settings, token: str) -> None:
    """Run until the gateway closes or SIGINT/SIGTERM arrives, then shut down cleanly."""
    limit_native_threads(native_threads(settings.native_threads, settings.max_concurrent_analyses))
    bot = make_bot(settings)
    log.info("starting the bot: %s", bot.shard_plan.label())
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on Windows
            loop.add_signal_handler(sig, stop.set)
    try:
        async with bot:
            runner = asyncio.create_task(bot.start(token), name="discord-bot")
            stopper = asyncio.create_task(stop.wait(), name="stop-signal")
            done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if stopper in done:
                log.info("stop signal received; shutting down")
            await bot.close()
            stopper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await stopper
            with contextlib.suppress(asyncio.CancelledError):
                await runner  # re-raises a login failure (bad token) for the caller
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(sig)


async def sync_commands(settings: Settings, token: str, guild_id: int | None) -> list[str]:
    """Log in over HTTP only (no gateway) and sync the command tree; return synced names."""
    bot = PlaylistBot(settings, heartbeat=False)
    async with bot:
        await bot.login(token)  # runs setup_hook, so the cogs and their commands are loaded
        if guild_id is not None:
            guild = discord.Object(id=guild_id)
            bot.tree.copy_global_to(guild=guild)
            synced = await bot.tree.sync(guild=guild)
        else:
            synced = await bot.tree.sync()
    return [command.name for command in synced]
