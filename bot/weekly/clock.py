"""The weekly-post clock: sleeps until the next due schedule, posts it, retries or disables.

Discord-free (no discord import): what a post *does* is the ``post`` callback the
cog gives, and how a stopped schedule is announced is its ``notify`` callback, in
the way RoboDanny's database timers dispatch an event and leave the work to a cog.
The clock (``now``) and the way it waits (``sleep``) are injectable, so tests drive
weeks with a fake clock.

Policy:

- **Due** is decided by :func:`bot.weekly.rules.is_due` (this week's slot has passed and
  the week is not posted yet); due schedules post one after the other, each wrapped
  so a failure stays with it.
- **Permanent failure**: ``post`` raising :class:`Undeliverable`, or a
  :class:`~bot.errors.UserError` other than :class:`~bot.errors.ProviderDown` (the
  playlist is gone, private, too small), disables the schedule with the reason and
  calls ``notify``.
- **Passing failure**: anything else (a provider down, a Discord 5xx, a bug) is
  logged and tried again ``retry_delay`` later, without blocking the others.
- **Several processes** (shards, or two processes overlapping in a restart): a clock
  posts only schedules whose guild it ``owns`` (its shards), and before posting it
  *claims* the week in storage (:meth:`~storage.schedules.ScheduleRepository.claim`,
  one conditional UPDATE: exactly one claimer wins). The claim is a lease of ``lease``:
  a process that crashed before posting lets another one post once it lapses. The
  post confirms the claim (:meth:`WeeklyClock.confirm`, which also extends it) just
  before sending, so a process whose claim was taken over while it analysed sends
  nothing. A week held by another process is looked at again ``retry_delay`` later.
- **Sent, not recorded** (the process died, or the database write failed, between
  Discord accepting the post and "posted" being recorded): the confirmation records
  that the week is being sent. Whoever tries the week again (the same process after
  ``retry_delay``, another after the lease) first asks ``find_post`` whether the post
  is in the channel since then; if it is, the week is recorded as posted and nothing
  is sent again.
- **Sleeping**: the schedules are read only when something may be due. The clock
  remembers the earliest next due instant and sleeps until then, at most
  ``max_sleep`` at a time (a wall-clock check that survives a suspended machine)
  and at most :data:`REREAD` without reading the schedules again. :meth:`wake`
  (after a schedule was added or removed) cuts the sleep short.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.errors import ProviderDown, UserError
from bot.weekly import rules as weekly

if TYPE_CHECKING:
    from storage.schedules import Schedule, ScheduleRepository

log = logging.getLogger(__name__)

#: Read the schedules again at least this often, whatever the remembered due time says.
REREAD = timedelta(days=7)

Post = Callable[["Schedule", datetime], Awaitable[object]]
Notify = Callable[["Schedule", str], Awaitable[None]]
#: Whether this schedule's post of the week is in its channel since the instant given.
FindPost = Callable[["Schedule", str, datetime], Awaitable[bool]]


#: How long a claim holds by default before another process may take it over.
DEFAULT_LEASE = timedelta(minutes=30)


class Undeliverable(Exception):
    """The schedule can no longer post (channel gone, permissions lost); the message says why."""


class ClaimLost(Exception):
    """Another process took this week's post over (our claim lapsed): send nothing."""


