"""A weekly post whose "posted" write fails after Discord accepted it is not sent again:
the retry finds it in the channel (SimCord's history) and records it (issue 25)."""

from __future__ import annotations

from pathlib import Path

from storage.errors import StorageError
from tests.cogs.test_schedule_flows import WeeklyDeezer, add, friday, stored, weekly_world, when


def failing_once(repo) -> list[str]:
    """Make ``repo.mark_posted`` fail the first time (the database went away)."""
    real = repo.mark_posted
    calls: list[str] = []

    async def mark_posted(schedule_id, week, track_ids, labels):
        calls.append(week)
        if len(calls) == 1:
            raise StorageError("the database went away")
        return await real(schedule_id, week, track_ids, labels)

    repo.mark_posted = mark_posted
    return calls


async def test_a_post_whose_record_failed_is_found_and_not_sent_again(tmp_path: Path) -> None:
    fake = WeeklyDeezer()
    async with weekly_world(tmp_path, fake, schedule_retry_seconds=1800) as w:
        await add(w)
        await add(w, time="18:05")  # a second schedule posting in the same channel
        calls = failing_once(w.bot.storage.schedules)
        await w.advance_to(friday(0, 18, 10))
        assert [when(p) for p in w.posts()] == ["Friday 18:00", "Friday 18:05"]
        first, second = await stored(w)
        assert first.last_posted_week is None and first.send_week == "2026-W01"
        assert second.last_posted_week == "2026-W01"
        await w.advance_to(friday(0, 20))  # the retry at 18:30 finds its post
        assert [when(p) for p in w.posts()] == ["Friday 18:00", "Friday 18:05"]
        first, _ = await stored(w)
        assert first.last_posted_week == "2026-W01"
        assert len(first.last_track_ids) == 50  # what the post that was found showed
        assert calls == ["2026-W01"] * 3


async def test_a_post_discord_never_got_is_sent_at_the_retry(tmp_path: Path) -> None:
    """The control: recorded as being sent, but not in the channel: sent again."""
    fake = WeeklyDeezer()
    async with weekly_world(tmp_path, fake, schedule_retry_seconds=1800) as w:
        await add(w)
        calls = failing_once(w.bot.storage.schedules)
        await w.advance_to(friday(0, 18, 10))
        [post] = w.posts()
        await w.delete_message(post.id)  # gone from the channel before the retry
        await w.advance_to(friday(0, 20))
        assert [when(p) for p in w.posts()] == ["Friday 18:30"]
        [schedule] = await stored(w)
        assert schedule.last_posted_week == "2026-W01"
        assert len(calls) == 2
