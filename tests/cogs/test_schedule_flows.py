"""Weekly posts end to end in a simulated Discord, driven by its virtual clock.

The simulated clock starts on Thursday 2026-01-01 00:00 UTC. The playlist comes
from an in-process stand-in for the Deezer source (SimCord virtualises the event
loop's timers, which stalls real sockets inside the bot; the real Deezer client
runs against the fake Deezer server in test_bot_loopback.py).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.model import Playlist, PlaylistRef
from bot.pipeline.runner import Pipeline
from bot.sources.csvfile import parse_playlist_csv
from storage.guild_settings import GuildSettings
from tests.harness import world
from tests.pages_seen import seen

LINK = "https://www.deezer.com/playlist/4242"
DAY = 86400
WEEK = 7 * DAY


def tracks_csv(groups: dict[int, int]) -> bytes:
    """A CSV whose track ``n`` (id n) sits in the audio-feature group ``groups[n]`` (0 or 1)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "Track URI",
            "Track Name",
            "Artist Name(s)",
            "Album Name",
            "Danceability",
            "Energy",
            "Valence",
            "Acousticness",
            "Tempo",
            "Loudness",
        ]
    )
    for n, g in sorted(groups.items()):
        jitter = (n % 5) * 0.01
        writer.writerow(
            [
                "spotify:track:" + f"{n:022d}",
                f"Song {n:03d}",
                f"Artist {g}",
                f"Album {g}",
                0.2 + 0.6 * g + jitter,
                0.9 - 0.7 * g + jitter,
                0.5,
                0.1 + 0.8 * g,
                90 + 60 * g + n % 10,
                -5 - 10 * g,
            ]
        )
    return out.getvalue().encode("utf-8")


FIRST = {n: 0 if n < 25 else 1 for n in range(50)}


class WeeklyDeezer:
    """The Deezer source and a feature provider in one, serving playlists that can change.

    ``failing`` holds playlist ids whose fetch raises (a bug somewhere on the way).
    """

    name = "weekly"
    family = "provider"

    def __init__(self) -> None:
        self.data = tracks_csv(FIRST)
        self.version = 1
        self.fetches = 0
        self.enriched = 0
        self.failing: set[str] = set()

    def change(self, groups: dict[int, int]) -> None:
        """The playlist's owner edits it: new tracks, new snapshot."""
        self.data = tracks_csv(groups)
        self.version += 1

    async def fetch(self, ref: PlaylistRef, progress) -> Playlist:
        if ref.id in self.failing:
            raise RuntimeError(f"playlist {ref.id} broke")
        self.fetches += 1
        playlist = parse_playlist_csv(self.data, name="Community ✨ Mix", ref_id=ref.id)
        playlist.ref = ref
        playlist.snapshot = f"v{self.version}"
        return playlist

    async def snapshot(self, ref: PlaylistRef) -> str:
        if ref.id in self.failing:
            raise RuntimeError(f"playlist {ref.id} broke")
        return f"v{self.version}"

    async def enrich(self, tracks, progress) -> int:
        self.enriched += 1
        return 0


def factory(fake: WeeklyDeezer):
    def build(settings, web, cache) -> Pipeline:
        return Pipeline(
            sources={"deezer": fake},
            providers=[fake],
            cache=cache,
            freshness_seconds=settings.freshness_seconds,
        )

    return build


def weekly_world(tmp_path: Path, fake: WeeklyDeezer, **settings):
    """A world whose schedule clock sleeps until the next due post (however far ahead)."""
    settings.setdefault("schedule_check_seconds", 7 * 86400)
    settings.setdefault("freshness_seconds", 0)
    return world(tmp_path, pipeline_factory=factory(fake), **settings)


def when(message, zone: str = "UTC") -> str:
    """A post's time as "Friday 18:00" in ``zone``."""
    return message.created_at.astimezone(ZoneInfo(zone)).strftime("%A %H:%M")


def friday(week: int, hour: int = 18, minute: int = 0) -> datetime:
    """Friday of the ``week``-th week of the simulation (week 0: 2026-01-02) in UTC."""
    return datetime(2026, 1, 2, hour, minute, tzinfo=UTC) + timedelta(weeks=week)


async def add(
    w,
    link: str = LINK,
    channel=None,
    weekday: int = 4,
    time: str = "18:00",
    timezone: str = "UTC",
    **extra,
):
    return await w.schedule(
        "add",
        link=link,
        channel=channel or w.channel,
        weekday=weekday,
        time=time,
        timezone=timezone,
        clusters=2,
        **extra,
    )