def process_name() -> str:
    """A name for this clock's claims, unique per clock: host, process id, random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class WeeklyClock:
    """Posts due schedules from ``repo`` through ``post``; see the module's policy.

    ``now`` gives the current instant (aware UTC), ``sleep`` waits that many seconds
    (``asyncio.sleep``; a test's fake advances its fake clock instead), ``ready`` is
    awaited once before the first check (e.g. until the bot is connected); while
    ``active()`` is false (e.g. the bot is closing) checks do nothing. ``owns(guild_id)``
    says whether this process serves the guild (its shards); ``owner`` names this clock
    in its claims and ``lease`` is how long a claim holds.
    """

    def __init__(
        self,
        repo: ScheduleRepository,
        post: Post,
        notify: Notify,
        *,
        now: Callable[[], datetime],
        retry_delay: timedelta,
        max_sleep: timedelta,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        ready: Callable[[], Awaitable[object]] | None = None,
        active: Callable[[], bool] = lambda: True,
        owns: Callable[[int], bool] = lambda guild_id: True,
        owner: str | None = None,
        lease: timedelta = DEFAULT_LEASE,
        find_post: FindPost | None = None,
    ) -> None:
        self.repo = repo
        self.post = post
        self.notify = notify
        self.now = now
        self.retry_delay = retry_delay
        self.max_sleep = max_sleep
        self.sleep = sleep
        self.ready = ready
        self.active = active
        self.owns = owns
        self.owner = owner or process_name()
        self.lease = lease
        self.find_post = find_post
        #: The week each schedule being posted is claimed for (confirmed before sending).
        self._claimed: dict[int, str] = {}
        #: Nothing is due before this instant (None: read the schedules at the next check).
        self.next_check: datetime | None = None
        #: Schedules whose last try failed for a passing reason: not before this instant.
        self.retry_at: dict[int, datetime] = {}
        #: Counts schedule changes, so a check that raced with one does not hide it.
        self._changes = 0
        self._task: asyncio.Task[None] | None = None
        self._nap: asyncio.Task[object] | None = None

    # -- running ---------------------------------------------------------------------

    def start(self) -> None:
        """Run the clock in a task of its own (idempotent)."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(), name="weekly-clock")

    async def stop(self) -> None:
        """Stop the clock, waiting for the task to end (a post in progress is cancelled)."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def run(self) -> None:
        """Check, post what is due, sleep until the next due instant; forever."""
        if self.ready is not None:
            await self.ready()
        while True:
            await self.check()
            await self._doze(self.seconds_to_sleep(self.now()))

    async def check(self) -> int:
        """Post what is due now unless nothing can be; never raises. Returns posts made."""
        now = self.now()
        if not self.active() or (self.next_check is not None and now < self.next_check):
            return 0
        try:
            return await self.run_due(now)
        except Exception:
            log.exception("the schedule clock failed; it tries again at the next check")
            self.next_check = None
            return 0

    def seconds_to_sleep(self, now: datetime) -> float:
        """How long to sleep from ``now``: until the next due instant, within ``max_sleep``."""
        limit = now + self.max_sleep
        until = limit if self.next_check is None else min(self.next_check, limit)
        return max(0.0, (until - now).total_seconds())

    async def _doze(self, seconds: float) -> None:
        """Sleep ``seconds`` unless :meth:`wake` cuts it short (the clock's own cancel does not)."""
        self._nap = asyncio.ensure_future(self.sleep(seconds))
        try:
            await self._nap
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # the clock itself is being stopped
        finally:
            self._nap = None

    def wake(self) -> None:
        """Schedules changed: read them again now (cuts a sleep short)."""
        self._changes += 1
        self.next_check = None
        if self._nap is not None and not self._nap.done():
            self._nap.cancel()

    def forget(self, schedule_id: int) -> None:
        """A removed schedule: drop its pending retry."""
        self.retry_at.pop(schedule_id, None)

    # -- one check -------------------------------------------------------------------

    async def run_due(self, now: datetime) -> int:
        """Post every schedule due at ``now``, one after the other; returns how many posted."""
        posted = 0
        for schedule in await self.mine():
            if self._due(schedule, now):
                posted += await self._post_one(schedule, now)
        seen = self._changes
        earliest = self._earliest(await self.mine(), now)
        if self._changes == seen:  # else a schedule changed meanwhile: read again next check
            self.next_check = earliest
        return posted

    async def mine(self) -> list[Schedule]:
        """The enabled schedules of the guilds this process serves."""
        return [s for s in await self.repo.all_enabled() if self.owns(s.guild_id)]

    def _due(self, schedule: Schedule, now: datetime) -> bool:
        retry = self.retry_at.get(schedule.id) if schedule.id is not None else None
        return weekly.is_due(schedule, now) and (retry is None or now >= retry)

    def _earliest(self, schedules: list[Schedule], now: datetime) -> datetime:
        """The next instant anything may be due (at most :data:`REREAD` ahead)."""
        earliest = now + REREAD
        for schedule in schedules:
            when = weekly.next_due(schedule, now)
            retry = self.retry_at.get(schedule.id) if schedule.id is not None else None
            if retry is not None:
                when = max(when, retry)
            earliest = min(earliest, when)
        return earliest

    async def _post_one(self, schedule: Schedule, now: datetime) -> bool:
        """Claim and post one schedule; any failure stays with it, never reaching the others."""
        assert schedule.id is not None
        week, _ = weekly.this_weeks_slot(schedule, now)
        try:
            if not await self._claim(schedule.id, week, now):
                return False
            posted = await self._attempt(schedule, week, now)
        except Exception as error:  # a passing failure, or disabling itself failed
            await self._retry_later(schedule, now, error)
            return False
        finally:
            self._claimed.pop(schedule.id, None)
        if posted:
            self.retry_at.pop(schedule.id, None)
        return posted

    async def _attempt(self, schedule: Schedule, week: str, now: datetime) -> bool:
        """Run ``post`` under the claim; the failures with a policy of their own end here."""
        assert schedule.id is not None
        try:
            if await self._sent_before(schedule, week):
                return True
            await self.post(schedule, now)
        except ClaimLost:
            self._held_elsewhere(schedule.id, week, now)
            return False
        except Undeliverable as stop:
            await self.disable(schedule, str(stop))
            return False
        except ProviderDown as error:
            await self._retry_later(schedule, now, error)
            return False
        except UserError as error:
            await self.disable(schedule, str(error))
            return False
        return True

    async def _sent_before(self, schedule: Schedule, week: str) -> bool:
        """Whether an earlier try sent this week's post without recording it: then it
        is recorded now (with what that post showed) and nothing is sent again."""
        assert schedule.id is not None
        if schedule.send_week != week or self.find_post is None:
            return False
        since = datetime.fromtimestamp(schedule.send_started, UTC)
        if not await self.find_post(schedule, week, since):
            return False
        await self.repo.mark_posted(
            schedule.id, week, schedule.send_track_ids, schedule.send_labels
        )
        log.info("weekly post %s of %s was already sent; recorded it", schedule.id, week)
        return True

    async def _claim(self, schedule_id: int, week: str, now: datetime) -> bool:
        """Claim ``week`` of a schedule in storage; False (try later) when another holds it."""
        until = (now + self.lease).timestamp()
        if await self.repo.claim(schedule_id, week, self.owner, now=now.timestamp(), until=until):
            self._claimed[schedule_id] = week
            return True
        self._held_elsewhere(schedule_id, week, now)
        return False

    def _held_elsewhere(self, schedule_id: int, week: str, now: datetime) -> None:
        self.retry_at[schedule_id] = now + self.retry_delay
        log.info(
            "weekly post %s of %s is claimed by another process; looking again at %s",
            schedule_id,
            week,
            self.retry_at[schedule_id].isoformat(),
        )

    async def confirm(
        self,
        schedule: Schedule,
        track_ids: Sequence[str] | None = None,
        labels: Mapping[str, int] | None = None,
    ) -> None:
        """Called by ``post`` just before it sends: check that this clock still holds the
        week's claim and extend it by ``lease``; :class:`ClaimLost` if another process
        took it over (or the week was posted meanwhile). With ``track_ids`` and
        ``labels`` (what the post shows) it also records that the week is being sent."""
        assert schedule.id is not None
        week = self._claimed.get(schedule.id)
        now = self.now()
        until = (now + self.lease).timestamp()
        if week is None:
            held = False
        elif track_ids is None:
            held = await self.repo.renew(schedule.id, week, self.owner, until=until)
        else:
            held = await self.repo.begin_send(
                schedule.id,
                week,
                self.owner,
                until=until,
                at=now.timestamp(),
                track_ids=track_ids,
                labels=labels or {},
            )
        if not held:
            raise ClaimLost(f"weekly post {schedule.id} is no longer claimed by {self.owner}")

    async def _retry_later(self, schedule: Schedule, now: datetime, error: BaseException) -> None:
        """A passing failure: try again after ``retry_delay``, holding the claim until then
        (so no other process retries sooner)."""
        assert schedule.id is not None
        self.retry_at[schedule.id] = now + self.retry_delay
        week = self._claimed.get(schedule.id)
        if week is not None:
            until = self.retry_at[schedule.id].timestamp()
            with contextlib.suppress(Exception):
                await self.repo.renew(schedule.id, week, self.owner, until=until)
        log.warning(
            "weekly post %s failed; trying again at %s",
            schedule.id,
            self.retry_at[schedule.id].isoformat(),
            exc_info=error,
        )

    async def disable(self, schedule: Schedule, reason: str) -> None:
        """Disable a schedule that cannot post (with ``reason``) and announce it."""
        assert schedule.id is not None
        await self.repo.disable(schedule.id, reason)
        self.retry_at.pop(schedule.id, None)
        log.info("weekly post %s disabled: %s", schedule.id, reason)
        try:
            await self.notify(schedule, reason)
        except Exception:
            log.warning("could not announce that post %s stopped", schedule.id, exc_info=True)
