"""What other modules add to cluster pages: extra components and the viewer's marks.

The :class:`~bot.discord_ui.pager.Pager` holds a list of :data:`ExtraItems` (e.g. Save to
Spotify, ``cogs/spotify_account.py``) and an optional :data:`Marker` (the viewer's 💚,
``bot.account.library.Library.mark``); these helpers apply them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import discord

from bot.model import Analysis
from bot.render.pages import Page, Position, build_page

log = logging.getLogger(__name__)

#: Makes extra components for a page's view: (page, source message) -> items.
ExtraItems = Callable[[Page, int], Iterable[discord.ui.Item[Any]]]
#: Marks an analysis for a viewer at a position: (viewer id, analysis, position).
Marker = Callable[[int, Analysis, Position], Awaitable[Analysis]]


def add_extras(
    view: discord.ui.View, extras: Sequence[ExtraItems], page: Page, source: int
) -> discord.ui.View:
    """Each extra item in its own row, else the first row with room; one that fits
    nowhere (Discord allows 5 rows) is left out."""
    for extra in extras:
        for item in extra(page, source):
            for row in dict.fromkeys([item.row or 0, 0, 1, 2, 3, 4]):
                item.row = row
                try:
                    view.add_item(item)
                    break
                except ValueError:
                    continue
    return view


async def viewer_page(
    marker: Marker | None, analysis: Analysis, position: Position, viewer: int
) -> Page:
    """The page at ``position`` as ``viewer`` sees it; a marker that fails shows it as stored."""
    if marker is not None:
        try:
            analysis = await marker(viewer, analysis, position)
        except Exception:
            log.warning("could not mark the page for viewer %s", viewer, exc_info=True)
    return build_page(analysis, position)
