"""What other modules add to cluster pages: extra controls and the viewer's 💚.

The :class:`~bot.discord_ui.pager.Pager` holds a list of :data:`ExtraItems` (e.g. Save to
Spotify, ``cogs/spotify_account.py``), an optional :data:`Marker` (a viewer's 💚 from their
Spotify library, ``bot.account.library.Library.mark``) and an optional :data:`Consent`
(whether a member lets their 💚 show on shared messages, ``storage.members``).

💚 by consent: the 💚 an analysis carries (a CSV's "Liked" column, the member's own
Liked Songs) and the marks of the owner's library are the owner's. A shared message
shows them only when the owner said yes; until then they show only in views the
member alone sees (their private answers). A stranger's private copy never shows the
owner's marks, only the stranger's own.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import UserError
from bot.locales import ENGLISH, Words
from bot.model import Analysis
from bot.render.pages import PER_PAGE, Page, Position, build_page, clamp, page_counts

if TYPE_CHECKING:
    from bot.account.library import Library

log = logging.getLogger(__name__)

#: Makes extra components for a page's view: (page, source message) -> items.
ExtraItems = Callable[[Page, int], Iterable[discord.ui.Item[Any]]]
#: Marks an analysis for a viewer at a position: (viewer id, analysis, position).
Marker = Callable[[int, Analysis, Position], Awaitable[Analysis]]
#: Whether a member lets their 💚 show on shared messages (None: never asked = no).
Consent = Callable[[int], Awaitable[bool | None]]


def extra_row(extras: Iterable[ExtraItems], page: Page, source: int) -> list[discord.ui.Item[Any]]:
    """The extra controls of a page, at most five (one action row)."""
    items: list[discord.ui.Item[Any]] = []
    for extra in extras:
        items.extend(extra(page, source))
    if len(items) > 5:
        log.warning("left %d extra controls off a page (five fit a row)", len(items) - 5)
    return items[:5]


def unmarked(analysis: Analysis, position: Position) -> Analysis:
    """A copy of ``analysis`` whose tracks on the page at ``position`` carry no 💚.

    Only the page's tracks are copied: a page shows nothing else.
    """
    if not analysis.clusters:
        return analysis
    here = clamp(page_counts(analysis), position)
    cluster = analysis.clusters[here.cluster]
    start = here.page * PER_PAGE
    tracks = list(cluster.tracks)
    for i in range(start, min(start + PER_PAGE, len(tracks))):
        if tracks[i].liked is not None:
            tracks[i] = replace(tracks[i], liked=None)
    clusters = list(analysis.clusters)
    clusters[here.cluster] = replace(cluster, tracks=tracks)
    return replace(analysis, clusters=clusters)


async def consented(consent: Consent | None, member: int) -> bool:
    """Whether ``member`` said yes to their 💚 on shared messages (a failure is a no)."""
    if consent is None:
        return False
    try:
        return bool(await consent(member))
    except Exception:
        log.warning("could not read the 💚 setting of %s", member, exc_info=True)
        return False


async def viewer_page(
    marker: Marker | None,
    consent: Consent | None,
    analysis: Analysis,
    position: Position,
    *,
    owner: int,
    viewer: int,
    private: bool,
    words: Words = ENGLISH,
) -> Page:
    """The page at ``position`` as it may be shown: on a shared message (``private``
    False) with the owner's 💚 only if they consented; privately with the viewer's
    own 💚 (the stored marks only when the viewer is the owner). A marker that fails
    shows the page without its marks."""
    if not private:
        if not await consented(consent, owner):
            return build_page(unmarked(analysis, position), position, words=words)
        viewer = owner
    elif viewer != owner:
        analysis = unmarked(analysis, position)
    if marker is not None:
        try:
            analysis = await marker(viewer, analysis, position)
        except Exception:
            log.warning("could not mark the page for viewer %s", viewer, exc_info=True)
    return build_page(analysis, position, words=words)


def spotify_library(client: Any) -> Library:
    """The bot's Spotify library (members' accounts), or the sentence saying why the
    feature is off (a :class:`~bot.errors.UserError`)."""
    library = client.accounts.library
    if library is None:
        raise UserError(client.accounts.off_reason)
    return library
