"""What other features add to cluster pages (bot/discord_ui/extras.py): the extras row,
and whose 💚 a page may show (by consent), with markers and consent lookups that fail."""

from __future__ import annotations

import dataclasses
from typing import Any

import discord
import pytest

from bot.discord_ui.extras import extra_row, unmarked, viewer_page
from bot.render.pages import Position, build_page
from tests.storage.helpers import analyse, synthetic_playlist

OWNER, STRANGER = 1, 2


@pytest.fixture(scope="module")
def analysis():
    analysed = analyse(synthetic_playlist(60), k=3, png=False)
    for cluster in analysed.clusters:
        for i, track in enumerate(cluster.tracks):
            track.liked = i % 2 == 0  # the owner's marks, as a CSV's "Liked" column gives them
    return analysed


def hearts(page: Any) -> int:
    return sum(line.split("\n")[0].endswith(" 💚") for line in page.lines)


def _button(label: str) -> discord.ui.Button[Any]:
    return discord.ui.Button(label=label, custom_id=f"x:{label}")


def test_the_extras_take_one_row_of_at_most_five(analysis) -> None:
    page = build_page(analysis, Position(0, 0))
    seen: list[tuple[int, int]] = []

    def extras(page_: Any, source: int) -> list[discord.ui.Item[Any]]:
        seen.append((page_.cluster, source))
        return [_button(str(i)) for i in range(4)]

    row = extra_row([extras, lambda page, source: [_button("5"), _button("6")]], page, 77)
    assert seen == [(0, 77)]
    assert [item.label for item in row] == ["0", "1", "2", "3", "5"]  # type: ignore[attr-defined]


def test_unmarked_takes_the_hearts_off_the_page_only(analysis) -> None:
    position = Position(0, 0)
    plain = unmarked(analysis, position)
    assert hearts(build_page(plain, position)) == 0
    assert hearts(build_page(analysis, position)) > 0
    assert any(t.liked for t in plain.clusters[1].tracks)  # other clusters untouched
    assert any(t.liked for t in analysis.clusters[0].tracks)  # the cached analysis too


async def _said(answer: bool | None):
    async def consent(member: int) -> bool | None:
        assert member == OWNER
        return answer

    return consent


async def test_whose_hearts_a_page_shows(analysis) -> None:
    position = Position(0, 0)
    stored = hearts(build_page(analysis, position))
    for answer, shared in ((None, 0), (False, 0), (True, stored)):
        consent = await _said(answer)
        page = await viewer_page(
            None, consent, analysis, position, owner=OWNER, viewer=OWNER, private=False
        )
        assert hearts(page) == shared, answer
        own = await viewer_page(
            None, consent, analysis, position, owner=OWNER, viewer=OWNER, private=True
        )
        assert hearts(own) == stored  # what only she sees always shows them
        copy = await viewer_page(
            None, consent, analysis, position, owner=OWNER, viewer=STRANGER, private=True
        )
        assert hearts(copy) == 0  # a stranger's copy never shows hers


async def test_a_viewers_marker_applies_privately_and_a_failing_one_shows_no_marks(
    analysis,
) -> None:
    position = Position(1, 0)

    async def mark(viewer: int, shown: Any, where: Position) -> Any:
        assert (viewer, where) == (STRANGER, position)
        tracks = [dataclasses.replace(t, liked=True) for t in shown.clusters[1].tracks]
        clusters = list(shown.clusters)
        clusters[1] = dataclasses.replace(shown.clusters[1], tracks=tracks)
        return dataclasses.replace(shown, clusters=clusters)

    async def broken(viewer: int, shown: Any, where: Position) -> Any:
        raise RuntimeError("the account store is down")

    async def failing_consent(member: int) -> bool | None:
        raise RuntimeError("the database is down")

    kwargs = {"owner": OWNER, "viewer": STRANGER, "private": True}
    marked = await viewer_page(mark, None, analysis, position, **kwargs)
    assert hearts(marked) == len(marked.lines)
    assert hearts(await viewer_page(broken, None, analysis, position, **kwargs)) == 0
    shared = await viewer_page(
        None, failing_consent, analysis, position, owner=OWNER, viewer=OWNER, private=False
    )
    assert hearts(shared) == 0  # a consent that cannot be read is a no