def footer(message) -> str:
    return seen(message).footer


def top(message) -> str:
    """The text above the page: the weekly line, the answer's summary."""
    return seen(message).top


async def stored(w):
    return await w.bot.storage.schedules.list_for_guild(w.guild.id)


async def bot_down(w, seconds: float):
    """The bot process is down for ``seconds``: its schedule clock stops, then it starts anew."""
    await w.bot.unload_extension("cogs.schedule")  # cog_unload cancels the clock
    await w.advance(seconds)
    await w.restart()


async def test_a_schedule_created_on_thursday_for_friday_posts_on_friday(tmp_path: Path) -> None:
    fake = WeeklyDeezer()
    async with weekly_world(tmp_path, fake) as w:
        assert w.now().strftime("%A") == "Thursday"
        added = await add(w, weekday=4, time="18:00", timezone="utc")
        assert added.ephemeral
        assert added.response.content.startswith(
            f"Weekly post #1 added: Fridays at 18:00 (UTC) in <#{w.channel.id}>, "
            f"<{LINK}>.\nFirst post: <t:{int(friday(0).timestamp())}:F>"
        )
        await w.advance_to(friday(0, 17, 59))
        assert w.posts() == []
        await w.advance(120)
        [post] = w.posts()
        assert when(post) == "Friday 18:00"
        assert top(post).startswith("📅 **Weekly post #1** · First weekly post.\n")
        assert "**Clusters in Community ✨ Mix**: 50 tracks in 2 clusters." in top(post)
        assert [a.filename for a in post.attachments] == ["clusters.png"]
        assert footer(post).startswith("Page 1/5 · Cluster 1/2")
        # the same paging as /clusters: the creator turns it, a stranger gets a private copy
        await w.react(w.manager, post.id, "▶")
        assert footer(w.message(post.id)).startswith("Page 2/5 · Cluster 1/2")
        # a turned page keeps the weekly line above it (stored with the message)
        assert top(w.message(post.id)).startswith("📅 **Weekly post #1** · First weekly post.\n")
        await w.click(w.manager, post.id, "Cluster ⏩")
        assert footer(w.message(post.id)).startswith("Page 1/5 · Cluster 2/2")
        mine = await w.click(w.stranger, post.id, "⏭")
        assert mine.ephemeral and footer(mine.response).startswith("Page 5/5 · Cluster 2/2")
        [schedule] = await stored(w)
        assert schedule.last_posted_week == "2026-W01"
        assert sorted(schedule.last_labels.values()).count(0) == 25


async def test_exactly_one_post_a_week_saying_what_changed(tmp_path: Path) -> None:
    fake = WeeklyDeezer()
    async with weekly_world(tmp_path, fake) as w:
        await add(w)
        await w.advance_to(friday(0, 20))
        assert [when(p) for p in w.posts()] == ["Friday 18:00"]
        assert fake.fetches == 1

        # During the week the playlist's owner edits it: 3 tracks leave, 12 arrive, and 5
        # tracks now sound like the other group. The cluster numbers flip too (cluster 1
        # is the largest), which is not a change for the tracks that stayed together.
        second = {n: g for n, g in FIRST.items() if n >= 3}
        second.update({n: 1 for n in range(20, 25)})
        second.update({n: n % 2 for n in range(50, 62)})
        fake.change(second)
        await w.advance_to(friday(1, 20))
        posts = w.posts()
        assert [when(p) for p in posts] == ["Friday 18:00", "Friday 18:00"]
        assert posts[1].created_at - posts[0].created_at == timedelta(weeks=1)
        assert top(posts[1]).startswith(
            "📅 **Weekly post #1** · Since the last post: +12 new, 3 removed; 5 changed cluster.\n"
        )
        assert "59 tracks in 2 clusters" in top(posts[1])
        assert fake.fetches == 2

        # Unchanged: still posted, from the cache, without fetching or analysing again.
        enriched = fake.enriched
        await w.advance_to(friday(3, 20))
        posts = w.posts()
        assert [when(p) for p in posts] == ["Friday 18:00"] * 4
        for post in posts[2:]:
            assert top(post).startswith("📅 **Weekly post #1** · No changes since the last post.\n")
            assert "from the cache" in top(post)
        assert (fake.fetches, fake.enriched) == (2, enriched)
        [schedule] = await stored(w)
        assert schedule.last_posted_week == "2026-W04"


