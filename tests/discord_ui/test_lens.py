"""What a private copy shows (bot/discord_ui/lens.py): the lens in its custom ids names
the clustering and the map axes by index, and reads back as the same feature names."""

from __future__ import annotations

import pytest

from bot.analysis.axes import axis_choices
from bot.discord_ui.lens import LENS_PATTERN, Lens
from tests.storage.helpers import analyse, synthetic_playlist


@pytest.fixture(scope="module")
def analysis():
    return analyse(synthetic_playlist(60), k=3, png=False)


def test_a_lens_reads_back_as_the_axes_it_was_made_of(analysis) -> None:
    choices = axis_choices(analysis.features.columns)
    lens = Lens.of(analysis, ("tempo", None))
    assert lens == Lens(k=3, x=choices.index("tempo"), y=-1)
    assert lens.axes(analysis) == ("tempo", None)
    assert Lens.of(analysis, ("no such feature", "energy")).axes(analysis) == (None, "energy")


def test_tokens_round_trip_through_the_custom_id_pattern() -> None:
    import re

    for lens in (Lens(), Lens(k=12, x=0, y=10), Lens(k=0, x=-1, y=3)):
        match = re.fullmatch(LENS_PATTERN, lens.token())
        assert match is not None
        assert Lens.parse(match["k"], match["x"], match["y"]) == lens
    assert Lens().token() == "0.a.a"


def test_an_index_the_analysis_no_longer_has_is_the_projection(analysis) -> None:
    assert Lens(k=3, x=99, y=0).axes(analysis) == (None, axis_choices(analysis.features.columns)[0])
