"""Cluster pages: content, escaping, navigation, and the text budgets for any input."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.model import Analysis, AnalysisOptions, Cluster, FeatureInfo, Playlist, PlaylistRef, Track
from bot.render.pages import (
    ALT_LIMIT,
    FOOTER_BUDGET,
    INTRO_BUDGET,
    PER_PAGE,
    TEXT_LIMIT,
    TITLE_BUDGET,
    TRACK_BUDGET,
    Position,
    answer_text,
    build_page,
    escape,
    page_counts,
    turn,
    utf16_len,
)


def make_analysis(
    sizes: list[int],
    *,
    name: str = "Mix",
    cluster_name: str = "upbeat",
    track: dict | None = None,
    summary: str = "30 of 30 tracks had audio features (from the file).",
) -> Analysis:
    clusters = []
    tracks: list[Track] = []
    for c, size in enumerate(sizes):
        members = [
            Track(
                **{
                    "id": f"c{c}t{i}",
                    "title": f"Song {c}-{i}",
                    "artists": ("Artist",),
                    "album": "Album",
                    "label": "Label",
                    "url": f"https://www.deezer.com/track/{c}{i}",
                    "image": f"https://img.example/{c}-{i}.jpg",
                    "liked": i % 2 == 0,
                    **(track or {}),
                }
            )
            for i in range(size)
        ]
        tracks += members
        clusters.append(Cluster(number=c + 1, name=f"{cluster_name} {c + 1}", tracks=members))
    playlist = Playlist(ref=PlaylistRef("csv", "x"), name=name, tracks=tracks, snapshot="s")
    return Analysis(
        playlist=playlist,
        clusters=clusters,
        labels=[c for c, size in enumerate(sizes) for _ in range(size)],
        points=np.zeros((len(tracks), 2)),
        x_label="x",
        y_label="y",
        features=FeatureInfo(
            family="provider", columns=["energy"], coverage=len(tracks), summary=summary
        ),
        options=AnalysisOptions(),
    )


def test_first_page_shows_header_five_tracks_with_art_and_footer() -> None:
    analysis = make_analysis([23, 5])
    analysis.clusters[0].traits = ["danceable", "upbeat"]
    page = build_page(analysis, Position(0, 0))
    assert PER_PAGE == 5
    assert page.title == "Cluster #1 · upbeat 1 · 23 tracks"
    assert page.header == (
        "### Cluster #1 · upbeat 1 · 23 tracks\n"
        "Sets it apart: danceable, upbeat · 82% of the playlist"
    )
    assert len(page.cells) == 5
    assert page.lines[0] == (
        "1. [Song 0\\-0](https://www.deezer.com/track/00) 💚\nArtist · *Album* · Label"
    )
    assert "💚" not in page.lines[1]
    assert [c.image for c in page.cells] == [f"https://img.example/0-{i}.jpg" for i in range(5)]
    assert page.cells[0].alt == "Album art: Album"
    assert page.footer.startswith("Page 1/5 · Cluster 1/2 · Mix · 30 of 30 tracks")


def test_last_page_of_a_cluster_holds_the_rest_and_their_own_art() -> None:
    analysis = make_analysis([23, 5])
    page = build_page(analysis, Position(0, 4))
    assert len(page.cells) == 3
    assert page.lines[0].startswith("21. ")
    assert page.thumbnail == "https://img.example/0-20.jpg"
    assert page.footer.startswith("Page 5/5 · Cluster 1/2")


def test_unknown_fields_are_left_out() -> None:
    analysis = make_analysis([1], track={})
    analysis.clusters[0].tracks[0] = Track(id="t", title="Only title")
    page = build_page(analysis, Position(0, 0))
    assert page.lines == ("1. **Only title**",)
    assert page.thumbnail == "" and page.cells[0].alt == ""


def test_hostile_names_are_escaped_and_mention_nobody() -> None:
    hostile = "*_|`@everyone <@123456789012345678> [x](https://evil) ||spoiler||"
    analysis = make_analysis([2], name="@here *list*", cluster_name=hostile, track={})
    for t in analysis.clusters[0].tracks:
        t.title = hostile
        t.artists = ("@everyone",)
    page = build_page(analysis, Position(0, 0))
    text = page.header + page.description + page.footer
    assert "@everyone" not in text and "@here" not in text
    assert "<@1" not in text
    assert "](https://evil)" not in text
    assert "\\*\\_\\|\\`" in page.title
    # the visible text, once Discord drops the escapes, is the name itself
    assert "\\[x\\]\\(https\\:" in page.lines[0]


def test_escape_keeps_every_script_and_emoji() -> None:
    for text in ["夜に駆ける", "周杰倫 稻香", "שיר ישראלי", "เพลงไทย", "👨‍👩‍👧 🎵"]:
        assert escape(text) == text


def test_navigation_turns_within_and_between_clusters() -> None:
    counts = page_counts(make_analysis([13, 5, 8]))
    assert counts == [3, 1, 2]
    here = Position(0, 0)
    assert turn(counts, here, "next") == Position(0, 1)
    assert turn(counts, here, "last") == Position(0, 2)
    assert turn(counts, Position(0, 2), "next") == Position(0, 2)
    assert turn(counts, Position(0, 2), "first") == Position(0, 0)
    assert turn(counts, Position(0, 1), "prev") == Position(0, 0)
    assert turn(counts, here, "prev") == here
    assert turn(counts, Position(0, 2), "next_cluster") == Position(1, 0)
    assert turn(counts, Position(2, 1), "next_cluster") == Position(2, 1)
    assert turn(counts, Position(2, 1), "prev_cluster") == Position(1, 0)
    assert turn(counts, Position(9, 9), "prev") == Position(2, 0)


hostile_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet="*_|`~\\[]()<>@#-: everyonehre\n", max_size=400),
    st.sampled_from(
        ["夜に駆ける", "שיר", "เพลงไทย", "👨‍👩‍👧", "@everyone", "x" * 10_000, "🎵" * 5000]
    ),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=5), st.integers(1, 3000)),
)


@settings(max_examples=60, deadline=None)
@given(
    name=hostile_text,
    cluster_name=hostile_text,
    title=hostile_text,
    artist=hostile_text,
    album=hostile_text,
    label=hostile_text,
    url=st.one_of(
        st.just("https://x.example/" + "a" * 3000), hostile_text.map(lambda s: "https://e/" + s)
    ),
    summary=hostile_text,
    traits=st.lists(hostile_text, max_size=8),
)
def test_every_text_budget_holds_for_any_input(
    name: str,
    cluster_name: str,
    title: str,
    artist: str,
    album: str,
    label: str,
    url: str,
    summary: str,
    traits: list[str],
) -> None:
    analysis = make_analysis(
        [7],
        name=name,
        cluster_name=cluster_name,
        summary=summary,
        track={
            "artists": (artist, artist),
            "album": album,
            "label": label,
            "url": url,
            "image": url,
        },
    )
    analysis.clusters[0].traits = traits
    for t in analysis.clusters[0].tracks:
        t.title = title
    intro = answer_text(analysis)
    assert utf16_len(intro) <= INTRO_BUDGET
    for pos in (Position(0, 0), Position(0, 1)):
        page = build_page(analysis, pos)
        assert 0 < utf16_len(page.title) <= TITLE_BUDGET
        assert all(0 < utf16_len(line) <= TRACK_BUDGET for line in page.lines)
        assert all(utf16_len(c.alt) <= ALT_LIMIT for c in page.cells)
        assert utf16_len(page.footer) <= FOOTER_BUDGET
        assert utf16_len(intro) + 1 + page.text_length() <= TEXT_LIMIT
        assert len(page.cells) == (5 if pos.page == 0 else 2)
        text = page.header + page.description + page.footer
        assert "@everyone" not in text and "@here" not in text
        assert page.title.startswith("Cluster #1 · ") and page.title.endswith(" · 7 tracks")
        assert page.footer.startswith(f"Page {pos.page + 1}/2 · Cluster 1/1 · ")


@settings(max_examples=60, deadline=None)
@given(
    title=hostile_text,
    liked=st.booleans(),
    url=st.sampled_from(["", "https://www.deezer.com/track/1", "https://x.example/" + "a" * 500]),
)
def test_the_unheard_mark_survives_any_title(title: str, liked: bool, url: str) -> None:
    """The 🔇 of a track placed without sound sits outside the shortened title, so a
    title of any length (issue 22: over ~120 characters cut it off) keeps it, on the
    page and in the layout message's section text."""
    from bot.discord_ui.page_layout import layout_texts, page_layout

    analysis = make_analysis([7], track={"url": url, "liked": liked})
    cluster = analysis.clusters[0]
    for t in cluster.tracks:
        t.title = title.replace("🔇", "")
    marked = cluster.tracks[1]
    cluster.unheard = {marked.id: "album"}
    page = build_page(analysis, Position(0, 0))
    heads = [line.split("\n")[0] for line in page.lines]
    assert "🔇" in heads[1]
    assert all("🔇" not in head for i, head in enumerate(heads) if i != 1)
    assert all(0 < utf16_len(line) <= TRACK_BUDGET for line in page.lines)
    texts = layout_texts(page_layout(page).to_components())
    assert ["🔇" in text for text in texts[1:6]] == [False, True, False, False, False]
