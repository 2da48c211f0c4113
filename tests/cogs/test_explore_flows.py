"""Exploring an answer in a simulated Discord (SimCord, through tests/harness.py):
choose the map, more or fewer clusters, tracks like this one, take a cluster home,
what sets a cluster apart; strangers' private copies; restarts."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from bot.discord_ui.explore import COPY_NOTE
from bot.model import AnalysisOptions, analysis_key
from bot.sources.csvfile import parse_playlist_csv
from tests.harness import playlist_csv, world
from tests.pages_seen import seen

PNG = b"\x89PNG\r\n\x1a\n"


def footer(message) -> str:
    return seen(message).footer


def default_label(message, w, prefix: str) -> str:
    select = w.component(message, prefix)
    return next(o.label for o in select.options if o.default)


def custom_ids(response) -> list[str]:
    return seen(response).custom_ids


async def test_choosing_the_axes_redraws_the_picture_and_survives_a_restart(
    tmp_path: Path,
) -> None:
    async with world(tmp_path) as w:
        mid = (await w.clusters(csv_bytes=playlist_csv(), clusters=2)).response.id
        before = w.files(mid)["clusters.png"]
        assert default_label(mid, w, "pc:ax:x:") == "X axis: automatic projection"
        labels = [o.label for o in w.component(mid, "pc:ax:y:").options]
        assert labels == [
            "Y axis: automatic projection",
            "Y axis: danceability",
            "Y axis: energy",
            "Y axis: acousticness",
            "Y axis: tempo (BPM)",
            "Y axis: loudness (dB)",
        ]

        result = await w.choose(w.owner, mid, "pc:ax:x:", "X axis: tempo (BPM)")
        assert not result.ephemeral
        after = w.files(mid)
        assert list(after) == ["clusters.png"]
        assert after["clusters.png"].startswith(PNG) and after["clusters.png"] != before
        assert default_label(mid, w, "pc:ax:x:") == "X axis: tempo (BPM)"
        state = await w.bot.storage.messages.get(mid)
        assert (state.map_x, state.map_y) == ("tempo", "")

        await w.restart()
        await w.choose(w.owner, mid, "pc:ax:y:", "Y axis: energy")
        state = await w.bot.storage.messages.get(mid)
        assert (state.map_x, state.map_y) == ("tempo", "energy")
        tempo_energy = w.files(mid)["clusters.png"]
        assert tempo_energy not in (before, after["clusters.png"])
        # turning the page keeps the chosen map in the menus
        await w.react(w.owner, mid, "▶")
        assert footer(w.message(mid)).startswith("Page 2/5")
        assert default_label(mid, w, "pc:ax:x:") == "X axis: tempo (BPM)"
        assert default_label(mid, w, "pc:ax:y:") == "Y axis: energy"
        # back to the automatic projection: the stored picture again
        await w.choose(w.owner, mid, "pc:ax:x:", "X axis: automatic projection")
        await w.choose(w.owner, mid, "pc:ax:y:", "Y axis: automatic projection")
        assert w.files(mid)["clusters.png"] == before


async def test_more_and_fewer_clusters_republish_and_are_cached_like_the_command(
    tmp_path: Path,
) -> None:
    async with world(tmp_path) as w:
        data = playlist_csv()
        mid = (await w.clusters(csv_bytes=data, clusters=2)).response.id
        before = w.files(mid)["clusters.png"]
        assert w.component(mid, "pc:kc:m:").disabled  # 2 is K_MIN
        await w.click(w.owner, mid, "▶")
        await w.click(w.owner, mid, "➕ More clusters")
        message = w.message(mid)
        assert "in 3 clusters" in seen(message).top
        assert footer(message).startswith("Page 1/")
        assert " · Cluster 1/3 · " in footer(message)
        assert w.files(mid)["clusters.png"] != before
        assert not w.component(mid, "pc:kc:m:").disabled
        playlist = parse_playlist_csv(data, name="Road Trip", ref_id="Road Trip")
        state = await w.bot.storage.messages.get(mid)
        assert state.analysis_key == analysis_key(playlist, AnalysisOptions(k=3))
        assert (state.cluster, state.page) == (0, 0)

        await w.restart()
        again = await w.clusters(w.stranger, csv_bytes=data, clusters=3)
        assert "from the cache" in seen(again.response).top
        await w.click(w.owner, mid, "➖ Fewer clusters")
        assert " · Cluster 1/2 · " in footer(w.message(mid))
        assert w.component(mid, "pc:kc:m:").disabled  # back at K_MIN
        # a moderator may change the shared message too
        await w.click(w.moderator, mid, "➕ More clusters")
        assert " · Cluster 1/3 · " in footer(w.message(mid))


async def test_strangers_get_private_copies_that_keep_their_map_and_count(
    tmp_path: Path,
) -> None:
    async with world(tmp_path) as w:
        mid = (await w.clusters(csv_bytes=playlist_csv(), clusters=2)).response.id
        shared_png = w.files(mid)["clusters.png"]
        mine = await w.choose(w.stranger, mid, "pc:ax:x:", "X axis: tempo (BPM)")
        assert mine.ephemeral
        assert seen(mine.response).top.startswith(COPY_NOTE + "\n### Cluster #1")
        assert [a.filename for a in mine.response.attachments] == ["clusters.png"]
        ids = custom_ids(mine.response)
        assert f"pc:pg:{mid}:0:0:n:2.3.a" in ids  # the copy names the shared message + lens
        assert all(len(i) <= 100 for i in ids)
        assert w.files(mid)["clusters.png"] == shared_png  # the shared one did not change
        state = await w.bot.storage.messages.get(mid)
        assert (state.map_x, state.map_y) == ("", "")

        more = await w.click(w.stranger, mine, "➕ More clusters")
        assert " · Cluster 1/3 · " in footer(more.response)
        assert " · Cluster 1/2 · " in footer(w.message(mid))
        await w.restart()
        turned = await w.click(w.stranger, more, "Cluster ⏩")
        assert " · Cluster 2/3 · " in footer(turned.response)
        assert any(i.endswith(":3.3.a") for i in custom_ids(turned.response))


async def test_tracks_like_this_one_from_a_page(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        mid = (await w.clusters(csv_bytes=playlist_csv(), clusters=2)).response.id
        options = [o.label for o in w.component(mid, "pc:sim:").options]
        assert options[0] == "1. Song 000 — Artist 0" and len(options) == 5
        result = await w.choose(w.owner, mid, "pc:sim:", "1. Song 000 — Artist 0")
        answer = result.response
        assert not result.ephemeral  # the invoker shares it
        embed = answer.embeds[0]
        assert embed.title == "Tracks like Song 000 — Artist 0"
        lines = embed.description.splitlines()
        assert len(lines) == 10
        assert all("Artist 0" in line and " · #1 · both " in line for line in lines)
        assert "Song 000" not in embed.description
        assert lines[0].startswith("1. [Song 001](https://open.spotify.com/track/")

        private = await w.choose(w.stranger, mid, "pc:sim:", "3. Song 002 — Artist 0")
        assert private.ephemeral
        assert private.response.embeds[0].title == "Tracks like Song 002 — Artist 0"


async def test_take_a_cluster_home_and_open_it_again(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        prefix = 'Nachtfahrt 夜 & <b>"🚗"</b>'
        mid = (await w.clusters(csv_bytes=playlist_csv(name_prefix=prefix), clusters=2)).response.id
        await w.click(w.owner, mid, "Cluster ⏩")
        result = await w.click(w.owner, mid, "📥 Take home")
        assert not result.ephemeral
        assert result.response.content.startswith("📥 **Cluster #2 · ")
        files = w.files(result.response)
        assert sorted(files) == [
            "road-trip-cluster-2.csv",
            "road-trip-cluster-2.m3u8",
            "road-trip-cluster-2.xspf",
        ]
        back = parse_playlist_csv(files["road-trip-cluster-2.csv"], name="back", ref_id="b")
        assert [t.title for t in back.tracks] == [f"{prefix} {n:03d}" for n in range(25, 50)]
        assert all(t.artists == ("Artist 1",) and t.album == "Album 1" for t in back.tracks)
        assert back.tracks[0].audio["tempo"] == 150.0

        m3u = files["road-trip-cluster-2.m3u8"].decode("utf-8").splitlines()
        assert m3u[0] == "#EXTM3U"
        assert m3u[2] == f"#EXTINF:-1,Artist 1 - {prefix} 025"
        assert m3u[3] == "https://open.spotify.com/track/0000000000000000000025"
        root = ET.fromstring(files["road-trip-cluster-2.xspf"])
        ns = {"x": "http://xspf.org/ns/0/"}
        titles = [e.text for e in root.findall("x:trackList/x:track/x:title", ns)]
        assert titles[0] == f"{prefix} 025" and len(titles) == 25

        # the CSV opens again with /clusters file:
        reopened = await w.clusters(
            w.stranger, csv_bytes=files["road-trip-cluster-2.csv"], filename="cluster.csv"
        )
        assert "25 tracks" in seen(reopened.response).top
        private = await w.click(w.stranger, mid, "📥 Take home")
        assert private.ephemeral and len(private.response.attachments) == 3


async def test_what_sets_a_cluster_apart(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        mid = (await w.clusters(csv_bytes=playlist_csv(), clusters=2)).response.id
        result = await w.click(w.owner, mid, "📊 What sets it apart")
        assert result.response.content.startswith("📊 What sets **cluster #1 · ")
        files = w.files(result.response)
        assert list(files) == ["cluster-1-apart.png"]
        assert files["cluster-1-apart.png"].startswith(PNG)
        await w.restart()
        private = await w.click(w.stranger, mid, "📊 What sets it apart")
        assert private.ephemeral
        assert [a.filename for a in private.response.attachments] == ["cluster-1-apart.png"]


async def test_emoji_titles_fit_the_menus(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        prefix = "🎧" * 60
        mid = (await w.clusters(csv_bytes=playlist_csv(name_prefix=prefix), clusters=2)).response.id
        labels = [o.label for o in w.component(mid, "pc:sim:").options]
        assert len(labels) == 5 and all(
            label.startswith("1") or label[0].isdigit() for label in labels
        )
        assert all(len(label) + sum(ord(c) > 0xFFFF for c in label) <= 100 for label in labels)
        result = await w.choose(w.owner, mid, "pc:sim:", labels[0])
        assert len(result.response.embeds[0].description.splitlines()) == 10
        offered = await w.autocomplete("similar", "track", "🎧", user=w.owner)
        assert len(offered) == 25


async def test_exploring_a_link_asks_no_provider_anything(tmp_path: Path) -> None:
    from tests.cogs.test_clusters_flows import CountingDeezer, counting_pipeline

    fake = CountingDeezer(playlist_csv())
    async with world(tmp_path, pipeline_factory=counting_pipeline(fake), freshness_seconds=0) as w:
        link = "https://www.deezer.com/playlist/779"
        mid = (await w.clusters(link=link, clusters=2)).response.id
        assert fake.calls == ["fetch", "enrich"]
        await w.restart()
        await w.click(w.owner, mid, "➕ More clusters")
        await w.choose(w.owner, mid, "pc:ax:x:", "X axis: energy")
        await w.click(w.stranger, mid, "📊 What sets it apart")
        other = w.text_channel("elsewhere")
        found = await w.similar(w.stranger, other, track="Song 040", link=link)
        assert found.response.embeds[0].title == "Tracks like Song 040 — Artist 1"
        assert fake.calls == ["fetch", "enrich"]  # nothing fetched, enriched or checked
