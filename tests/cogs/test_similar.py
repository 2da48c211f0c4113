"""`/similar track [link] [private]` (cogs/similar.py) in a simulated Discord (SimCord):
the channel's latest analysis, or the latest of a linked playlist, from the cache only."""

from __future__ import annotations

from pathlib import Path

from tests.harness import playlist_csv, world


async def test_a_track_of_the_channels_latest_analysis_by_id_or_title(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        await w.clusters(csv_bytes=playlist_csv(), clusters=2)
        offered = await w.autocomplete("similar", "track", "song 03", user=w.stranger)
        assert offered[:2] == ["0000000000000000000030", "0000000000000000000031"]
        await w.restart()  # the cache, not memory, answers
        by_command = await w.similar(w.stranger, track="0000000000000000000030")
        assert not by_command.ephemeral
        titled = by_command.response.embeds[0]
        assert titled.title == "Tracks like Song 030 — Artist 1"
        assert all("Artist 1" in line for line in titled.description.splitlines())
        typed = await w.similar(w.stranger, track="song 031", private=True)
        assert typed.ephemeral
        assert typed.response.embeds[0].title == "Tracks like Song 031 — Artist 1"
        missing = await w.similar(w.stranger, track="no such song")
        assert missing.ephemeral
        assert missing.response.content.startswith("No track matching “no such song” in Road Trip")


async def test_a_link_finds_that_playlists_latest_analysis_in_any_channel(
    tmp_path: Path, fake_deezer
) -> None:
    fake_deezer.generated(4242, 30, name="Night Drive")
    async with world(tmp_path, deezer_api_base=fake_deezer.api_base) as w:
        link = "https://www.deezer.com/playlist/4242"
        await w.clusters(link=link, clusters=2)
        other = w.text_channel("elsewhere")
        empty_here = await w.similar(track="anything", channel=other)
        assert empty_here.response.content.startswith("There is no analysis in this channel")
        asked = fake_deezer.count("playlist")
        offered = await w.autocomplete("similar", "track", "", user=w.stranger)
        assert offered  # the channel's analysis (the Deezer playlist) is offered
        found = await w.similar(w.stranger, other, track=offered[0], link=link)
        assert found.response.embeds[0].title.startswith("Tracks like ")
        assert fake_deezer.count("playlist") == asked  # from the cache: Deezer not asked


async def test_without_any_analysis_it_says_what_to_do(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        result = await w.similar(track="anything")
        assert result.ephemeral
        assert result.response.content == (
            "There is no analysis in this channel yet: run /clusters first, "
            "or give a playlist link."
        )
        linked = await w.similar(track="x", link="https://www.deezer.com/playlist/123")
        assert linked.response.content == (
            "I have no analysis of that playlist yet: run /clusters with it first."
        )
