"""The explore components (bot/discord_ui/explore_items.py) built from real discord.py
objects: what each custom id carries after a restart, which rows they take, and what
they offer. The presses themselves run through SimCord in tests/cogs/test_explore_flows.py."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from bot.analysis.axes import axis_choices
from bot.discord_ui.explore_items import (
    DYNAMIC_ITEMS,
    PER_PAGE,
    AxisSelect,
    CountButton,
    Here,
    SimilarSelect,
    explore_items,
)
from bot.discord_ui.lens import Lens
from bot.discord_ui.pager import Pager
from bot.render.pages import Position, build_page
from tests.storage.helpers import analyse, synthetic_playlist

SOURCE = 1234567890123456789


@pytest.fixture(scope="module")
def analysis():
    return analyse(synthetic_playlist(60), k=3, png=False)


def _items(controls: Any) -> list[Any]:
    return [*controls.first, *controls.second, *controls.selects]


class _Counts:
    """The one thing the pager asks its explorer for while building controls."""

    def count_range(self, analysis: Any) -> tuple[int, int]:
        return (2, 8)


async def _rebuilt(item: Any) -> Any:
    """The component discord.py rebuilds from the custom id when it is pressed."""
    for kind in DYNAMIC_ITEMS:
        match = kind.__discord_ui_compiled_template__.fullmatch(item.custom_id)
        if match is not None:
            return await kind.from_custom_id(None, item.item, match)  # type: ignore[arg-type]
    raise AssertionError(f"no template matches {item.custom_id}")


async def test_every_component_survives_a_restart_with_its_place_and_lens(analysis) -> None:
    page = build_page(analysis, Position(1, 1))
    lens = Lens(k=3, x=2, y=-1)
    items = explore_items(
        analysis, page, source=SOURCE, lens=lens, axes=("energy", None), counts=(2, 8)
    )
    here = Here(SOURCE, 1, 1, lens)
    seen = set()
    for item in _items(items):
        again = await _rebuilt(item)
        assert type(again) is type(item)
        assert again.here == here
        assert len(item.custom_id) <= 100  # Discord's limit
        seen.add((type(item).__name__, getattr(item, "axis", getattr(item, "what", ""))))
        if isinstance(item, CountButton):
            assert again.delta == item.delta
    assert seen == {
        ("ClusterButton", "why"),
        ("ClusterButton", "home"),
        ("CountButton", ""),
        ("AxisSelect", "x"),
        ("AxisSelect", "y"),
        ("SimilarSelect", ""),
    }


def test_components_sit_beside_the_page_buttons_then_one_select_a_row(analysis) -> None:
    page = build_page(analysis, Position(0, 0))
    pager = Pager(None, None, _Counts())  # type: ignore[arg-type]
    view = pager.layout(analysis, page, png=True)
    rows = [c for c in view.to_components() if c["type"] == 1]  # what Discord receives
    ids = [[c["custom_id"].split(":")[1] for c in row["components"]] for row in rows]
    assert ids == [
        ["pg", "pg", "pg", "pg", "why"],
        ["pg", "pg", "kc", "kc", "home"],
        ["ax"],
        ["ax"],
        ["sim"],
    ]
    assert view.total_children_count <= 40


def test_the_axis_selects_offer_the_features_and_mark_the_current_one(analysis) -> None:
    page = build_page(analysis, Position(0, 0))
    items = dict(
        (item.axis, item)
        for item in _items(
            explore_items(
                analysis, page, source=0, lens=Lens(), axes=("tempo", None), counts=(2, 8)
            )
        )
        if isinstance(item, AxisSelect)
    )
    choices = axis_choices(analysis.features.columns)
    x_options = items["x"].item.options
    assert len(x_options) == 1 + len(choices)
    assert [o.label for o in x_options if o.default] == ["X axis: tempo (BPM)"]
    assert [o.value for o in items["y"].item.options if o.default] == ["a"]


def test_the_track_select_lists_this_page_of_the_cluster(analysis) -> None:
    cluster = analysis.clusters[0]
    page = build_page(analysis, Position(0, 1))
    similar = next(
        item
        for item in _items(
            explore_items(analysis, page, source=0, lens=Lens(), axes=(None, None), counts=(2, 8))
        )
        if isinstance(item, SimilarSelect)
    )
    shown = cluster.tracks[PER_PAGE : 2 * PER_PAGE]
    labels = [o.label for o in similar.item.options]
    assert len(labels) == len(shown)
    assert labels[0].startswith(f"{PER_PAGE + 1}. {shown[0].title}")
    positions = {t.id: i for i, t in enumerate(analysis.playlist.tracks)}
    assert [int(o.value) for o in similar.item.options] == [positions[t.id] for t in shown]


@pytest.mark.parametrize(
    ("counts", "fewer", "more"),
    [((2, 8), True, True), ((3, 8), False, True), ((2, 3), True, False), ((3, 3), False, False)],
)
def test_fewer_and_more_are_offered_only_within_the_count_range(
    analysis, counts: tuple[int, int], fewer: bool, more: bool
) -> None:
    page = build_page(analysis, Position(0, 0))  # 3 clusters shown
    buttons = {
        item.delta: item
        for item in _items(
            explore_items(analysis, page, source=0, lens=Lens(), axes=(None, None), counts=counts)
        )
        if isinstance(item, CountButton)
    }
    assert (not buttons[-1].item.disabled, not buttons[1].item.disabled) == (fewer, more)


def test_foreign_or_malformed_ids_match_no_component() -> None:
    for custom_id in (
        "pc:ax:z:1:0:0:0.a.a",
        "pc:kc:x:1:0:0:0.a.a",
        "pc:home:1:0:0",
        "pc:sim:1:0:0:0.a",
        "other:why:1:0:0:0.a.a",
    ):
        for kind in DYNAMIC_ITEMS:
            assert kind.__discord_ui_compiled_template__.fullmatch(custom_id) is None


def test_an_analysis_without_clusters_gets_no_components(analysis) -> None:
    empty = dataclasses.replace(analysis, clusters=[])
    page = build_page(analysis, Position(0, 0))
    items = explore_items(empty, page, source=0, lens=Lens(), axes=(None, None), counts=(2, 8))
    assert _items(items) == []
