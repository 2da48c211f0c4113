"""The bot end to end in a simulated Discord (SimCord, through tests/harness.py)."""

from __future__ import annotations

from pathlib import Path

from bot.pipeline.runner import Pipeline
from bot.sources.csvfile import parse_playlist_csv
from tests.harness import playlist_csv, world
from tests.pages_seen import is_layout, seen


async def test_clusters_from_a_csv_answers_with_the_picture_and_the_first_page(
    tmp_path: Path,
) -> None:
    async with world(tmp_path) as w:
        result = await w.clusters(csv_bytes=playlist_csv(), clusters=2)
        assert result.acknowledged and not result.ephemeral
        answer = result.response
        assert answer is not None
        assert [a.filename for a in answer.attachments] == ["clusters.png"]
        page = w.page(answer)
        assert page.title.startswith("Cluster #1 · ") and page.title.endswith(" · 25 tracks")
        assert page.footer.startswith("Page 1/5 · Cluster 1/2 · Road Trip · ")
        # one section per track, its album art as the thumbnail; the map in the gallery
        assert len(page.tracks) == page.sections == 5
        assert page.thumbnails == [f"https://img.example/{n}.jpg" for n in range(5)]
        assert page.gallery and page.gallery[0].endswith("clusters.png")
        assert is_layout(answer.message) and answer.content == "" and not answer.embeds
        assert page.top.startswith("**Clusters in Road Trip**")
        message = w.message(answer.id)
        assert list(w.reactions(answer.id)) == ["⏪", "⏮", "◀", "▶", "⏭", "⏩"]
        buttons = [w.component(message, cid) for cid in seen(message).custom_ids]
        buttons = [b for b in buttons if b.custom_id.startswith("pc:pg:")]
        assert [b.label for b in buttons] == ["⏮", "◀", "▶", "⏭", "⏪ Cluster", "Cluster ⏩"]
        assert [b.custom_id for b in buttons] == [
            "pc:pg:0:0:0:f",
            "pc:pg:0:0:0:p",
            "pc:pg:0:0:0:n",
            "pc:pg:0:0:0:l",
            "pc:pg:0:0:0:P",
            "pc:pg:0:0:0:N",
        ]
        assert [b.disabled for b in buttons] == [True, True, False, False, True, False]


def footer(message) -> str:
    return seen(message).footer


