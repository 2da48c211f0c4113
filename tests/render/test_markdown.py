"""The markdown page: the reference format, and escaping no name can break."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.model import AnalysisOptions, Playlist, PlaylistRef, Track
from bot.pipeline.runner import compute_analysis
from bot.render.markdown import HEADER, RULE, escape_cell, render_markdown
from tests.conftest import blob_playlist

UNESCAPED_PIPE = re.compile(r"(?<!\\)(?:\\\\)*\|")


def test_page_has_the_reference_layout() -> None:
    playlist, _ = blob_playlist((12, 8))
    playlist.name = "International Pop"
    playlist.tracks[0].liked = True
    playlist.tracks[0].url = "https://open.spotify.com/track/5bhDL4GgUvr5LBrpjqyrte"
    playlist.tracks[0].image = "https://i.scdn.co/image/abc"
    analysis = compute_analysis(playlist, AnalysisOptions(), render_png=False)
    page = render_markdown(analysis)
    lines = page.splitlines()
    assert lines[0] == "# Clusters in International Pop"
    assert lines[2] == "![Comparison of Cluster](clusters_scatter.png)"
    assert lines[4] == f"*{analysis.note}*" and "chosen automatically (gap statistic" in lines[4]
    assert page.count("## Cluster #") == len(analysis.clusters)
    assert "## Cluster #1: " in page and "\n12 tracks\n" in page and "\n8 tracks\n" in page
    assert page.count(HEADER) == len(analysis.clusters) and page.count(RULE) == len(
        analysis.clusters
    )
    rows = [line for line in lines if line.startswith("| ") and line not in (HEADER,)]
    assert len(rows) == 20
    liked = next(line for line in rows if "5bhDL4GgUvr5LBrpjqyrte" in line)
    assert liked.startswith('| <img src="https://i.scdn.co/image/abc" alt="" width="50" /> | ')
    assert liked.endswith("| 💚 | [🔗](https://open.spotify.com/track/5bhDL4GgUvr5LBrpjqyrte) |")
    plain = next(line for line in rows if "5bhDL4GgUvr5LBrpjqyrte" not in line)
    assert plain.startswith("| | Track ") and plain.endswith("| | | |")


def test_hostile_names_cannot_break_the_table_or_inject_markup() -> None:
    track = Track(
        id="x",
        title="a | b\nc <img src=x onerror=alert(1)> [link](http://evil)",
        artists=("*star*", "_under_"),
        album="`code`",
        label="back\\slash|",
        url="javascript:alert(1)",
        image='https://x/"onload="alert(1)',
    )
    playlist = Playlist(PlaylistRef("csv", "x"), "Evil | name\n# heading", [track], "s")
    page = render_markdown(compute_analysis(playlist, AnalysisOptions(), render_png=False))
    row = next(line for line in page.splitlines() if line.startswith("| <img") or "a \\| b" in line)
    assert len(UNESCAPED_PIPE.findall(row)) == 8
    assert "<img src=x" not in page and "javascript:" not in page and '"onload=' not in page
    assert page.splitlines()[0] == "# Clusters in Evil \\| name # heading"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_stays_in_one_cell(text: str) -> None:
    cell = escape_cell(text)
    assert "\n" not in cell and "\r" not in cell
    assert not UNESCAPED_PIPE.search(cell)
    assert "<" not in cell


def test_empty_cells_stay_empty() -> None:
    track = Track(id="x", title="Only a title")
    page = render_markdown(
        compute_analysis(
            Playlist(PlaylistRef("csv", "x"), "P", [track], "s"),
            AnalysisOptions(),
            render_png=False,
        )
    )
    assert "| | Only a title | | | | | |" in page
