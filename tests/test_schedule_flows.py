"""Weekly posts end to end in a simulated Discord, driven by its virtual clock.

The simulated clock starts on Thursday 2026-01-01 00:00 UTC. The playlist comes
from an in-process stand-in for the Deezer source (SimCord virtualises the event
loop's timers, which stalls real sockets inside the bot; the real Deezer client
runs against the fake Deezer server in test_bot_loopback.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.model import Playlist, PlaylistRef
from bot.pipeline import Pipeline
from bot.sources.csvfile import parse_playlist_csv
from tests.harness import playlist_csv, world

LINK = "https://www.deezer.com/playlist/4242"
DAY = 86400
WEEK = 7 * DAY


class WeeklyDeezer:
    """The Deezer source and a feature provider in one, serving a playlist that can change."""

    name = "weekly"
    family = "provider"

    def __init__(self) -> None:
        self.data = playlist_csv(2, 25)
        self.version = 1
        self.fetches = 0
        self.enriched = 0
        self.fail_with: Exception | None = None

    def change(self, data: bytes) -> None:
        """The playlist's owner edits it: new content, new snapshot."""
        self.data = data
        self.version += 1

    async def fetch(self, ref: PlaylistRef, progress) -> Playlist:
        if self.fail_with is not None:
            raise self.fail_with
        self.fetches += 1
        playlist = parse_playlist_csv(self.data, name="Community ✨ Mix", ref_id=ref.id)
        playlist.ref = ref
        playlist.snapshot = f"v{self.version}"
        return playlist

    async def snapshot(self, ref: PlaylistRef) -> str:
        if self.fail_with is not None:
            raise self.fail_with
        return f"v{self.version}"

    async def enrich(self, tracks, progress) -> int:
        self.enriched += 1
        return 0


def factory(fake: WeeklyDeezer):
    def build(settings, web, cache) -> Pipeline:
        return Pipeline(sources={"deezer": fake}, providers=[fake])

    return build


def weekly_world(tmp_path: Path, fake: WeeklyDeezer, **settings):
    settings.setdefault("schedule_check_seconds", 300)
    settings.setdefault("freshness_seconds", 0)
    return world(tmp_path, pipeline_factory=factory(fake), **settings)


def local(message, zone: str = "UTC") -> datetime:
    return message.created_at.astimezone(ZoneInfo(zone))


async def add(w, weekday: int = 4, time: str = "18:00", timezone: str = "UTC", **extra):
    return await w.schedule(
        "add", link=LINK, channel=w.channel, weekday=weekday, time=time, timezone=timezone,
        **extra,
    )


async def test_a_schedule_created_on_thursday_for_friday_posts_on_friday(tmp_path: Path) -> None:
    fake = WeeklyDeezer()
    async with weekly_world(tmp_path, fake, schedule_check_seconds=60) as w:
        assert w.now().strftime("%A") == "Thursday"
        added = await add(w, weekday=4, time="18:00", timezone="UTC", clusters=2)
        assert added.ephemeral, added
        print(added.response.content)
        await w.advance(DAY + 17 * 3600 + 59 * 60)  # Friday 17:59
        assert w.posts() == []
        await w.advance(2 * 60)
        posts = w.posts()
        assert len(posts) == 1
        print(posts[0].content, posts[0].created_at)
        assert local(posts[0]).strftime("%A %H:%M") == "Friday 18:00"
