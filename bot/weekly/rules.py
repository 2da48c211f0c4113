"""Weekly posts, the pure part: when a schedule is due, ISO weeks, the change line.

No Discord, no SQL, no clock of its own: every function takes the current instant
(an aware datetime) so the schedule cog and the tests decide what "now" is.

A schedule posts once per ISO week at a weekday and wall-clock time in its own
time zone. The week is the ISO week of the local date in that zone, so a Sunday
23:30 post in Tokyo and a Monday 00:30 post in Berlin belong to different weeks
even when they are minutes apart in UTC. A daylight-saving change keeps the
wall-clock time: 18:00 Europe/Berlin is 17:00 UTC in summer and 18:00 UTC in
winter. A time that does not exist on that day (02:30 when clocks jump from 02:00
to 03:00) posts at the same instant as the old offset would give, i.e. 03:30; a
time that exists twice (02:30 when clocks fall back) posts at the first one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import numpy as np
from babel.dates import get_day_names
from scipy.optimize import linear_sum_assignment

from bot.errors import BadInput
from bot.locales import ENGLISH, N_, Words, said_again
from bot.model import PlaylistRef
from bot.net.links import apple_page_path
from bot.sources import NOT_AVAILABLE

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

#: Offered first by the time-zone autocomplete (at most 25 choices fit in Discord).
COMMON_ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Europe/Athens",
    "Europe/Istanbul",
    "Europe/Moscow",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Australia/Sydney",
    "Pacific/Auckland",
)
MAX_CHOICES = 25

_TIME = re.compile(r"^\s*([01]?\d|2[0-3])\s*[:.hH]\s*([0-5]\d)\s*$")


class Timing(Protocol):
    """What the due-time functions read from a schedule (``storage.schedules.Schedule``)."""

    weekday: int
    time: str
    timezone: str
    last_posted_week: str | None


# -- input ------------------------------------------------------------------------------


def parse_time(text: str) -> str:
    """A time of day a user typed ("18:00", "9:30", "18.30", "18h30") -> "HH:MM".

    Raises :class:`BadInput` with a sentence for the user otherwise.
    """
    match = _TIME.match(text)
    if match is None:
        raise BadInput(
            N_("“{text}” is not a time of day; use 24-hour HH:MM, e.g. 18:30."),
            text=text.strip()[:40],
        )
    return f"{int(match[1]):02d}:{match[2]}"


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    """Every IANA zone name (from tzdata when the system has none), keyed in lower case."""
    names = available_timezones() | {"UTC"}
    return {name.lower(): name for name in names if not name.startswith(("posix/", "right/"))}


def canonical_zone(text: str) -> str:
    """A time-zone name as typed ("europe/berlin", "New York") -> its IANA spelling.

    Raises :class:`BadInput` for a name that is not a zone.
    """
    key = text.strip().replace(" ", "_").lower()
    name = _zones().get(key)
    if name is None:
        # A city alone ("Berlin", "new york") when exactly one zone ends with it.
        ends = [zone for low, zone in _zones().items() if low.endswith("/" + key)]
        name = ends[0] if len(ends) == 1 else None
    if name is None:
        raise BadInput(
            N_(
                "“{text}” is not a time zone; use a name like Europe/Berlin, "
                "America/New_York or UTC."
            ),
            text=text.strip()[:60],
        )
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # listed but unreadable: treat as unknown
        raise BadInput(
            N_("The time zone {zone} cannot be read on this server."), zone=name
        ) from None
    return name


def zone_choices(typed: str, limit: int = MAX_CHOICES) -> list[str]:
    """Time-zone names for the autocomplete: common ones first, then by name."""
    key = typed.strip().replace(" ", "_").lower()
    if not key:
        return list(COMMON_ZONES[:limit])
    common = {name: rank for rank, name in enumerate(COMMON_ZONES)}

    def order(name: str) -> tuple[int, int, int, str]:
        low = name.lower()
        city = low.rsplit("/", 1)[-1]
        starts = 0 if low.startswith(key) or city.startswith(key) else 1
        return (starts, common.get(name, len(common)), len(name), name)

    found = [name for low, name in _zones().items() if key in low]
    return sorted(found, key=order)[:limit]


def weekday_name(weekday: int) -> str:
    return WEEKDAYS[weekday]


# -- due times --------------------------------------------------------------------------


def iso_week(moment: datetime, zone: str) -> str:
    """The ISO week ("2026-W48") of ``moment``'s date in ``zone``."""
    year, week, _ = moment.astimezone(ZoneInfo(zone)).isocalendar()
    return f"{year:04d}-W{week:02d}"


