"""💚 by consent in SimCord: a CSV's "Liked" column is its uploader's 💚; it shows on
the shared answer only after they said yes, and always in their own private answer."""

from __future__ import annotations

from pathlib import Path

from tests.harness import playlist_csv, world


def hearts(texts: list[str]) -> int:
    return sum(text.count("💚") for text in texts)


async def test_a_members_hearts_stay_private_until_they_say_yes(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        data = playlist_csv()  # every third track is liked, the first among them
        shared = (await w.clusters(csv_bytes=data, clusters=2)).response
        assert hearts(w.page(shared).tracks) == 0
        private = await w.clusters(csv_bytes=data, clusters=2, private=True)
        assert hearts(w.page(private).tracks) == 2  # tracks 1 and 4 of the first page

        said = await w.owner.slash(w.channel, "hearts", show=True)
        assert said.ephemeral and "now show on shared answers" in said.response.content
        await w.restart()  # the answer is stored
        await w.react(w.owner, shared.id, "▶")
        await w.react(w.owner, shared.id, "◀")
        assert hearts(w.page(w.message(shared.id)).tracks) == 2
        # a stranger's private copy shows none of hers
        copy = await w.click(w.stranger, shared.id, "▶")
        assert copy.ephemeral and hearts(w.page(copy).tracks) == 0

        await w.owner.slash(w.channel, "hearts", show=False)
        await w.click(w.owner, shared.id, "▶")
        assert hearts(w.page(w.message(shared.id)).tracks) == 0
        assert await w.bot.storage.members.shows_liked(w.owner.id) is False