async def test_progress_is_shown_while_working(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        result = await w.clusters(csv_bytes=playlist_csv(), clusters=2)
        edits = [
            r.json.get("content")
            for r in w.requests("PATCH", "/messages/@original")
            if r.json and r.json.get("content")
        ]
        assert edits[0] == "Starting…"
        assert "Reading the file…" in edits
        assert "Clustering 0/1 ▱▱▱▱▱▱▱▱▱▱" in edits
        assert result.response is not None and w.page(result).tracks


async def test_each_reaction_turns_the_right_page(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        answer = (await w.clusters(csv_bytes=playlist_csv(), clusters=2)).response
        mid = answer.id
        steps = [
            ("▶", "Page 2/5 · Cluster 1/2"),
            ("⏭", "Page 5/5 · Cluster 1/2"),
            ("◀", "Page 4/5 · Cluster 1/2"),
            ("⏮", "Page 1/5 · Cluster 1/2"),
            ("⏩", "Page 1/5 · Cluster 2/2"),
            ("▶", "Page 2/5 · Cluster 2/2"),
            ("⏪", "Page 1/5 · Cluster 1/2"),
        ]
        for emoji, expected in steps:
            await w.react(w.owner, mid, emoji)
            assert footer(w.message(mid)).startswith(expected), emoji
            # with Manage Messages the bot takes the arrow back, so it can be pressed again
            assert w.reactions(mid)[emoji] == 1
        assert seen(w.message(mid)).tracks[0].startswith("1. [")


async def test_without_manage_messages_adding_and_removing_both_turn(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        quiet = w.quiet_channel()
        answer = (await w.clusters(csv_bytes=playlist_csv(), clusters=2, channel=quiet)).response
        mid = answer.id
        await w.react(w.owner, mid, "▶", quiet)
        assert footer(w.message(mid, quiet)).startswith("Page 2/5")
        assert w.reactions(mid, quiet)["▶"] == 2  # the bot cannot remove it
        await w.unreact(w.owner, mid, "▶", quiet)
        assert footer(w.message(mid, quiet)).startswith("Page 3/5")
        await w.react(w.stranger, mid, "⏮", quiet)  # strangers are ignored
        assert footer(w.message(mid, quiet)).startswith("Page 3/5")


async def test_a_strangers_reaction_is_ignored_and_removed(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        mid = (await w.clusters(csv_bytes=playlist_csv(), clusters=2)).response.id
        await w.react(w.stranger, mid, "▶")
        assert footer(w.message(mid)).startswith("Page 1/5")
        assert w.reactions(mid)["▶"] == 1  # only the bot's own
        await w.react(w.moderator, mid, "▶")  # a moderator may turn it
        assert footer(w.message(mid)).startswith("Page 2/5")


async def test_each_button_turns_the_right_page(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        mid = (await w.clusters(csv_bytes=playlist_csv(), clusters=2)).response.id
        steps = [
            ("▶", "Page 2/5 · Cluster 1/2"),
            ("⏭", "Page 5/5 · Cluster 1/2"),
            ("◀", "Page 4/5 · Cluster 1/2"),
            ("⏮", "Page 1/5 · Cluster 1/2"),
            ("Cluster ⏩", "Page 1/5 · Cluster 2/2"),
            ("⏪ Cluster", "Page 1/5 · Cluster 1/2"),
        ]
        for label, expected in steps:
            result = await w.click(w.owner, mid, label)
            assert not result.ephemeral
            assert footer(w.message(mid)).startswith(expected), label


async def test_a_stranger_pressing_a_button_gets_a_private_pager(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        mid = (await w.clusters(csv_bytes=playlist_csv(), clusters=2)).response.id
        mine = await w.click(w.stranger, mid, "▶")
        assert mine.ephemeral
        assert footer(mine.response).startswith("Page 2/5 · Cluster 1/2")
        ids = seen(mine.response).custom_ids
        # the private pager names the shared message, and the clustering it shows (k=2)
        assert ids[2] == f"pc:pg:{mid}:0:1:n:2.a.a"
        assert all(len(i) <= 100 for i in ids)
        assert footer(w.message(mid)).startswith("Page 1/5")  # the shared one did not move
        again = await w.click(w.stranger, mine, "▶")
        assert footer(again.response).startswith("Page 3/5 · Cluster 1/2")
        assert footer(w.message(mid)).startswith("Page 1/5")


async def test_paging_keeps_working_after_a_restart(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        mid = (await w.clusters(csv_bytes=playlist_csv(), clusters=2)).response.id
        await w.react(w.owner, mid, "▶")
        await w.restart()
        await w.react(w.owner, mid, "▶")
        assert footer(w.message(mid)).startswith("Page 3/5")
        await w.click(w.owner, mid, "Cluster ⏩")
        assert footer(w.message(mid)).startswith("Page 1/5 · Cluster 2/2")
        mine = await w.click(w.stranger, mid, "⏭")
        assert footer(mine.response).startswith("Page 5/5 · Cluster 2/2")


async def test_the_same_file_again_answers_from_the_cache(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        data = playlist_csv()
        await w.clusters(csv_bytes=data, clusters=2)
        await w.restart()
        second = await w.clusters(csv_bytes=data, clusters=2)
        assert "from the cache" in w.page(second).top
        progress = [
            r.json.get("content")
            for r in w.requests("PATCH", "/messages/@original")
            if r.json and r.json.get("content")
        ]
        assert "Clustering 0/1 ▱▱▱▱▱▱▱▱▱▱" in progress  # the first run clustered
        assert progress.count("Clustering 0/1 ▱▱▱▱▱▱▱▱▱▱") == 1  # the second did not


async def test_private_answers_are_ephemeral_and_page_with_buttons(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        result = await w.clusters(csv_bytes=playlist_csv(), clusters=2, private=True)
        assert result.ephemeral
        turned = await w.click(w.owner, result, "▶")
        assert footer(turned.response).startswith("Page 2/5")


async def test_an_answer_after_the_token_deadline_arrives_as_a_channel_message(
    tmp_path: Path,
) -> None:
    async with world(tmp_path, interaction_answer_seconds=0) as w:
        result = await w.clusters(csv_bytes=playlist_csv(), clusters=2)
        assert result.response.content == (
            "Done: the answer took a while, so it is in a new message."
        )
        posted = w.channel.last_message
        assert posted.id != result.response.id
        assert seen(posted).top.startswith(f"<@{w.owner.id}>, your analysis is ready.")
        assert [a.filename for a in posted.attachments] == ["clusters.png"]
        assert footer(posted).startswith("Page 1/5 · Cluster 1/2")
        await w.react(w.owner, posted.id, "▶")
        assert footer(w.message(posted.id)).startswith("Page 2/5")


class CountingDeezer:
    """An in-process stand-in for the Deezer source and a feature provider, counting calls.

    (SimCord virtualises the event loop's timers, which stalls real sockets inside the
    bot; the real Deezer client against the fake Deezer server runs in
    test_bot_loopback.py instead.)
    """

    name = "counting"
    family = "provider"

    def __init__(self, data: bytes, snapshot: str = "v1") -> None:
        self.data = data
        self.snapshot_value = snapshot
        self.calls: list[str] = []

    async def fetch(self, ref, progress):
        self.calls.append("fetch")
        progress("Fetching tracks", 25, 50)
        playlist = parse_playlist_csv(self.data, name="เพลย์ลิสต์ *ทดสอบ* @everyone", ref_id=ref.id)
        playlist.ref = ref
        playlist.snapshot = self.snapshot_value
        return playlist

    async def snapshot(self, ref) -> str:
        self.calls.append("snapshot")
        return self.snapshot_value

    async def enrich(self, tracks, progress) -> int:
        self.calls.append("enrich")
        return 0


def counting_pipeline(fake: CountingDeezer):
    def factory(settings, web, cache) -> Pipeline:
        return Pipeline(
            sources={"deezer": fake},
            providers=[fake],
            cache=cache,
            freshness_seconds=settings.freshness_seconds,
        )

    return factory


async def test_a_link_is_fetched_once_then_answered_from_the_cache(tmp_path: Path) -> None:
    fake = CountingDeezer(playlist_csv())
    async with world(tmp_path, pipeline_factory=counting_pipeline(fake), freshness_seconds=0) as w:
        link = "https://www.deezer.com/en/playlist/777"
        first = await w.clusters(link=link, clusters=2)
        shown = w.page(first)
        assert shown.footer.startswith("Page 1/5 · Cluster 1/2")
        assert "@everyone" not in shown.top
        assert "เพลย์ลิสต์ \\*ทดสอบ\\*" in shown.top
        progress = [r.json.get("content") for r in w.requests("PATCH", "/messages/@original")]
        assert "Fetching tracks 25/50 ▰▰▰▰▰▱▱▱▱▱" in progress
        assert fake.calls == ["fetch", "enrich"]

        await w.restart()
        second = await w.clusters(w.stranger, link=link, clusters=2)
        assert "from the cache" in w.page(second).top
        assert w.page(second).title == shown.title
        # the cache is older than FRESHNESS_SECONDS=0: one cheap snapshot check, nothing else
        assert fake.calls == ["fetch", "enrich", "snapshot"]

        fake.snapshot_value = "v2"  # the playlist changed: fetched and analysed again
        third = await w.clusters(w.moderator, link=link, clusters=2)
        assert "from the cache" not in w.page(third).top
        assert fake.calls[3:] == ["snapshot", "fetch", "enrich"]


async def test_a_fresh_cached_link_answers_without_any_request(tmp_path: Path) -> None:
    fake = CountingDeezer(playlist_csv())
    async with world(tmp_path, pipeline_factory=counting_pipeline(fake)) as w:
        link = "https://www.deezer.com/playlist/778"
        await w.clusters(link=link, clusters=2)
        again = await w.clusters(link=link, clusters=2)
        assert "from the cache" in w.page(again).top
        assert fake.calls == ["fetch", "enrich"]


async def test_a_button_on_an_analysis_gone_from_the_cache_says_so_privately(
    tmp_path: Path,
) -> None:
    async with world(tmp_path) as w:
        mid = (await w.clusters(csv_bytes=playlist_csv(), clusters=2)).response.id
        await w.restart()  # the new process has nothing in memory
        await w.bot.storage.messages.save(
            (await w.bot.storage.messages.get(mid)).__class__(
                message_id=mid,
                channel_id=w.channel.id,
                guild_id=w.guild.id,
                analysis_key="0" * 32,
                owner_id=w.owner.id,
                cluster=0,
                page=0,
            )
        )
        result = await w.click(w.owner, mid, "▶")
        assert result.ephemeral
        assert result.response.content == (
            "This analysis is no longer cached; run /clusters again to page through it."
        )
        assert footer(w.message(mid)).startswith("Page 1/5")
