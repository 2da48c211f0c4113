"""`/taste` and the "Compare taste" menu (cogs/taste.py) in a simulated Discord (SimCord).

Members share Deezer playlists served by a fake source whose tracks are real labelled
tracks (tests/data/labelled): two rock playlists and one rap playlist, so the scores a
member sees can be checked against what a listener expects.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from bot.model import Playlist, PlaylistRef
from bot.pipeline.runner import Pipeline
from tests.account.conftest import fake_accounts
from tests.harness import world
from tests.labelled import load_rows, to_track

__all__ = ["fake_accounts"]  # the fixture of tests/account

ROCK_1, ROCK_2, RAP = "101", "102", "201"
NAMES = {ROCK_1: "Rock Nights", ROCK_2: "Guitar Heroes", RAP: "Trap ★ House"}


class SharedDeezer:
    """The Deezer source and a feature provider in one: playlists of labelled tracks."""

    name = "shared"
    family = "provider"

    def __init__(self) -> None:
        rows = load_rows()
        rock = [r for r in rows if r["playlist_genre"] == "rock"]
        rap = [r for r in rows if r["playlist_genre"] == "rap"]
        self.rows = {ROCK_1: rock[0::2][:120], ROCK_2: rock[1::2][:120], RAP: rap[:120]}
        self.fetches = 0
        #: give every track a (made-up, well-formed) Spotify id, as a Spotify source would
        self.with_spotify_ids = False

    async def fetch(self, ref: PlaylistRef, progress) -> Playlist:
        self.fetches += 1
        tracks = [to_track(r) for r in self.rows[ref.id]]
        if self.with_spotify_ids:
            for track in tracks:
                track.spotify_id = f"{track.id[3:]:0>22}"
        return Playlist(ref, NAMES[ref.id], tracks, "v1")

    async def snapshot(self, ref: PlaylistRef) -> str:
        return "v1"

    async def enrich(self, tracks, progress) -> int:
        return 0


def link(playlist: str) -> str:
    return f"https://www.deezer.com/playlist/{playlist}"


@pytest.fixture
def fake() -> SharedDeezer:
    return SharedDeezer()


def taste_world(tmp_path: Path, fake: SharedDeezer):
    def build(settings, web, cache) -> Pipeline:
        return Pipeline(sources={"deezer": fake}, providers=[fake], cache=cache)

    return world(tmp_path, pipeline_factory=build)


async def taste(w, sub: str, user=None, **options):
    return await (user or w.owner).slash(w.channel, f"taste {sub}", **options)


async def share_all(w) -> None:
    for member, playlist in ((w.owner, ROCK_1), (w.stranger, ROCK_2), (w.moderator, RAP)):
        shared = await taste(w, "share", member, link=link(playlist))
        assert shared.ephemeral
        assert shared.response.content.startswith(f"Shared **{NAMES[playlist]}** (120 tracks)")


def score_of(description: str, a: str, b: str) -> int:
    """The score on the line naming both ``a`` and ``b``."""
    for line in description.splitlines():
        if a in line and b in line:
            return int(line.split("**")[1])
    raise AssertionError(f"no line with {a} and {b} in {description!r}")


async def test_the_map_shows_every_shared_playlist_and_scores_pairs_as_a_listener_would(
    tmp_path: Path, fake: SharedDeezer
) -> None:
    async with taste_world(tmp_path, fake) as w:
        await share_all(w)
        result = await taste(w, "map")
        assert not result.ephemeral
        embed = result.response.embeds[0]
        assert embed.title == "Sounds of Listening Club"
        assert embed.image.url == "attachment://taste_map.png"
        files = w.files(result.response)
        assert files["taste_map.png"].startswith(b"\x89PNG")
        rock_pair = score_of(embed.description, "Rock Nights", "Guitar Heroes")
        assert rock_pair > score_of(embed.description, "Rock Nights", "Trap ★ House")
        assert rock_pair > score_of(embed.description, "Guitar Heroes", "Trap ★ House")
        assert "alice · Rock Nights" in embed.description
        assert embed.footer.text == "360 of 360 tracks on the map"
        fetched = fake.fetches
        again = await taste(w, "map")  # from the cache: the source is not asked again
        assert fake.fetches == fetched
        assert again.response.embeds[0].description == embed.description


async def test_compare_and_the_menu_give_score_meeting_points_and_an_exportable_bridge(
    tmp_path: Path, fake: SharedDeezer
) -> None:
    async with taste_world(tmp_path, fake) as w:
        await share_all(w)
        result = await taste(w, "compare", member=w.stranger)
        embed = result.response.embeds[0]
        assert embed.title == "alice · Rock Nights × bob · Guitar Heroes"
        fields = {f.name: f.value for f in embed.fields}
        assert "Where they meet (share of each)" in fields
        assert fields["Bridge playlist (20 tracks, each side's closest to the other)"]
        menu = await w.owner.context_menu(w.channel, "Compare taste", w.moderator)
        assert menu.response.embeds[0].title == "alice · Rock Nights × mod · Trap ★ House"
        assert "Overlap in sound: **" in menu.response.embeds[0].description
        home = await w.click(w.stranger, result, "Take home")
        assert home.ephemeral
        files = w.files(home.response)
        stem = "bridge-alice-rock-nights-bob-guitar-heroes"
        assert sorted(files) == [f"{stem}.csv", f"{stem}.m3u8", f"{stem}.xspf"]
        rows = list(csv.reader(io.StringIO(files[f"{stem}.csv"].decode())))
        assert len(rows) == 21  # the header and the 20 bridge tracks


async def test_neighbours_rank_the_closest_member_first(tmp_path: Path, fake: SharedDeezer) -> None:
    async with taste_world(tmp_path, fake) as w:
        await share_all(w)
        result = await taste(w, "neighbours")
        assert result.ephemeral
        lines = result.response.embeds[0].description.splitlines()
        assert len(lines) == 2
        assert "bob · Guitar Heroes" in lines[0] and "mod · Trap ★ House" in lines[1]


async def test_unsharing_removes_a_member_from_maps_scores_and_bridges(
    tmp_path: Path, fake: SharedDeezer
) -> None:
    async with taste_world(tmp_path, fake) as w:
        await share_all(w)
        compared = await taste(w, "compare", member=w.stranger)
        gone = await taste(w, "unshare", w.stranger)
        assert gone.ephemeral and gone.response.content.startswith("Your playlist is off")
        again = await taste(w, "unshare", w.stranger)
        assert again.response.content == "You have no playlist shared in this server."
        mapped = await taste(w, "map")
        assert "Guitar Heroes" not in mapped.response.embeds[0].description
        assert "bob" not in mapped.response.embeds[0].description
        ranked = await taste(w, "neighbours")
        assert "bob" not in ranked.response.embeds[0].description
        refused = await taste(w, "compare", member=w.stranger)
        assert refused.ephemeral
        assert refused.response.content.startswith("bob has not shared a playlist")
        bridge = await w.click(w.owner, compared, "Take home")
        assert bridge.ephemeral
        assert bridge.response.content == (
            "This bridge playlist is gone: one of the two members unshared."
        )
        async with w.bot.storage.read() as conn:
            rows = await conn.fetchall("SELECT user_a, user_b FROM taste_derived")
        assert all(w.stranger.id not in row for row in rows)


async def test_mistakes_are_answered_privately(tmp_path: Path, fake: SharedDeezer) -> None:
    async with taste_world(tmp_path, fake) as w:
        alone = await taste(w, "map")
        assert alone.ephemeral and alone.response.content.startswith(
            "A taste map needs at least two"
        )
        unshared = await taste(w, "compare", member=w.stranger)
        assert unshared.ephemeral
        assert unshared.response.content.startswith("Share a playlist first")
        bad = await taste(w, "share", link="https://example.com/not-a-playlist")
        assert bad.ephemeral


async def test_member_names_never_mention_anyone(tmp_path: Path, fake: SharedDeezer) -> None:
    async with taste_world(tmp_path, fake) as w:
        loud = w.guild.add_member(w.env.create_user("@everyone **bold** <@1>"))
        await taste(w, "share", w.owner, link=link(ROCK_1))
        await taste(w, "share", loud, link=link(RAP))
        result = await taste(w, "map")
        text = result.response.embeds[0].description
        assert "@everyone" not in text and "<@1>" not in text
        assert "\\*\\*bold\\*\\*" in text


async def test_the_weekly_taste_post_shows_the_map_and_what_changed(
    tmp_path: Path, fake: SharedDeezer
) -> None:
    from datetime import UTC, datetime, timedelta

    def friday(week: int) -> datetime:
        return datetime(2026, 1, 2, 18, 1, tzinfo=UTC) + timedelta(weeks=week)

    async with world(
        tmp_path,
        pipeline_factory=lambda s, web, cache: Pipeline(
            sources={"deezer": fake}, providers=[fake], cache=cache
        ),
        schedule_check_seconds=7 * 86400,
    ) as w:
        await share_all(w)
        # how each shared playlist is read: a weekly post waits for every lookup (no
        # Deezer budget: nobody waits on it), a member's map answers within the budgets
        complete: list[bool] = []
        read = w.bot.taste.line.ref

        async def ref(playlist, options, *args, **kwargs):
            complete.append(options.complete)
            return await read(playlist, options, *args, **kwargs)

        w.bot.taste.line.ref = ref
        added = await w.schedule(
            "add", channel=w.channel, weekday=4, time="18:00", timezone="UTC", kind="taste"
        )
        assert added.response.content.startswith("Weekly post #1 added: Fridays at 18:00 (UTC)")
        await w.advance_to(friday(0))
        [first] = w.posts()
        assert complete == [True, True, True]
        await taste(w, "map")
        assert complete == [True, True, True, False, False, False]
        assert first.content.startswith("📅 **Weekly taste map #1** · The first taste map")
        assert first.embeds[0].title == "Sounds of Listening Club this week"
        assert [a.filename for a in first.attachments] == ["taste_map.png"]
        assert "Guitar Heroes" in first.embeds[0].description
        await taste(w, "unshare", w.stranger)
        await w.advance_to(friday(1))
        second = w.posts()[-1]
        assert second.id != first.id
        assert second.content.startswith("📅 **Weekly taste map #1** · This week:")
        assert "bob" not in second.content and "Guitar Heroes" not in second.embeds[0].description
        week, kept = await w.bot.storage.taste.last_week(w.guild.id)
        assert week == "2026-W02" and list(kept) == [tuple(sorted((w.owner.id, w.moderator.id)))]


async def test_save_puts_exactly_the_bridge_tracks_in_the_members_spotify(
    tmp_path: Path, fake: SharedDeezer, fake_accounts
) -> None:
    from tests.cogs.test_spotify_account_flows import on, private_text, sign_in

    fake.with_spotify_ids = True
    async with world(
        tmp_path,
        pipeline_factory=lambda s, web, cache: Pipeline(
            sources={"deezer": fake}, providers=[fake], cache=cache
        ),
        **on(fake_accounts),
    ) as w:
        user = fake_accounts.add_user("alice-sp", "Alice アリス")
        await sign_in(w, w.owner)
        await share_all(w)
        compared = await taste(w, "compare", member=w.stranger)
        saved = await w.click(w.owner, compared, "Save to Spotify")
        text = private_text(saved)
        assert "private playlist: https://open.spotify.com/playlist/" in text
        (created,) = fake_accounts.created.values()
        assert created["owner"] == user.id and created["public"] is False
        assert created["name"] == "Bridge · alice · Rock Nights × bob · Guitar Heroes"
        async with w.bot.storage.read() as conn:
            (row,) = await conn.fetchall("SELECT id FROM taste_derived WHERE kind = 'bridge'")
        bridge = await w.bot.taste.bridge_tracks(int(row[0]))
        assert bridge and len(bridge) == 20
        assert created["uris"] == [f"spotify:track:{t.spotify_id}" for t in bridge]
        assert f"({len(bridge)} tracks)" in text

        # a member without a connected Spotify is told to connect first, privately
        refused = await w.click(w.stranger, compared, "Save to Spotify")
        assert "/spotify connect" in private_text(refused)
        assert len(fake_accounts.created) == 1
