"""Weekly schedules: post a playlist's clusters into a channel on a weekday and time.

A schedule remembers the ISO week it last posted (so a restart never posts twice in
a week) and the track ids and cluster labels of that post (for a "what changed since
last week" line). A playlist named by any schedule is never evicted from the cache.

Several bot processes may run the weekly clock on one database. Before posting, a
process claims the week (:meth:`~ScheduleRepository.claim`): one conditional UPDATE that
matches the row for one process only (the week is not posted, and nobody else holds a
live claim on it). The claim lapses at ``claim_expires``, so a process that crashed
before posting lets another one post; :meth:`~ScheduleRepository.renew` extends a
claim its holder still has, and :meth:`~ScheduleRepository.begin_send` does so while
recording that the post is being sent (checked just before sending), so that a
process taking over after a crash between sending and recording "posted" looks for
the post before sending it again.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import BadInput
from bot.model import PlaylistRef

if TYPE_CHECKING:
    from storage.backends.session import Sessions

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_ISO_WEEK = re.compile(r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$")
_COLUMNS = (
    "id, guild_id, channel_id, ref_source, ref_id, weekday, time, timezone, k, created_by,"
    " enabled, disabled_reason, last_posted_week, last_track_ids, last_labels,"
    " send_week, send_started, send_track_ids, send_labels"
)


@dataclass(slots=True, kw_only=True)
class Schedule:
    """One weekly post. ``weekday`` 0 = Monday; ``time`` "HH:MM" in ``timezone`` (IANA name)."""

    id: int | None = None
    guild_id: int
    channel_id: int
    ref_source: str
    ref_id: str
    weekday: int
    time: str
    timezone: str
    created_by: int
    k: int | None = None
    enabled: bool = True
    disabled_reason: str = ""
    last_posted_week: str | None = None
    last_track_ids: list[str] = field(default_factory=list)
    last_labels: dict[str, int] = field(default_factory=dict)
    #: The week a process last began sending (None: never), since when (Unix seconds),
    #: and what that post shows: a process taking the week over looks for that post.
    send_week: str | None = None
    send_started: float = 0.0
    send_track_ids: list[str] = field(default_factory=list)
    send_labels: dict[str, int] = field(default_factory=dict)

    @property
    def ref(self) -> PlaylistRef:
        return PlaylistRef(self.ref_source, self.ref_id)  # type: ignore[arg-type]

    def validate(self) -> None:
        """Raise :class:`BadInput` with a sentence for the user if a field is unusable."""
        if not 0 <= self.weekday <= 6:
            raise BadInput("The weekday must be Monday to Sunday.")
        if not _TIME.match(self.time):
            raise BadInput(f"“{self.time}” is not a time of day; use 24-hour HH:MM, e.g. 18:30.")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise BadInput(
                f"“{self.timezone}” is not a time zone; use a name like Europe/Berlin or UTC."
            ) from None
        if self.k is not None and not 2 <= self.k <= 12:
            raise BadInput("The number of clusters must be between 2 and 12.")


def _from_row(row: Sequence[object]) -> Schedule:
    (
        id_,
        guild_id,
        channel_id,
        source,
        ref_id,
        weekday,
        time_,
        tz,
        k,
        created_by,
        enabled,
        reason,
        week,
        track_ids,
        labels,
        send_week,
        send_started,
        send_track_ids,
        send_labels,
    ) = row
    return Schedule(
        id=int(id_),  # type: ignore[arg-type]
        guild_id=int(guild_id),  # type: ignore[arg-type]
        channel_id=int(channel_id),  # type: ignore[arg-type]
        ref_source=str(source),
        ref_id=str(ref_id),
        weekday=int(weekday),  # type: ignore[arg-type]
        time=str(time_),
        timezone=str(tz),
        k=None if k is None else int(k),  # type: ignore[arg-type]
        created_by=int(created_by),  # type: ignore[arg-type]
        enabled=bool(enabled),
        disabled_reason=str(reason),
        last_posted_week=None if week is None else str(week),
        last_track_ids=list(json.loads(str(track_ids))),
        last_labels=dict(json.loads(str(labels))),
        send_week=None if send_week is None else str(send_week),
        send_started=float(send_started),  # type: ignore[arg-type]
        send_track_ids=list(json.loads(str(send_track_ids))),
        send_labels=dict(json.loads(str(send_labels))),
    )


class ScheduleRepository:
    """Typed access to the ``schedules`` table."""

    def __init__(self, db: Sessions, *, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self.clock = clock

    async def add(self, schedule: Schedule) -> Schedule:
        """Store a new schedule; returns it with its ``id`` set. Raises :class:`BadInput`."""
        schedule.validate()
        async with self._db.write() as conn:
            row = await conn.fetchone(
                "INSERT INTO schedules (guild_id, channel_id, ref_source, ref_id, weekday, time,"
                " timezone, k, created_by, created_at, enabled, disabled_reason,"
                " last_posted_week, last_track_ids, last_labels)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    schedule.guild_id,
                    schedule.channel_id,
                    schedule.ref_source,
                    schedule.ref_id,
                    schedule.weekday,
                    schedule.time,
                    schedule.timezone,
                    schedule.k,
                    schedule.created_by,
                    self.clock(),
                    int(schedule.enabled),
                    schedule.disabled_reason,
                    schedule.last_posted_week,
                    json.dumps(list(schedule.last_track_ids), ensure_ascii=False),
                    json.dumps(dict(schedule.last_labels), ensure_ascii=False),
                ),
            )
        assert row is not None
        schedule.id = int(row[0])
        return schedule

    async def get(self, schedule_id: int) -> Schedule | None:
        """The schedule with ``schedule_id``, or None."""
        rows = await self._select("WHERE id = ?", (schedule_id,))
        return rows[0] if rows else None

    async def list_for_guild(self, guild_id: int) -> list[Schedule]:
        """Every schedule of ``guild_id``, enabled or not, oldest first."""
        return await self._select("WHERE guild_id = ? ORDER BY id", (guild_id,))

    async def all_enabled(self) -> list[Schedule]:
        """Every enabled schedule of every guild, oldest first (for the weekly clock)."""
        return await self._select("WHERE enabled = 1 ORDER BY id", ())

    async def remove(self, schedule_id: int, *, guild_id: int | None = None) -> bool:
        """Delete a schedule (only within ``guild_id`` when given); False if none matched."""
        sql, params = "DELETE FROM schedules WHERE id = ?", [schedule_id]
        if guild_id is not None:
            sql += " AND guild_id = ?"
            params.append(guild_id)
        return await self._change(sql, tuple(params))

    async def mark_posted(
        self,
        schedule_id: int,
        iso_week: str,
        track_ids: Sequence[str],
        labels: Mapping[str, int],
    ) -> bool:
        """Record a post in ISO week ``iso_week`` ("2026-W48") with what it showed."""
        if not _ISO_WEEK.match(iso_week):
            raise ValueError(f"not an ISO week like 2026-W48: {iso_week!r}")
        return await self._change(
            "UPDATE schedules SET last_posted_week = ?, last_track_ids = ?, last_labels = ?"
            " WHERE id = ?",
            (
                iso_week,
                json.dumps(list(track_ids), ensure_ascii=False),
                json.dumps({str(k): int(v) for k, v in labels.items()}, ensure_ascii=False),
                schedule_id,
            ),
        )

    async def claim(
        self, schedule_id: int, iso_week: str, owner: str, *, now: float, until: float
    ) -> bool:
        """Claim posting ``iso_week`` for ``owner`` until ``until`` (Unix seconds).

        True for exactly one of several processes racing for the same week: the one
        whose UPDATE found the week unposted and unclaimed (or claimed by itself, or a
        claim that lapsed before ``now``). Portable SQL: a plain UPDATE ... WHERE.
        """
        return await self._change(
            "UPDATE schedules SET claim_week = ?, claim_owner = ?, claim_expires = ?"
            " WHERE id = ? AND enabled = 1"
            " AND (last_posted_week IS NULL OR last_posted_week < ?)"
            " AND (claim_week IS NULL OR claim_week <> ? OR claim_owner = ?"
            " OR claim_expires <= ?)",
            (iso_week, owner, until, schedule_id, iso_week, iso_week, owner, now),
        )

    async def renew(self, schedule_id: int, iso_week: str, owner: str, *, until: float) -> bool:
        """Extend ``owner``'s claim on ``iso_week`` to ``until``; False if it is no longer
        theirs (another process took it over) or the week was posted meanwhile."""
        return await self._change(
            "UPDATE schedules SET claim_expires = ?"
            " WHERE id = ? AND enabled = 1 AND claim_week = ? AND claim_owner = ?"
            " AND (last_posted_week IS NULL OR last_posted_week < ?)",
            (until, schedule_id, iso_week, owner, iso_week),
        )

    async def begin_send(
        self,
        schedule_id: int,
        iso_week: str,
        owner: str,
        *,
        until: float,
        at: float,
        track_ids: Sequence[str],
        labels: Mapping[str, int],
    ) -> bool:
        """:meth:`renew` ``owner``'s claim, and record in the same UPDATE that ``owner``
        begins sending ``iso_week`` at ``at`` with these tracks and labels (so a process
        taking the week over after a crash knows to look for the post first). False,
        recording nothing, if the claim is no longer ``owner``'s."""
        return await self._change(
            "UPDATE schedules SET claim_expires = ?, send_week = ?, send_started = ?,"
            " send_track_ids = ?, send_labels = ?"
            " WHERE id = ? AND enabled = 1 AND claim_week = ? AND claim_owner = ?"
            " AND (last_posted_week IS NULL OR last_posted_week < ?)",
            (
                until,
                iso_week,
                at,
                json.dumps(list(track_ids), ensure_ascii=False),
                json.dumps({str(k): int(v) for k, v in labels.items()}, ensure_ascii=False),
                schedule_id,
                iso_week,
                owner,
                iso_week,
            ),
        )

    async def disable(self, schedule_id: int, reason: str) -> bool:
        """Stop posting (e.g. the channel is gone), keeping the schedule and ``reason``."""
        return await self._change(
            "UPDATE schedules SET enabled = 0, disabled_reason = ? WHERE id = ?",
            (reason, schedule_id),
        )

    async def enable(self, schedule_id: int) -> bool:
        """Resume a disabled schedule."""
        return await self._change(
            "UPDATE schedules SET enabled = 1, disabled_reason = '' WHERE id = ?", (schedule_id,)
        )

    async def _select(self, where: str, params: tuple[object, ...]) -> list[Schedule]:
        async with self._db.read() as conn:
            rows = await conn.fetchall(f"SELECT {_COLUMNS} FROM schedules {where}", params)
        return [_from_row(row) for row in rows]

    async def _change(self, sql: str, params: tuple[object, ...]) -> bool:
        async with self._db.write() as conn:
            return await conn.execute(sql, params) > 0