async def test_a_post_missed_during_downtime_is_made_once_at_start(tmp_path: Path) -> None:
    fake = WeeklyDeezer()
    async with weekly_world(tmp_path, fake) as w:
        await add(w)
        await w.advance_to(friday(0, 12))
        await bot_down(w, DAY)  # down from Friday 12:00 to Saturday 12:00
        [post] = w.posts()
        assert when(post) == "Saturday 12:00"
        assert top(post).startswith("📅 **Weekly post #1** · First weekly post.")
        await w.advance(DAY)
        await w.restart()
        await w.advance(3600)
        assert len(w.posts()) == 1  # not again this week, not after another restart
        await w.advance_to(friday(1, 18, 5))
        assert [when(p) for p in w.posts()] == ["Saturday 12:00", "Friday 18:00"]


async def test_a_restart_in_the_middle_of_a_week_doubles_and_loses_nothing(
    tmp_path: Path,
) -> None:
    fake = WeeklyDeezer()
    async with weekly_world(tmp_path, fake) as w:
        await add(w, weekday=5, time="09:30")  # Saturdays 09:30 UTC
        await w.advance_to(friday(0, 23))
        await w.restart()  # before the post: it is still made
        await w.advance_to(friday(1, 0))  # Friday of the next week
        await w.restart()  # after the post: it is not made again
        await w.restart()
        await w.advance_to(friday(1, 9))
        await w.restart()
        await w.advance_to(friday(2))
        assert [when(p) for p in w.posts()] == ["Saturday 09:30", "Saturday 09:30"]
        first, second = w.posts()
        assert second.created_at - first.created_at == timedelta(weeks=1)


async def test_daylight_saving_keeps_the_wall_clock_time(tmp_path: Path) -> None:
    """Europe/Berlin leaves summer time on Sunday 2026-10-25: 18:00 stays 18:00 there."""
    fake = WeeklyDeezer()
    async with weekly_world(tmp_path, fake) as w:
        await w.advance_to(datetime(2026, 10, 19, tzinfo=UTC))  # a Monday
        await add(w, weekday=4, time="18:00", timezone="Europe/Berlin")
        await w.advance_to(datetime(2026, 11, 7, tzinfo=UTC))
        posts = w.posts()
        assert [when(p, "Europe/Berlin") for p in posts] == ["Friday 18:00"] * 3
        assert [p.created_at.strftime("%d %H:%M") for p in posts] == [
            "23 16:00",  # UTC+2 (summer time)
            "30 17:00",  # UTC+1
            "06 17:00",
        ]
        [schedule] = await stored(w)
        assert schedule.last_posted_week == "2026-W45"


async def test_two_schedules_due_in_the_same_minute_both_post_and_one_failure_stays_alone(
    tmp_path: Path,
) -> None:
    fake = WeeklyDeezer()
    fake.failing.add("666")
    async with weekly_world(tmp_path, fake, schedule_retry_seconds=1800) as w:
        weekly_channel = w.text_channel("weekly")
        await add(w, link="https://www.deezer.com/playlist/666")  # breaks: retried later
        await add(w)
        await add(w, channel=weekly_channel, time="19:00", timezone="Europe/Berlin")  # 18:00 UTC
        await w.advance_to(friday(0, 18, 10))
        assert [when(p) for p in w.posts()] == ["Friday 18:00"]
        assert [when(p) for p in w.posts(weekly_channel)] == ["Friday 18:00"]
        fake.failing.clear()  # fixed: the retry half an hour later posts
        await w.advance_to(friday(0, 19))
        assert [when(p) for p in w.posts()] == ["Friday 18:00", "Friday 18:30"]
        assert [s.enabled for s in await stored(w)] == [True, True, True]


async def test_a_deleted_channel_disables_the_schedule_and_tells_its_creator(
    tmp_path: Path,
) -> None:
    fake = WeeklyDeezer()
    async with weekly_world(tmp_path, fake) as w:
        doomed = w.text_channel("doomed")
        await add(w, channel=doomed)
        await add(w)
        await w.delete_channel(doomed)
        await w.advance_to(friday(1, 19))
        [gone, kept] = await stored(w)
        assert not gone.enabled and gone.disabled_reason == "The channel no longer exists."
        assert kept.enabled and len(w.posts()) == 2
        [notice] = w.dms(w.manager)  # told once, not every week
        assert notice.content.startswith(
            "Your weekly post #1 (Fridays at 18:00 (UTC), <https://www.deezer.com/playlist/4242>,"
            f" channel <#{doomed.id}>) in **Listening Club** has stopped: "
            "The channel no longer exists.\n"
        )
        listing = await w.schedule("list")
        assert listing.ephemeral
        assert "⏸ stopped: The channel no longer exists." in listing.response.content
        assert fake.fetches == 1  # the disabled schedule never fetched anything


