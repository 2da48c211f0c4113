"""The page-turn controls (bot/discord_ui/page_items.py) from real discord.py objects:
what a button carries after a restart, which moves are offered, what a reaction means.
The flows run through SimCord in tests/cogs/test_clusters_flows.py."""

from __future__ import annotations

import re

import pytest

from bot.discord_ui.page_items import (
    CLUSTER_BUTTONS,
    PAGE_BUTTONS,
    REACTIONS,
    PageButton,
    page_buttons,
    reaction_action,
)
from bot.render.pages import Page, Position, build_page
from tests.storage.helpers import analyse, synthetic_playlist

#: PageButton's template, as discord.py matches it when a press arrives.
TEMPLATE = PageButton.__discord_ui_compiled_template__


@pytest.fixture(scope="module")
def analysis():
    return analyse(synthetic_playlist(60), k=3, png=False)


def _buttons(page: Page, source: int = 0) -> list[PageButton]:
    moves = page_buttons(page, PAGE_BUTTONS, source, None)
    return [*moves, *page_buttons(page, CLUSTER_BUTTONS, source, None)]  # type: ignore[list-item]


async def _pressed(button: PageButton) -> PageButton:
    """The button discord.py rebuilds from the custom id when it is pressed (after a restart)."""
    item = button.item
    match = re.fullmatch(TEMPLATE, item.custom_id or "")
    assert match is not None, item.custom_id
    return await PageButton.from_custom_id(None, item, match)  # type: ignore[arg-type]


async def test_every_button_survives_a_restart_with_its_place_and_move(analysis) -> None:
    page = build_page(analysis, Position(1, 0))
    buttons = _buttons(page, source=1234567890123456789)
    assert [(b.item.label, b.action) for b in buttons] == [*PAGE_BUTTONS, *CLUSTER_BUTTONS]
    for button in buttons:
        again = await _pressed(button)
        assert (again.source, again.position, again.action) == (
            1234567890123456789,
            Position(page.cluster, page.page),
            button.action,
        )
        assert len(button.item.custom_id or "") <= 100  # Discord's limit


def test_moves_that_lead_nowhere_are_disabled(analysis) -> None:
    first = build_page(analysis, Position(0, 0))
    enabled = {b.action for b in _buttons(first) if not b.item.disabled}
    assert first.page_count > 1 and first.cluster_count > 1
    assert enabled == {"next", "last", "next_cluster"}
    last_cluster = len(analysis.clusters) - 1
    end = build_page(analysis, Position(last_cluster, 99))
    disabled = {b.action for b in _buttons(end) if b.item.disabled}
    assert {"next", "last", "next_cluster"} <= disabled
    assert "prev_cluster" not in disabled


def test_a_custom_id_that_is_not_ours_is_not_matched() -> None:
    for custom_id in ("pc:pg:1:2:3:x", "pc:pg:1:2:3", "pc:pg:-1:2:3:n", "other:1:2:3:n"):
        assert re.fullmatch(TEMPLATE, custom_id) is None, custom_id


def test_reactions_mean_their_moves_with_or_without_a_variation_selector() -> None:
    for emoji, action in REACTIONS.items():
        assert reaction_action(emoji) == action
        assert reaction_action(emoji + "\ufe0f") == action
    assert reaction_action("👍") is None