def _monday(moment: datetime, zone: str) -> date:
    local = moment.astimezone(ZoneInfo(zone)).date()
    return local - timedelta(days=local.weekday())


def slot(monday: date, weekday: int, hhmm: str, zone: str) -> datetime:
    """The post instant (UTC) of the week starting ``monday``: wall-clock time in ``zone``."""
    hours, minutes = (int(part) for part in hhmm.split(":"))
    day = monday + timedelta(days=weekday)
    local = datetime.combine(day, time_of_day(hours, minutes), tzinfo=ZoneInfo(zone))
    # Aware datetimes sharing one tzinfo compare as wall times: always hand out UTC.
    return local.astimezone(UTC)


def this_weeks_slot(timing: Timing, now: datetime) -> tuple[str, datetime]:
    """The ISO week of ``now`` in the schedule's zone and that week's post instant (UTC)."""
    monday = _monday(now, timing.timezone)
    when = slot(monday, timing.weekday, timing.time, timing.timezone)
    return iso_week(now, timing.timezone), when


def posted_in(timing: Timing, week: str) -> bool:
    """Whether the schedule already posted in ISO week ``week`` (or a later one)."""
    # "2026-W05" strings order like the weeks they name.
    return timing.last_posted_week is not None and timing.last_posted_week >= week


def is_due(timing: Timing, now: datetime) -> bool:
    """Whether this week's post time has passed and this week has no post yet.

    After downtime this is what makes the missed post of the current week once,
    at start; earlier weeks' misses are not made up (one post per week at most).
    """
    week, when = this_weeks_slot(timing, now)
    return now >= when and not posted_in(timing, week)


def next_due(timing: Timing, now: datetime) -> datetime:
    """When the schedule posts next (UTC): this week's slot unless this week is done.

    The result may lie in the past: then the schedule is due now (:func:`is_due`).
    """
    week, when = this_weeks_slot(timing, now)
    if not posted_in(timing, week):
        return when
    following = _monday(now, timing.timezone) + timedelta(days=7)
    return slot(following, timing.weekday, timing.time, timing.timezone)


def week_done_at_creation(timing: Timing, now: datetime) -> str | None:
    """The ISO week a new schedule counts as done: the current one if its slot has passed.

    A schedule made on Saturday for Fridays starts next Friday, not at once; one made
    on Thursday for Fridays posts tomorrow.
    """
    week, when = this_weeks_slot(timing, now)
    return week if now >= when else None


# -- what changed -------------------------------------------------------------------------


def moved_tracks(previous: Mapping[str, int], current: Mapping[str, int]) -> int:
    """How many tracks present in both posts are in a different cluster now.

    Cluster numbers are not stable between analyses (they are ordered by size), so
    the old clusters are first matched to the new ones by the most shared tracks
    (an optimal assignment); a track moved when its new cluster is not the match of
    its old one.
    """
    common = [track for track in current if track in previous]
    if not common:
        return 0
    old_ids = sorted({previous[t] for t in common})
    new_ids = sorted({current[t] for t in common})
    old_index = {label: i for i, label in enumerate(old_ids)}
    new_index = {label: i for i, label in enumerate(new_ids)}
    shared = np.zeros((len(old_ids), len(new_ids)), dtype=np.int64)
    for track in common:
        shared[old_index[previous[track]], new_index[current[track]]] += 1
    rows, cols = linear_sum_assignment(shared, maximize=True)
    return len(common) - int(shared[rows, cols].sum())


def change_line(
    previous_ids: Sequence[str],
    previous_labels: Mapping[str, int],
    current_ids: Sequence[str],
    current_labels: Mapping[str, int],
    words: Words = ENGLISH,
) -> str:
    """What changed since the last post: "+12 new, 3 removed; 5 changed cluster" (in
    ``words``' language: the post's server's).

    Empty ``previous_ids`` means there was no earlier post.
    """
    if not previous_ids:
        return words("First weekly post.")
    before, after = set(previous_ids), set(current_ids)
    added, removed = len(after - before), len(before - after)
    moved = moved_tracks(previous_labels, current_labels)
    if not (added or removed or moved):
        return words("No changes since the last post.")
    return words(
        "Since the last post: +{added} new, {removed} removed; {moved} changed cluster.",
        added=added,
        removed=removed,
        moved=moved,
    )