async def test_lost_permissions_disable_and_tell_the_owner_when_the_creator_takes_no_dms(
    tmp_path: Path,
) -> None:
    fake = WeeklyDeezer()
    async with weekly_world(tmp_path, fake) as w:
        await add(w)
        await w.deny_bot(w.channel, send_messages=False)
        dm = w.manager.user.dm_channel
        w.fail_requests("POST", f"/channels/{dm.id}/messages", status=403, code=50007)
        await w.advance_to(friday(0, 19))
        [schedule] = await stored(w)
        assert not schedule.enabled
        # without Send Messages, Discord takes Embed Links and Attach Files away too
        assert schedule.disabled_reason == (
            "I lost permissions in #music: Send Messages, Embed Links, Attach Files."
        )
        assert w.dms(w.manager) == []
        [notice] = w.dms(w.guild_owner)
        assert "has stopped: I lost permissions in #music: Send Messages," in notice.content
        assert w.posts() == []


async def test_a_send_refused_by_discord_disables_the_schedule(tmp_path: Path) -> None:
    fake = WeeklyDeezer()
    async with weekly_world(tmp_path, fake) as w:
        await add(w)
        # the channel vanished without the bot hearing of it: Discord answers 404
        w.fail_requests("POST", f"/channels/{w.channel.id}/messages", status=404, code=10003)
        await w.advance_to(friday(1, 19))
        [schedule] = await stored(w)
        assert not schedule.enabled and schedule.disabled_reason == "The channel no longer exists."
        assert len(w.dms(w.manager)) == 1 and w.posts() == []


async def test_members_without_manage_server_are_refused_privately(tmp_path: Path) -> None:
    fake = WeeklyDeezer()
    async with weekly_world(tmp_path, fake) as w:
        await add(w)
        # A server admin let everyone see /schedule (an override of its default
        # permissions): the bot still refuses.
        w.allow_command("schedule", w.stranger)
        refused = "Only members with the Manage Server permission can manage weekly posts."
        for sub, options in (
            (
                "add",
                {
                    "link": LINK,
                    "channel": w.channel,
                    "weekday": 0,
                    "time": "10:00",
                    "timezone": "UTC",
                },
            ),
            ("list", {}),
            ("remove", {"id": 1}),
        ):
            result = await w.schedule(sub, w.stranger, **options)
            assert result.ephemeral, sub
            assert result.response.content == refused, sub
        assert len(await stored(w)) == 1
        assert [type(e).__name__ for e in w.errors()] == []

        # a member with the server's schedule role may, without Manage Server
        role = w.guild.create_role("DJs")
        dj = w.guild.add_member(w.env.create_user("dj"), roles=[role])
        w.allow_command("schedule", dj)
        assert (await w.schedule("list", dj)).response.content == refused
        await w.bot.storage.guild_settings.save(GuildSettings(w.guild.id, None, role.id))
        listing = await w.schedule("list", dj)
        assert listing.ephemeral and listing.response.content.startswith("**#1** · Fridays")


