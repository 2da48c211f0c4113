"""A cluster page as a Discord layout message (Components V2, ``ui.LayoutView``).

One container holds the answer's intro and the page's header (one text display),
the map as a media gallery item (the message's ``clusters.png``), one section per
track whose accessory is its album art thumbnail (a track without art is a plain
text display), and the footer as subtext. The controls follow as action rows, in
priority order: a row that would take the message past Discord's 40 components
is left out (and logged), so a page is always accepted.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord
from discord import ui

from bot.locales import N_, Words
from bot.render.pages import COMPONENT_LIMIT, FOOTER_MARK, Page

if TYPE_CHECKING:
    from bot.model import Analysis
    from bot.services.explorer import Explorer

log = logging.getLogger(__name__)

PNG_NAME = "clusters.png"
ACCENT = 0x5865F2
MAP_DESCRIPTION = N_("Map of the clusters")


async def map_file(analysis: Analysis, words: Words, explorer: Explorer | None) -> discord.File:
    """The message's ``clusters.png``: the analysis' map in ``words``' language, drawn
    and kept by ``explorer`` (English, or without an explorer: the stored PNG)."""
    png = await explorer.overview(analysis, words) if explorer else analysis.png
    return discord.File(io.BytesIO(png), filename=PNG_NAME)


def page_layout(
    page: Page,
    *,
    intro: str = "",
    png: bool = False,
    rows: Sequence[Sequence[ui.Item[Any]]] = (),
) -> ui.LayoutView:
    """The layout message of ``page``: ``intro`` (already escaped) above the header,
    the map when the message carries ``clusters.png`` (``png``), then ``rows`` of
    controls (buttons up to five a row, a select alone)."""
    view = ui.LayoutView(timeout=None)
    container: ui.Container[ui.LayoutView] = ui.Container(accent_colour=ACCENT)
    container.add_item(ui.TextDisplay(f"{intro}\n{page.header}" if intro else page.header))
    if png:
        description = page.words(MAP_DESCRIPTION)
        item = discord.MediaGalleryItem(f"attachment://{PNG_NAME}", description=description)
        container.add_item(ui.MediaGallery(item))
    for cell in page.cells:
        text: ui.TextDisplay[ui.LayoutView] = ui.TextDisplay(cell.text)
        if cell.image:
            thumbnail = ui.Thumbnail(cell.image, description=cell.alt or None)
            container.add_item(ui.Section(text, accessory=thumbnail))
        else:
            container.add_item(text)
    container.add_item(ui.TextDisplay(FOOTER_MARK + page.footer))
    view.add_item(container)
    for row in rows:
        if not row:
            continue
        if view.total_children_count + 1 + len(row) > COMPONENT_LIMIT:
            log.warning("left a row of %d controls off a page (40 components)", len(row))
            continue
        view.add_item(ui.ActionRow(*row))
    return view


def layout_texts(components: Sequence[dict[str, Any]]) -> list[str]:
    """Every text display's content in a message's component payload, in order
    (what a member reads; used by the tests and the benchmark)."""
    out: list[str] = []
    stack = list(reversed(components))
    while stack:
        component = stack.pop()
        if component.get("type") == 10:
            out.append(component.get("content", ""))
        children = list(component.get("components") or [])
        if isinstance(component.get("accessory"), dict):
            children.append(component["accessory"])
        stack.extend(reversed(children))
    return out
