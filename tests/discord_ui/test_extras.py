"""What other features add to cluster pages (bot/discord_ui/extras.py): extra components
placed in the first row with room, and the viewer's marks, which never break a page."""

from __future__ import annotations

import dataclasses
from typing import Any

import discord
import pytest

from bot.discord_ui.extras import add_extras, viewer_page
from bot.discord_ui.pager import page_view
from bot.render.pages import Position, build_page
from tests.storage.helpers import analyse, synthetic_playlist


@pytest.fixture(scope="module")
def analysis():
    return analyse(synthetic_playlist(60), k=3, png=False)


def _button(label: str, row: int | None = None) -> discord.ui.Button[Any]:
    return discord.ui.Button(label=label, custom_id=f"x:{label}", row=row)


def _labels_by_row(view: discord.ui.View) -> list[list[str]]:
    return [[c["label"] for c in row["components"]] for row in view.to_components()]


def test_an_extra_takes_its_own_row_else_the_first_with_room(analysis) -> None:
    page = build_page(analysis, Position(0, 0))
    view = page_view(page)  # rows 0 (4 buttons) and 1 (2 buttons)
    seen: list[tuple[int, int]] = []

    def extras(page_: Any, source: int) -> list[discord.ui.Item[Any]]:
        seen.append((page_.cluster, source))
        return [_button("wants row 1", row=1), _button("a", row=0), _button("b", row=0)]

    add_extras(view, [extras], page, 77)
    assert seen == [(0, 77)]
    rows = _labels_by_row(view)
    assert rows == [
        ["⏮", "◀", "▶", "⏭", "a"],  # "b" asked for row 0 too, but it was full
        ["⏪ Cluster", "Cluster ⏩", "wants row 1", "b"],
    ]


def test_an_extra_that_fits_nowhere_is_left_out() -> None:
    view = discord.ui.View()
    for row in range(5):
        for i in range(5):
            view.add_item(_button(f"{row}{i}", row=row))
    page = build_page(analyse(synthetic_playlist(12), k=2, png=False), Position(0, 0))
    add_extras(view, [lambda page, source: [_button("late")]], page, 0)
    assert len(view.children) == 25
    assert "late" not in {c.label for c in view.children}  # type: ignore[attr-defined]


async def test_the_viewers_marks_show_and_a_failing_marker_shows_the_page_as_stored(
    analysis,
) -> None:
    position = Position(1, 0)
    stored = build_page(analysis, position)

    async def mark(viewer: int, shown: Any, where: Position) -> Any:
        assert (viewer, where) == (5, position)
        renamed = [dataclasses.replace(c, name=f"{c.name} 💚") for c in shown.clusters]
        return dataclasses.replace(shown, clusters=renamed)

    async def broken(viewer: int, shown: Any, where: Position) -> Any:
        raise RuntimeError("the account store is down")

    marked = await viewer_page(mark, analysis, position, 5)
    assert "💚" in marked.title and "💚" not in stored.title
    assert await viewer_page(broken, analysis, position, 5) == stored
    assert await viewer_page(None, analysis, position, 5) == stored