def playlist_url(ref: PlaylistRef) -> str:
    """The public web address of a playlist, for lists and notices."""
    if ref.source == "spotify":
        return f"https://open.spotify.com/playlist/{ref.id}"
    if ref.source == "deezer":
        return f"https://www.deezer.com/playlist/{ref.id}"
    if ref.source == "ytmusic":
        return f"https://music.youtube.com/playlist?list={ref.id}"
    if ref.source == "apple":
        return "https://music.apple.com" + apple_page_path(ref.id)
    return f"{ref.source}:{ref.id}"


def post_nonce(schedule_id: int, week: str) -> str:
    """The same nonce for every try of a schedule's week (Discord: at most 25 characters)."""
    return f"w{schedule_id}-{week}"[:25]


# -- words ------------------------------------------------------------------------------


class Described(Protocol):
    """What the wording functions read from a schedule (``storage.schedules.Schedule``)."""

    id: int | None
    guild_id: int
    channel_id: int
    weekday: int
    time: str
    timezone: str

    @property
    def ref(self) -> PlaylistRef: ...


def describe(schedule: Described, words: Words = ENGLISH) -> str:
    """A schedule in words: Fridays at 18:00 (Europe/Berlin); the weekday in ``words``'
    language (Babel's names: viernes, 金曜日)."""
    day = f"{weekday_name(schedule.weekday)}s"
    if words is not ENGLISH:
        day = str(get_day_names("wide", locale=words.locale)[schedule.weekday])
    return words(
        "{weekdays} at {time} ({zone})", weekdays=day, time=schedule.time, zone=schedule.timezone
    )


def stamp(moment: datetime) -> str:
    """A Discord timestamp: shown in each reader's own time zone."""
    seconds = int(moment.timestamp())
    return f"<t:{seconds}:F> (<t:{seconds}:R>)"


#: Why a weekly post stopped, as the clock stores it (English, the sentence of the
#: error that stopped it): said again in a reader's language by :func:`stop_reason`.
CHANNEL_GONE = N_("The channel no longer exists.")
NOT_ALLOWED = N_("I am no longer allowed to post in the channel.")
NOT_SEEN = N_("I can no longer see the channel.")
NOT_POSTABLE = N_("The channel is not one I can post in.")
LOST_PERMISSIONS = N_("I lost permissions in #{channel}: {permissions}.")
#: Stored reasons with values (the sources' and the pipeline's sentences, same English);
#: a reason without values is found in the catalog as it is.
STOP_TEMPLATES = (
    N_("That playlist has {count} tracks; I read at most {limit}."),
    NOT_AVAILABLE,
)


def lost_permissions(channel: str, missing: Sequence[str]) -> str:
    """The stored reason when the bot lacks posting permissions (their English names)."""
    return LOST_PERMISSIONS.format(channel=channel, permissions=", ".join(missing))


def _as_is(text: str, _words: Words) -> str:
    return text


def _listed(text: str, words: Words) -> str:
    """Posting permissions' English names, listed, in ``words``' language."""
    return ", ".join(words(part) for part in text.split(", "))


def stop_reason(reason: str, words: Words = ENGLISH) -> str:
    """A stopped schedule's stored reason in ``words``' language: an error's sentence
    without values is looked up as it is, one with values is read back into its template
    (``said_again``; the lost permissions by their last ": "); a reason stored by an
    older version, or any other, stays English."""
    if words is ENGLISH or not reason:
        return reason
    if reason in words.messages:
        return words(reason)
    head = LOST_PERMISSIONS.partition("{channel}")[0]
    if reason.startswith(head) and reason.endswith("."):  # the channel's name may hold ": "
        channel, colon, listed = reason[len(head) : -1].rpartition(": ")
        if colon:
            return words(LOST_PERMISSIONS, channel=channel, permissions=_listed(listed, words))
    return said_again(reason, STOP_TEMPLATES, words, {"source": _as_is})


def stopped_text(
    schedule: Described, reason: str, server: str | None, words: Words = ENGLISH
) -> str:
    """The DM telling a schedule's creator (or the server owner) that it stopped;
    ``server``: the server's name, already cut to fit (None: unknown). In ``words``'
    language, the stored (English) ``reason`` too where it can be."""
    where = (
        words("in **{server}**", server=server)
        if server
        else words("in server {id}", id=str(schedule.guild_id))
    )
    return words(
        "Your weekly post #{id} ({when}, <{url}>, channel {channel}) {where} has stopped: "
        "{reason}\nA member with Manage Server can remove it and add it again with "
        "`/schedule add`.",
        id=str(schedule.id),
        when=describe(schedule, words),
        url=playlist_url(schedule.ref),
        channel=f"<#{schedule.channel_id}>",
        where=where,
        reason=stop_reason(reason, words),
    )
