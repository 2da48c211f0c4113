"""The pure weekly-post logic (bot/weekly/rules.py): input, due times, ISO weeks, changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import BadInput
from bot.model import PlaylistRef
from bot.weekly import rules as weekly


@dataclass
class Timing:
    weekday: int
    time: str
    timezone: str
    last_posted_week: str | None = None


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("18:00", "18:00"),
        ("9:30", "09:30"),
        (" 07.05 ", "07:05"),
        ("18h30", "18:30"),
        ("0:00", "00:00"),
        ("23:59", "23:59"),
    ],
)
def test_times_of_day_are_read_in_the_usual_spellings(typed: str, expected: str) -> None:
    assert weekly.parse_time(typed) == expected


@pytest.mark.parametrize("typed", ["24:00", "18:60", "6pm", "", "18", "18:5", "１８:００x"])
def test_other_times_are_refused_with_a_sentence(typed: str) -> None:
    with pytest.raises(BadInput, match="is not a time of day; use 24-hour HH:MM"):
        weekly.parse_time(typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("America/New York", "America/New_York"),
        ("new york", "America/New_York"),
        ("utc", "UTC"),
        ("Tokyo", "Asia/Tokyo"),
    ],
)
def test_time_zones_are_spelled_canonically(typed: str, expected: str) -> None:
    assert weekly.canonical_zone(typed) == expected


@pytest.mark.parametrize("typed", ["Mars/Olympus", "", "CEST+2", "../etc/passwd"])
def test_unknown_time_zones_are_refused(typed: str) -> None:
    with pytest.raises(BadInput, match="is not a time zone"):
        weekly.canonical_zone(typed)


def test_zone_suggestions_put_the_likely_one_first_and_fit_discord() -> None:
    assert weekly.zone_choices("berl")[0] == "Europe/Berlin"
    assert weekly.zone_choices("new_y")[0] == "America/New_York"
    assert weekly.zone_choices("") == list(weekly.COMMON_ZONES)
    assert len(weekly.zone_choices("a")) == weekly.MAX_CHOICES
    assert weekly.zone_choices("zzzz") == []


# -- due times --------------------------------------------------------------------------


def test_the_iso_week_is_the_one_of_the_local_date() -> None:
    sunday_night = utc(2026, 1, 4, 23, 30)  # Sunday in UTC, already Monday in Tokyo
    assert weekly.iso_week(sunday_night, "UTC") == "2026-W01"
    assert weekly.iso_week(sunday_night, "Asia/Tokyo") == "2026-W02"
    assert weekly.iso_week(utc(2026, 12, 31, 12), "UTC") == "2026-W53"
    assert weekly.iso_week(utc(2027, 1, 4, 12), "UTC") == "2027-W01"


def test_created_on_thursday_for_friday_it_is_due_on_friday() -> None:
    thursday = utc(2026, 1, 1, 10)
    friday = Timing(4, "18:00", "UTC")
    assert weekly.week_done_at_creation(friday, thursday) is None
    assert weekly.next_due(friday, thursday) == utc(2026, 1, 2, 18)
    assert not weekly.is_due(friday, utc(2026, 1, 2, 17, 59))
    assert weekly.is_due(friday, utc(2026, 1, 2, 18, 0))
    # a Wednesday schedule made on Thursday waits for next Wednesday
    wednesday = Timing(2, "18:00", "UTC")
    assert weekly.week_done_at_creation(wednesday, thursday) == "2026-W01"
    wednesday.last_posted_week = "2026-W01"
    assert not weekly.is_due(wednesday, thursday)
    assert weekly.next_due(wednesday, thursday) == utc(2026, 1, 7, 18)


def test_once_posted_a_week_is_never_due_again_and_a_missed_post_is_due_until_made() -> None:
    timing = Timing(4, "18:00", "UTC")
    saturday = utc(2026, 1, 3, 9)  # the bot was down on Friday evening
    assert weekly.is_due(timing, saturday)
    assert weekly.next_due(timing, saturday) == utc(2026, 1, 2, 18)  # overdue
    timing.last_posted_week = weekly.iso_week(saturday, "UTC")
    for hours in range(0, 24 * 6, 7):
        assert not weekly.is_due(timing, saturday + timedelta(hours=hours))
    assert weekly.next_due(timing, saturday) == utc(2026, 1, 9, 18)
    # down for the whole next week: nothing to make up once that week is over
    assert not weekly.is_due(timing, utc(2026, 1, 12, 9))


def test_the_week_rolls_over_the_year_end() -> None:
    timing = Timing(0, "09:00", "UTC", last_posted_week="2026-W53")
    assert weekly.next_due(timing, utc(2026, 12, 30)) == utc(2027, 1, 4, 9)
    assert weekly.is_due(timing, utc(2027, 1, 4, 9))


def test_daylight_saving_keeps_the_local_time() -> None:
    friday = Timing(4, "18:00", "Europe/Berlin")
    assert weekly.next_due(friday, utc(2026, 10, 19)) == utc(2026, 10, 23, 16)  # CEST
    assert weekly.next_due(friday, utc(2026, 10, 26)) == utc(2026, 10, 30, 17)  # CET
    assert weekly.next_due(friday, utc(2026, 3, 23)) == utc(2026, 3, 27, 17)  # CET
    assert weekly.next_due(friday, utc(2026, 3, 30)) == utc(2026, 4, 3, 16)  # CEST
    # New York moves its clocks on 2026-03-08, three weeks before Berlin
    new_york = Timing(4, "18:00", "America/New_York")
    assert weekly.next_due(new_york, utc(2026, 3, 3)) == utc(2026, 3, 6, 23)  # EST
    assert weekly.next_due(new_york, utc(2026, 3, 10)) == utc(2026, 3, 13, 22)  # EDT


def test_times_that_do_not_exist_or_exist_twice_post_once() -> None:
    # 2026-03-29 02:30 does not exist in Berlin (02:00 -> 03:00): 03:30 CEST, 01:30 UTC
    gap = Timing(6, "02:30", "Europe/Berlin")
    assert weekly.next_due(gap, utc(2026, 3, 23)) == utc(2026, 3, 29, 1, 30)
    # 2026-10-25 02:30 exists twice (03:00 -> 02:00): the first one, 00:30 UTC
    twice = Timing(6, "02:30", "Europe/Berlin")
    assert weekly.next_due(twice, utc(2026, 10, 19)) == utc(2026, 10, 25, 0, 30)
    twice.last_posted_week = "2026-W43"
    assert not weekly.is_due(twice, utc(2026, 10, 25, 1, 30))  # the second 02:30


ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "Pacific/Chatham",
]


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    weekday=st.integers(0, 6),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 45]),
    start=st.datetimes(datetime(2025, 1, 1), datetime(2030, 1, 1)),
)
def test_a_schedule_posts_once_every_week_at_its_local_time(
    zone: str, weekday: int, hour: int, minute: int, start: datetime
) -> None:
    """Walking the clock over five weeks from any start: one post per ISO week, on the
    chosen weekday at the chosen wall-clock time (or just after, on a skipped hour)."""
    hhmm = f"{hour:02d}:{minute:02d}"
    now = start.replace(tzinfo=UTC)
    timing = Timing(
        weekday, hhmm, zone, weekly.week_done_at_creation(Timing(weekday, hhmm, zone), now)
    )
    posts: list[datetime] = []
    end = now + timedelta(weeks=5)
    while now < end:
        nxt = weekly.next_due(timing, now)
        assert nxt > now or weekly.is_due(timing, now)
        now = max(now, nxt)
        assert weekly.is_due(timing, now)
        assert not weekly.is_due(timing, now - timedelta(minutes=1)) or nxt < now
        timing.last_posted_week = weekly.iso_week(now, zone)
        posts.append(now)
    weeks = [weekly.iso_week(p, zone) for p in posts]
    assert len(set(weeks)) == len(weeks) >= 4
    for post in posts:
        local = post.astimezone(ZoneInfo(zone))
        assert local.weekday() == weekday
        shown = local.hour * 60 + local.minute
        assert 0 <= shown - (hour * 60 + minute) <= 60  # later only across a spring gap


# -- what changed -------------------------------------------------------------------------


def test_the_first_post_says_so() -> None:
    assert weekly.change_line([], {}, ["a"], {"a": 0}) == "First weekly post."


def test_an_unchanged_playlist_says_so_even_when_cluster_numbers_swap() -> None:
    ids = [f"t{i}" for i in range(10)]
    before = {t: i % 2 for i, t in enumerate(ids)}
    after = {t: 1 - label for t, label in before.items()}  # the same groups, renumbered
    assert weekly.change_line(ids, before, ids, after) == "No changes since the last post."


def test_added_removed_and_moved_tracks_are_counted() -> None:
    before = {f"t{i}": 0 if i < 25 else 1 for i in range(50)}
    after = {t: label for t, label in before.items() if t not in {"t0", "t1", "t2"}}
    after.update({f"t{i}": 1 for i in range(20, 25)})  # five move to the other group
    after.update({f"n{i}": i % 2 for i in range(12)})
    # renumber by size as the analysis does: the larger group becomes cluster 0
    after = {t: 1 - label for t, label in after.items()}
    line = weekly.change_line(list(before), before, list(after), after)
    assert line == "Since the last post: +12 new, 3 removed; 5 changed cluster."


def test_moves_are_counted_against_the_best_matching_of_clusters() -> None:
    before = {"a": 0, "b": 0, "c": 1, "d": 1, "e": 2, "f": 2}
    after = {"a": 2, "b": 2, "c": 0, "d": 1, "e": 1, "f": 1}  # d joined e and f
    assert weekly.moved_tracks(before, after) == 1
    assert weekly.moved_tracks({}, after) == 0
    assert weekly.moved_tracks(before, {"x": 0}) == 0
    # more clusters now than before: the tracks of the new cluster moved
    assert weekly.moved_tracks({"a": 0, "b": 0, "c": 0}, {"a": 0, "b": 0, "c": 1}) == 1


def test_playlist_urls() -> None:
    assert (
        weekly.playlist_url(PlaylistRef("deezer", "4242")) == "https://www.deezer.com/playlist/4242"
    )
    assert weekly.playlist_url(PlaylistRef("spotify", "37i9dQZF1DXcBWIGoYBM5M")) == (
        "https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M"
    )
