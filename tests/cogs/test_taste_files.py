"""`/taste share file:` (cogs/taste.py) in SimCord: a CSV export shared with the server.

The file is read like `/clusters file:` (same size and row limits, same reader); its
playlist, tracks with their features, is kept in the cache under the file's digest and
never evicted nor cleared while shared, since nothing could read it again.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.pipeline.runner import Pipeline
from tests.cogs.test_taste_flows import ROCK_1, SharedDeezer, link, taste
from tests.harness import playlist_csv, world


@pytest.fixture
def fake() -> SharedDeezer:
    return SharedDeezer()


def taste_world(tmp_path: Path, fake: SharedDeezer, **settings):
    def build(settings, web, cache) -> Pipeline:
        return Pipeline(sources={"deezer": fake}, providers=[fake], cache=cache)

    return world(tmp_path, pipeline_factory=build, **settings)


async def kept_files(w) -> list[str]:
    async with w.bot.storage.read() as conn:
        rows = await conn.fetchall("SELECT id FROM playlists WHERE source = 'csv'")
    return [str(row[0]) for row in rows]


async def test_a_shared_file_is_on_every_later_map_even_after_cache_clear(
    tmp_path: Path, fake: SharedDeezer
) -> None:
    async with taste_world(tmp_path, fake) as w:
        data = playlist_csv(groups=2, per_group=30)
        shared = await taste(w, "share", w.stranger, file=("Late_Night.csv", data))
        assert shared.ephemeral
        assert shared.response.content.startswith("Shared **Late Night** (60 tracks)")
        await taste(w, "share", w.owner, link=link(ROCK_1))
        first = (await taste(w, "map")).response.embeds[0]
        assert "bob · Late Night" in first.description
        assert first.footer.text == "180 of 180 tracks on the map"
        [digest] = await kept_files(w)
        share = await w.bot.storage.taste.get(w.guild.id, w.stranger.id)
        assert share is not None and (share.ref_source, share.ref_id) == ("csv", digest)

        await w.bot.storage.cache.clear()  # `playlist-clusters cache clear`
        await w.bot.storage.cache.evict(0)  # a bound nothing can meet
        fetched = fake.fetches
        again = (await taste(w, "map")).response.embeds[0]
        assert again.description == first.description
        assert again.footer.text == first.footer.text
        assert fake.fetches == fetched  # the shared link was kept too: not fetched again
        compared = await taste(w, "compare", member=w.stranger)
        assert compared.response.embeds[0].title == "alice · Rock Nights × bob · Late Night"

        await taste(w, "unshare", w.stranger)
        assert await kept_files(w) == []  # the file's kept copy goes with the share
        refused = await taste(w, "map")
        assert refused.ephemeral


async def test_the_same_file_shared_by_two_members_is_kept_until_both_unshare(
    tmp_path: Path, fake: SharedDeezer
) -> None:
    async with taste_world(tmp_path, fake) as w:
        data = playlist_csv()
        await taste(w, "share", w.owner, file=("mine.csv", data))
        await taste(w, "share", w.stranger, file=("mine too.csv", data))
        assert len(await kept_files(w)) == 1
        await taste(w, "unshare", w.owner)
        assert len(await kept_files(w)) == 1
        mapped = await taste(w, "map", file=("extra.csv", playlist_csv(groups=3)))
        assert "bob · mine too" in mapped.response.embeds[0].description
        await taste(w, "unshare", w.stranger)
        assert await kept_files(w) == []


HOSTILE_FILES = [
    ("empty", "x.csv", b"", "The file is empty."),
    ("binary", "x.csv", b"\x00\x01\x02 binary", "The file is binary, not a CSV text file."),
    ("header-only", "x.csv", b"Track Name,Artist Name(s)\n", "The file has no usable track rows."),
    (
        "not-utf8",
        "x.csv",
        "Track Name\nCaf\xe9\n".encode("latin-1") * 3,
        "The file is not UTF-8 text (bad byte at position 14); export or save it as UTF-8 CSV.",
    ),
    (
        "too-many-rows",
        "x.csv",
        playlist_csv(groups=2, per_group=40),
        "The file has more than 60 tracks; the limit is 60.",
    ),
    (
        "too-big",
        "x.csv",
        playlist_csv(groups=2, per_group=200),
        "The file is 0.1 MB; the limit is 0.02 MB.",
    ),
]


@pytest.mark.parametrize(
    ("name", "data", "answer"),
    [(case[1], case[2], case[3]) for case in HOSTILE_FILES],
    ids=[case[0] for case in HOSTILE_FILES],
)
async def test_a_hostile_file_is_answered_privately_and_nothing_is_shared(
    tmp_path: Path, fake: SharedDeezer, name: str, data: bytes, answer: str
) -> None:
    async with taste_world(tmp_path, fake, csv_max_rows=60, csv_max_bytes=20_000) as w:
        result = await taste(w, "share", file=(name, data))
        assert result.ephemeral
        assert result.response.content == answer
        assert await w.bot.storage.taste.list_for_guild(w.guild.id) == []
        assert await kept_files(w) == []
        assert w.channel.history() == []


@pytest.mark.parametrize(
    "options",
    [{}, {"link": "   "}, {"link": link(ROCK_1), "file": ("x.csv", playlist_csv())}],
    ids=["nothing", "blank-link", "link-and-file"],
)
async def test_one_playlist_exactly_is_shared(
    tmp_path: Path, fake: SharedDeezer, options: dict
) -> None:
    async with taste_world(tmp_path, fake) as w:
        result = await taste(w, "share", **options)
        assert result.ephemeral
        assert result.response.content == (
            "Give one playlist to share: a playlist link, or a CSV export as file."
        )
        assert await w.bot.storage.taste.list_for_guild(w.guild.id) == []


async def test_a_loud_file_name_mentions_nobody(tmp_path: Path, fake: SharedDeezer) -> None:
    async with taste_world(tmp_path, fake) as w:
        loud = "@everyone **bold** <@1> ٩(◕‿◕)۶.csv"
        result = await taste(w, "share", file=(loud, playlist_csv()))
        text = result.response.content
        assert "@everyone" not in text and "<@1>" not in text
        assert "\\*\\*bold\\*\\*" in text