async def test_schedule_input_is_checked_and_answered_privately(tmp_path: Path) -> None:
    fake = WeeklyDeezer()
    async with weekly_world(tmp_path, fake) as w:
        closed = w.quiet_channel()
        await w.deny_bot(closed, attach_files=False, embed_links=False)
        cases = [
            ({"time": "25:00"}, "“25:00” is not a time of day; use 24-hour HH:MM, e.g. 18:30."),
            (
                {"timezone": "Mars/Olympus"},
                "“Mars/Olympus” is not a time zone; use a name like "
                "Europe/Berlin, America/New_York or UTC.",
            ),
            (
                {"link": "https://www.deezer.com/album/12"},
                "That is an album link; paste a playlist link.",
            ),
            (
                {"channel": closed},
                "I cannot post in #no-manage: I need Embed Links, Attach Files there.",
            ),
        ]
        for change, sentence in cases:
            options = {
                "link": LINK,
                "channel": w.channel,
                "weekday": 4,
                "time": "18:00",
                "timezone": "UTC",
                **change,
            }
            result = await w.schedule("add", **options)
            assert result.ephemeral and result.response.content == sentence, change
        assert await stored(w) == []
        assert (await w.schedule("list")).response.content == (
            "No weekly posts yet; add one with `/schedule add`."
        )
        added = await add(w, time="7.05", timezone="europe/berlin")
        assert "Fridays at 07:05 (Europe/Berlin)" in added.response.content
        listing = (await w.schedule("list")).response.content
        assert listing.startswith(f"**#1** · Fridays at 07:05 (Europe/Berlin) in <#{w.channel.id}>")
        missing = await w.schedule("remove", id=7)
        assert missing.ephemeral
        assert missing.response.content == (
            "This server has no weekly post #7; see `/schedule list`."
        )
        removed = await w.schedule("remove", id=1)
        assert removed.ephemeral and removed.response.content == "Weekly post #1 removed."
        assert await stored(w) == []
        await w.advance_to(friday(0, 12))
        assert w.posts() == []  # removed: nothing posts


async def test_the_time_zone_option_suggests_zones(tmp_path: Path) -> None:
    async with weekly_world(tmp_path, WeeklyDeezer()) as w:
        options = {"link": LINK, "channel": w.channel, "weekday": 4, "time": "18:00"}
        offered = await w.autocomplete("schedule add", "timezone", "berl", **options)
        assert offered[0] == "Europe/Berlin"
        assert (await w.autocomplete("schedule add", "timezone", "", **options))[0] == "UTC"


async def test_a_weekly_post_of_a_public_link_waits_for_every_deezer_lookup(
    tmp_path: Path,
) -> None:
    """The bot's real pipeline, a public Spotify link, Deezer's match budget at 0 (the
    virtual clock: see test_public_links_flow.py): a member's /clusters of the link is
    answered at the budget and says the rest is being looked up; the weekly post of the
    same link at the same settings, which nobody waits on, waits for every search and
    album: no pending sentence, every matched track with its label."""
    from tests.cogs.test_public_links_flow import NOT_PACED, served
    from tests.fakes.public_pages import FakeSpotifyPage, embed_page
    from tests.fakes.reccobeats import FakeReccoBeats
    from tests.roots.test_public_links import (
        PID,
        deezer_catalogue,
        hundred_entries,
        recco_features,
    )

    page = FakeSpotifyPage()
    page.pages[PID] = embed_page(hundred_entries(), pid=PID, name="Cent titres 🎧")
    recco = FakeReccoBeats()
    recco.features.update(recco_features())
    deezer = deezer_catalogue()
    link = f"https://open.spotify.com/playlist/{PID}"
    async with served(page, recco, deezer):
        same = {
            "spotify_embed_base": page.embed_base,
            "reccobeats_api_base": recco.api_base,
            "deezer_api_base": deezer.api_base,
            "deezer_match_budget_seconds": 0,
            "deezer_track_budget_seconds": 0,
            **NOT_PACED,
        }
        async with world(tmp_path / "weekly", schedule_check_seconds=WEEK, **same) as w:
            added = await add(w, link=link)
            assert added.response.content.startswith("Weekly post #1 added"), added.response
            await w.advance_to(friday(0, 18, 1))
            [post] = w.posts()
            asked = deezer.count("search"), deezer.count("album")
            [analysis] = [a for a in w.bot.analyzer._memory.values() if a.track_count == 100]
            assert w.errors() == []
        async with world(tmp_path / "member", **same) as w:
            member = w.page(await w.clusters(link=link, clusters=2))
            assert w.errors() == []
    shown = top(post)
    assert shown.startswith("📅 **Weekly post #1** · First weekly post.\n"), shown
    assert "; 95 matched on Deezer; 95 with audio features." in shown
    assert "still being looked up" not in shown and "within the" not in shown
    assert asked == (100, 95)  # every search and album, before the post went out
    assert not analysis.partial and analysis.playlist.match_pending == 0
    matched = [t for t in analysis.playlist.tracks if t.deezer_id]
    assert len(matched) == 95 and all(t.label and t.album and t.image for t in matched)
    # the same link, the same settings, a member waiting: the answer at the budget
    assert "are still being looked up on Deezer" in member.top, member.top
