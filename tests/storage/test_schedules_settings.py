"""Weekly schedules and per-guild settings."""

from __future__ import annotations

import pytest

from bot.errors import BadInput
from storage.database import Database
from storage.guild_settings import GuildSettings
from storage.schedules import Schedule
from tests.storage.conftest import Location


def _schedule(**changes: object) -> Schedule:
    values: dict[str, object] = {
        "guild_id": 10,
        "channel_id": 20,
        "ref_source": "spotify",
        "ref_id": "37i9dQZF1DXcBWIGoYBM5M",
        "weekday": 4,
        "time": "18:30",
        "timezone": "Europe/Berlin",
        "created_by": 30,
    }
    values.update(changes)
    return Schedule(**values)  # type: ignore[arg-type]


async def test_a_schedule_and_its_last_post_survive_a_restart(location: Location) -> None:
    async with await Database.open(location) as db:
        added = await db.schedules.add(_schedule(k=4))
        assert added.id is not None
        assert await db.schedules.mark_posted(
            added.id, "2026-W48", ["a", "夜に駆ける", "b"], {"a": 0, "夜に駆ける": 1, "b": 1}
        )
    async with await Database.open(location) as db:
        got = await db.schedules.get(added.id)
    assert got == _schedule(
        id=added.id,
        k=4,
        last_posted_week="2026-W48",
        last_track_ids=["a", "夜に駆ける", "b"],
        last_labels={"a": 0, "夜に駆ける": 1, "b": 1},
    )
    assert str(got.ref) == "spotify:37i9dQZF1DXcBWIGoYBM5M"


async def test_listing_disabling_and_removing(db: Database) -> None:
    first = await db.schedules.add(_schedule())
    second = await db.schedules.add(_schedule(weekday=0, time="07:05"))
    other = await db.schedules.add(_schedule(guild_id=11, timezone="UTC"))
    assert [s.id for s in await db.schedules.list_for_guild(10)] == [first.id, second.id]
    assert await db.schedules.disable(first.id, "The channel was deleted.")
    assert [s.id for s in await db.schedules.all_enabled()] == [second.id, other.id]
    disabled = await db.schedules.get(first.id)
    assert disabled is not None and not disabled.enabled
    assert disabled.disabled_reason == "The channel was deleted."
    assert await db.schedules.enable(first.id)
    assert len(await db.schedules.all_enabled()) == 3
    # a guild cannot remove another guild's schedule
    assert not await db.schedules.remove(other.id, guild_id=10)
    assert await db.schedules.remove(other.id, guild_id=11)
    assert await db.schedules.get(other.id) is None
    assert not await db.schedules.disable(999, "x")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"time": "25:00"}, "not a time of day"),
        ({"time": "6pm"}, "not a time of day"),
        ({"timezone": "Mars/Olympus_Mons"}, "not a time zone"),
        ({"timezone": "../etc/passwd"}, "not a time zone"),
        ({"weekday": 7}, "Monday to Sunday"),
        ({"k": 40}, "between 2 and 12"),
    ],
)
async def test_unusable_schedules_are_refused_with_a_sentence(
    db: Database, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(BadInput, match=message):
        await db.schedules.add(_schedule(**changes))
    assert await db.schedules.list_for_guild(10) == []


async def test_mark_posted_wants_an_iso_week(db: Database) -> None:
    added = await db.schedules.add(_schedule())
    with pytest.raises(ValueError, match="ISO week"):
        await db.schedules.mark_posted(added.id, "2026-48", [], {})


async def test_guild_settings_default_then_saved(location: Location) -> None:
    async with await Database.open(location) as db:
        assert await db.guild_settings.get(5) == GuildSettings(5)
        await db.guild_settings.save(GuildSettings(5, default_k=6, schedule_role_id=77))
        await db.guild_settings.save(GuildSettings(6, default_k=3))
        with pytest.raises(BadInput, match="between 2 and 12"):
            await db.guild_settings.save(GuildSettings(5, default_k=1))
    async with await Database.open(location) as db:
        assert await db.guild_settings.get(5) == GuildSettings(5, 6, 77)
        await db.guild_settings.delete(6)
        assert await db.guild_settings.get(6) == GuildSettings(6)
