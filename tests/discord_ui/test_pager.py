"""The whole layout page the pager sends (bot/discord_ui/pager.py), from real discord.py
objects: what it holds, and that Discord accepts it for any playlist.

The flows (publishing, turning, strangers, restarts) run through SimCord in
tests/cogs/test_clusters_flows.py and through the loopback fake Discord in
tests/cogs/test_loopback.py.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.discord_ui.lens import Lens
from bot.discord_ui.pager import Pager
from bot.model import Analysis, AnalysisOptions, Cluster, FeatureInfo, Playlist, PlaylistRef, Track
from bot.render.pages import PER_PAGE, Position, build_page
from cogs.spotify_account import save_items
from tests.harness import discord_accepts
from tests.pages_seen import count_components, seen
from tests.storage.helpers import analyse, synthetic_playlist

SNOWFLAKE = 1_234_567_890_123_456_789


class _Counts:
    """The one thing the pager asks its explorer while building controls."""

    def count_range(self, analysis: Any) -> tuple[int, int]:
        return (2, 12)


def _pager() -> Pager:
    pager = Pager(None, None, _Counts())  # type: ignore[arg-type]
    pager.extra_items.append(save_items)
    return pager


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    analysed = analyse(synthetic_playlist(60), k=3, png=False)
    for track in analysed.playlist.tracks:
        track.image = f"https://img.example/{track.id}.jpg"
    return analysed


def test_a_page_is_a_container_of_header_map_track_sections_and_footer(analysis) -> None:
    page = build_page(analysis, Position(0, 1))
    view = _pager().layout(analysis, page, intro="**Clusters in Mix**", png=True)
    shown = seen({"components": view.to_components()})
    assert shown.top.startswith("**Clusters in Mix**\n### Cluster #1 · ")
    assert shown.gallery == ["attachment://clusters.png"]
    cluster = analysis.clusters[0]
    on_page = cluster.tracks[PER_PAGE : 2 * PER_PAGE]
    assert shown.sections == len(shown.thumbnails) == len(on_page)
    assert shown.thumbnails == [t.image for t in on_page]
    assert [text.split(". ", 1)[0] for text in shown.tracks] == [
        str(n) for n in range(PER_PAGE + 1, PER_PAGE + 1 + len(on_page))
    ]
    assert shown.footer.startswith("Page 2/")
    # navigation, the explore controls and Save are all on the page
    kinds = [cid.split(":")[1] for cid in shown.custom_ids]
    assert kinds.count("pg") == 6
    assert {"why", "kc", "home", "ax", "sim", "sv"} <= set(kinds)
    assert "Save to Spotify" in shown.labels
    assert view.total_children_count == count_components(view.to_components()) <= 40
    discord_accepts(view.to_components())


def test_a_track_without_art_is_plain_text_and_no_map_means_no_gallery(analysis) -> None:
    bare = [t for t in analysis.clusters[0].tracks]
    bare[0] = Track(id=bare[0].id, title="No art")
    cluster = Cluster(1, "x", bare)
    changed = Analysis(**{**_fields(analysis), "clusters": [cluster, *analysis.clusters[1:]]})
    page = build_page(changed, Position(0, 0))
    shown = seen({"components": _pager().layout(changed, page, png=False).to_components()})
    assert shown.gallery == []
    assert shown.sections == PER_PAGE - 1
    assert shown.tracks[0] == "1. **No art**"


def _fields(analysis: Analysis) -> dict[str, Any]:
    return {name: getattr(analysis, name) for name in Analysis.__dataclass_fields__}


# -- any playlist: Discord accepts every page ---------------------------------------------

_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet="*_|`~\\[]()<>@#-: everyonehre\n夜👨‍👩‍👧", max_size=120),
    st.sampled_from(["", "夜に駆ける", "שיר", "เพลงไทย", "@everyone", "x" * 5000, "🎵" * 3000]),
)
_url = st.one_of(
    st.just(""),
    st.just("https://i.scdn.co/image/ab67616d0000b273"),
    _text.map(lambda s: "https://e.example/" + s),
    st.just("https://x.example/" + "a" * 3000),
    _text,
)


_shape = st.tuples(_text, st.lists(_text, max_size=3), _text, _text, _url, _url, st.booleans())


def _tracks(shapes: list[Any], cluster: int, size: int) -> list[Track]:
    """``size`` tracks cycling through the drawn shapes (fast for big clusters)."""
    tracks = []
    for i in range(size):
        title, artists, album, label, url, image, liked = shapes[(cluster + i) % len(shapes)]
        tracks.append(
            Track(
                id=f"c{cluster}t{i}",
                title=title,
                artists=tuple(artists),
                album=album,
                label=label,
                url=url,
                image=image,
                liked=liked,
            )
        )
    return tracks


@st.composite
def _analyses(draw: Any) -> tuple[Analysis, Position]:
    sizes = draw(st.lists(st.integers(0, 40), min_size=1, max_size=12))
    shapes = draw(st.lists(_shape, min_size=1, max_size=4))
    names = draw(st.lists(_text, min_size=1, max_size=3))
    traits = draw(st.lists(_text, max_size=4))
    clusters = [
        Cluster(c + 1, names[c % len(names)], _tracks(shapes, c, size), traits[c % 3 :])
        for c, size in enumerate(sizes)
    ]
    tracks = [t for c in clusters for t in c.tracks]
    columns = draw(st.lists(st.one_of(st.sampled_from(["energy", "tempo"]), _text), max_size=30))
    texts = draw(st.tuples(_text, _text, _text))
    analysis = Analysis(
        playlist=Playlist(PlaylistRef("csv", "x"), texts[0], tracks, snapshot="s"),
        clusters=clusters,
        labels=[c for c, size in enumerate(sizes) for _ in range(size)],
        points=np.zeros((len(tracks), 2)),
        x_label="x",
        y_label="y",
        features=FeatureInfo("provider", columns, len(tracks), summary=texts[1]),
        options=AnalysisOptions(k=draw(st.one_of(st.none(), st.integers(2, 12)))),
        note=texts[2],
    )
    position = Position(draw(st.integers(0, 12)), draw(st.integers(0, 9)))
    return analysis, position


#: Generated playlists per run; the issue's acceptance run uses 10,000
#: (``PAGE_EXAMPLES=10000 pytest tests/discord_ui/test_pager.py``: 8 minutes on a shared
#: 2-core machine; passed on the final code).
PAGE_EXAMPLES = int(os.environ.get("PAGE_EXAMPLES", "300"))


@settings(
    max_examples=PAGE_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    case=_analyses(),
    intro=_text,
    source=st.sampled_from([0, SNOWFLAKE]),
    png=st.booleans(),
)
def test_discord_accepts_every_page_of_any_playlist(
    case: tuple[Analysis, Position], intro: str, source: int, png: bool
) -> None:
    """Any generated playlist (10,000 in the acceptance run): every page, shared or a
    private copy with the longest lens, stays within 40 components and 4,000
    characters, every field within its limit, with one thumbnail per track that has
    art and every control on the page."""
    from bot.render.pages import answer_text, fit

    analysis, position = case
    page = build_page(analysis, position)
    top = fit(intro, 1000) if intro else answer_text(analysis)
    axes = ("energy", "tempo") if source else (None, None)
    view = _pager().layout(analysis, page, intro=top, source=source, axes=axes, png=png)
    components = view.to_components()
    discord_accepts(components)  # raises with the rule broken
    assert count_components(components) <= 40
    assert view.content_length() <= 4000
    shown = seen({"components": components})
    with_art = [c for c in page.cells if c.image]
    assert len(shown.thumbnails) == shown.sections == len(with_art)
    kinds = {cid.split(":")[1] for cid in shown.custom_ids}
    if analysis.clusters:
        assert {"pg", "why", "kc", "home", "sv"} <= kinds
    assert "@everyone" not in "".join(shown.texts).replace("@\u200beveryone", "")
    assert Lens.of(analysis, axes).token()  # the lens a copy carries is well formed
