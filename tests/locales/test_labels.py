"""Every control's label, option and placeholder in every catalog stays within Discord's
limits, and the custom ids (restart-safety of persistent views) never depend on the
language: the controls are built by the real builders, once per catalog."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.analysis.axes import axis_choices
from bot.discord_ui.explore_items import Here, _axis_select
from bot.discord_ui.hearts import question_buttons
from bot.discord_ui.lens import Lens
from bot.discord_ui.pager import Pager
from bot.discord_ui.taste import BridgeButton
from bot.locales import ENGLISH, LOCALES, Words, load
from bot.render.pages import Position, build_page
from cogs.spotify_account import save_items
from tests.storage.helpers import analyse, synthetic_playlist

#: Discord's limits (characters) of what a member reads on a control.
BUTTON_LABEL = 80
OPTION_LABEL = 100
OPTION_DESCRIPTION = 100
PLACEHOLDER = 150

CODES = sorted(set(LOCALES.values()))


class _Counts:
    def count_range(self, analysis: Any) -> tuple[int, int]:
        return (2, 8)


@pytest.fixture(scope="module")
def analysis():
    return analyse(synthetic_playlist(40), k=3, png=False)


def _walk(components: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    stack = list(components)
    while stack:
        component = stack.pop()
        yield component
        stack.extend(component.get("components") or [])
        if isinstance(component.get("accessory"), dict):
            stack.append(component["accessory"])


def _controls(analysis: Any, words: Words) -> list[dict[str, Any]]:
    """What Discord receives for a page's controls and every other button, in ``words``."""
    pager = Pager(None, None, _Counts())  # type: ignore[arg-type]
    pager.extra_items.append(save_items)
    page = build_page(analysis, Position(0, 0), words=words)
    found = list(_walk(pager.layout(analysis, page, png=True).to_components()))
    every_axis = axis_choices([*analysis.features.columns, "release_year", "duration"])
    axis = _axis_select(Here(0, 0, 0, Lens()), "x", None, every_axis, words)
    others = [axis, *question_buttons(words), BridgeButton("home", 1, words)]
    others.append(BridgeButton("save", 1, words))
    found.extend(item.to_component_dict() for item in others)
    return found


def _too_long(components: list[dict[str, Any]]) -> list[str]:
    found = []
    for component in components:
        if component.get("type") == 2 and len(component.get("label") or "") > BUTTON_LABEL:
            found.append(component["label"])
        if len(component.get("placeholder") or "") > PLACEHOLDER:
            found.append(component["placeholder"])
        for option in component.get("options") or []:
            if len(option["label"]) > OPTION_LABEL:
                found.append(option["label"])
            if len(option.get("description") or "") > OPTION_DESCRIPTION:
                found.append(option["description"])
    return found


@pytest.mark.parametrize("code", CODES)
def test_every_label_of_every_catalog_fits_discords_limits(analysis, code: str) -> None:
    words = load(code)
    components = _controls(analysis, words)
    assert _too_long(components) == []
    english = _controls(analysis, ENGLISH)
    labels = [c.get("label") for c in components if c.get("type") == 2 and c.get("label")]
    assert labels != [c.get("label") for c in english if c.get("type") == 2 and c.get("label")]


@pytest.mark.parametrize("code", CODES)
def test_custom_ids_are_the_same_in_every_language(analysis, code: str) -> None:
    def ids(words: Words) -> list[str]:
        return [c["custom_id"] for c in _controls(analysis, words) if "custom_id" in c]

    assert ids(load(code)) == ids(ENGLISH)


def test_the_limit_check_catches_a_long_label() -> None:
    long = {"type": 2, "label": "x" * 81, "custom_id": "a"}
    option = {"type": 3, "options": [{"label": "y" * 101, "value": "1"}], "placeholder": "z"}
    assert _too_long([long, option]) == ["x" * 81, "y" * 101]
