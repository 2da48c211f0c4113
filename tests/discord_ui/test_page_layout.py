"""The layout of one page (bot/discord_ui/page_layout.py): what goes where, and rows
of controls that would pass Discord's 40 components are left off, never sent."""

from __future__ import annotations

from typing import Any

import discord

from bot.discord_ui.page_layout import layout_texts, page_layout
from bot.render.pages import Page, TrackCell


def _page(cells: int, image: str = "https://img.example/a.jpg") -> Page:
    return Page(
        title="Cluster #1 · calm · 3 tracks",
        apart="Sets it apart: calm",
        cells=tuple(
            TrackCell(f"{n}. **t**", image if n % 2 else "", "Album art: a")
            for n in range(1, cells + 1)
        ),
        footer="Page 1/1 · Cluster 1/1 · Mix",
        cluster=0,
        page=0,
        page_count=1,
        cluster_count=1,
    )


def _buttons(n: int, tag: str) -> list[discord.ui.Item[Any]]:
    return [discord.ui.Button(label=f"{tag}{i}", custom_id=f"{tag}:{i}") for i in range(n)]


def test_intro_and_header_share_the_first_text_and_art_makes_a_section() -> None:
    view = page_layout(_page(3), intro="**Clusters in Mix**", png=True)
    components = view.to_components()
    (container,) = components
    kinds = [c["type"] for c in container["components"]]
    assert kinds == [10, 12, 9, 10, 9, 10]  # text, gallery, section, text, section, footer
    assert layout_texts(components) == [
        "**Clusters in Mix**\n### Cluster #1 · calm · 3 tracks\nSets it apart: calm",
        "1. **t**",
        "2. **t**",
        "3. **t**",
        "-# Page 1/1 · Cluster 1/1 · Mix",
    ]
    section = container["components"][2]
    assert section["accessory"]["media"]["url"] == "https://img.example/a.jpg"
    assert section["accessory"]["description"] == "Album art: a"


def test_rows_that_would_pass_forty_components_are_left_off() -> None:
    rows = [_buttons(5, "a"), _buttons(5, "b"), _buttons(5, "c"), _buttons(1, "d")]
    rows += [_buttons(5, "e"), _buttons(1, "f")]
    view = page_layout(_page(5), png=True, rows=rows)
    # 1 container + 1 text + 1 gallery + 3 sections (3 each) + 2 texts + 1 footer = 15;
    # rows a-d take 20 more (35), e would take 6 (41): left off; f still fits (37)
    labels = [c["label"] for r in view.to_components() if r["type"] == 1 for c in r["components"]]
    assert [label[0] for label in labels] == list("aaaaabbbbbcccccdf")
    assert view.total_children_count == 37
