"""The explore components under a paged message, as persistent ``DynamicItem``s.

Each custom id is ``pc:<kind>:<source>:<cluster>:<page>:<k>.<x>.<y>`` (see
:mod:`bot.discord_ui.lens`), at most 100 characters, so a press after a restart knows the
message (0 = the one the component is on), the page it was pressed on and what a
private copy showed. The callbacks hand over to :class:`bot.discord_ui.explore.ExploreActions`
(``bot.services.explorer``), which does the work.

- two selects choose the map's X and Y axis (the projection's, or a feature);
- ➖ / ➕ re-cluster with one cluster fewer or more;
- a select lists the page's tracks: "tracks like this one";
- 📥 takes the cluster home (CSV, M3U, XSPF); 📊 shows what sets it apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast

import discord

from bot.analysis.axes import axis_choices, axis_label
from bot.analysis.similar import cut
from bot.discord_ui.items import PersistentItem, custom_id
from bot.discord_ui.lens import HERE_PATTERN as HERE
from bot.discord_ui.lens import Lens
from bot.locales import ENGLISH, N_, Words
from bot.render.pages import PER_PAGE
from bot.render.similar import track_name

if TYPE_CHECKING:
    from bot.model import Analysis
    from bot.render.pages import Page


@dataclass(frozen=True, slots=True)
class Here:
    """Where a component was pressed: source message, cluster, page, lens."""

    source: int
    cluster: int
    page: int
    lens: Lens

    def token(self) -> str:
        return f"{self.source}:{self.cluster}:{self.page}:{self.lens.token()}"

    @classmethod
    def parse(cls, match: re.Match[str]) -> Here:
        return cls(
            int(match["source"]),
            int(match["cluster"]),
            int(match["page"]),
            Lens.parse(match["k"], match["x"], match["y"]),
        )


class ExploreHandlers(Protocol):
    """What the explore components call on a press (``ExploreActions`` of
    :mod:`bot.discord_ui.explore`, reached as ``bot.explore``)."""

    async def on_axis(
        self, interaction: discord.Interaction[Any], here: Here, axis: str, value: str
    ) -> None: ...
    async def on_count(
        self, interaction: discord.Interaction[Any], here: Here, delta: int
    ) -> None: ...
    async def on_similar(
        self, interaction: discord.Interaction[Any], here: Here, value: str
    ) -> None: ...
    async def on_home(self, interaction: discord.Interaction[Any], here: Here) -> None: ...
    async def on_apart(self, interaction: discord.Interaction[Any], here: Here) -> None: ...


class _HasExplore(Protocol):
    explore: ExploreHandlers


def _explore(interaction: discord.Interaction[Any]) -> ExploreHandlers:
    """The bot's explore actions, for a press arriving on ``interaction``."""
    return cast("_HasExplore", interaction.client).explore


def _button(label: str, component_id: str) -> discord.ui.Button[Any]:
    return discord.ui.Button(
        label=label, custom_id=component_id, style=discord.ButtonStyle.secondary
    )


class AxisSelect(PersistentItem[discord.ui.Select[Any]], pattern=r"ax:(?P<axis>[xy]):" + HERE):
    """Chooses what one axis of the map shows."""

    def __init__(self, here: Here, axis: str, select: discord.ui.Select[Any] | None = None) -> None:
        super().__init__(select or discord.ui.Select(custom_id=custom_id("ax", axis, here.token())))
        self.here = here
        self.axis = axis

    @classmethod
    def parse(cls, match: re.Match[str], item: discord.ui.Select[Any]) -> AxisSelect:
        return cls(Here.parse(match), match["axis"], item)

    async def pressed(self, interaction: discord.Interaction[Any]) -> None:
        explore = _explore(interaction)
        await explore.on_axis(interaction, self.here, self.axis, self.item.values[0])


class CountButton(PersistentItem[discord.ui.Button[Any]], pattern=r"kc:(?P<delta>[mp]):" + HERE):
    """Re-clusters with one cluster fewer (``m``) or more (``p``)."""

    def __init__(
        self,
        here: Here,
        delta: str,
        button: discord.ui.Button[Any] | None = None,
        words: Words = ENGLISH,
    ) -> None:
        label = words(N_("➖ Fewer clusters") if delta == "m" else N_("➕ More clusters"))
        super().__init__(button or _button(label, custom_id("kc", delta, here.token())))
        self.here = here
        self.delta = -1 if delta == "m" else 1

    @classmethod
    def parse(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> CountButton:
        return cls(Here.parse(match), match["delta"], item)

    async def pressed(self, interaction: discord.Interaction[Any]) -> None:
        await _explore(interaction).on_count(interaction, self.here, self.delta)


class SimilarSelect(PersistentItem[discord.ui.Select[Any]], pattern=r"sim:" + HERE):
    """Lists the page's tracks; choosing one answers with the tracks most like it."""

    def __init__(self, here: Here, select: discord.ui.Select[Any] | None = None) -> None:
        super().__init__(select or discord.ui.Select(custom_id=custom_id("sim", here.token())))
        self.here = here

    @classmethod
    def parse(cls, match: re.Match[str], item: discord.ui.Select[Any]) -> SimilarSelect:
        return cls(Here.parse(match), item)

    async def pressed(self, interaction: discord.Interaction[Any]) -> None:
        explore = _explore(interaction)
        await explore.on_similar(interaction, self.here, self.item.values[0])


class ClusterButton(PersistentItem[discord.ui.Button[Any]], pattern=r"(?P<what>home|why):" + HERE):
    """📥 the cluster's files, or 📊 what sets the cluster apart."""

    def __init__(
        self,
        here: Here,
        what: str,
        button: discord.ui.Button[Any] | None = None,
        words: Words = ENGLISH,
    ) -> None:
        label = words(N_("📥 Take home") if what == "home" else N_("📊 What sets it apart"))
        super().__init__(button or _button(label, custom_id(what, here.token())))
        self.here = here
        self.what = what

    @classmethod
    def parse(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> ClusterButton:
        return cls(Here.parse(match), match["what"], item)

    async def pressed(self, interaction: discord.Interaction[Any]) -> None:
        explore = _explore(interaction)
        if self.what == "home":
            await explore.on_home(interaction, self.here)
        else:
            await explore.on_apart(interaction, self.here)


DYNAMIC_ITEMS = (AxisSelect, CountButton, SimilarSelect, ClusterButton)


def _axis_select(
    here: Here, axis: str, current: str | None, choices: list[str], words: Words
) -> AxisSelect:
    item = AxisSelect(here, axis)
    name = axis.upper()
    item.item.add_option(
        label=words("{axis} axis: automatic projection", axis=name),
        value="a",
        default=current is None,
    )
    for i, column in enumerate(choices):
        feature = words(axis_label(column))
        item.item.add_option(
            label=cut(words("{axis} axis: {feature}", axis=name, feature=feature)),
            value=str(i),
            default=column == current,
        )
    return item


def _similar_select(here: Here, analysis: Analysis, page: Page) -> SimilarSelect | None:
    cluster = analysis.clusters[page.cluster]
    start = page.page * PER_PAGE
    tracks = cluster.tracks[start : start + PER_PAGE]
    if not tracks:
        return None
    position = {t.id: i for i, t in enumerate(analysis.playlist.tracks)}
    item = SimilarSelect(here)
    item.item.placeholder = page.words("🔎 Tracks like this one…")
    for number, track in enumerate(tracks, start=start + 1):
        index = position.get(track.id)
        if index is None:
            continue
        item.item.add_option(
            label=cut(f"{number}. {track_name(track)}") or str(number), value=str(index)
        )
    return item if item.item.options else None


@dataclass(slots=True)
class ExploreControls:
    """The explore components of a page, placed by the pager: 📊 beside the page moves,
    ➖ ➕ 📥 beside the cluster moves, then one row per select."""

    first: list[discord.ui.Item[Any]] = field(default_factory=list)
    second: list[discord.ui.Item[Any]] = field(default_factory=list)
    selects: list[discord.ui.Item[Any]] = field(default_factory=list)


def explore_items(
    analysis: Analysis,
    page: Page,
    *,
    source: int,
    lens: Lens,
    axes: tuple[str | None, str | None],
    counts: tuple[int, int],
) -> ExploreControls:
    """The explore components of a page (none for an analysis without clusters)."""
    if not analysis.clusters:
        return ExploreControls()
    here = Here(source, page.cluster, page.page, lens)
    shown = analysis.sound_cluster_count
    low, high = counts
    splittable = analysis.track_count >= 4
    words = page.words
    fewer, more = CountButton(here, "m", words=words), CountButton(here, "p", words=words)
    fewer.item.disabled = not splittable or shown <= low
    more.item.disabled = not splittable or shown >= high
    controls = ExploreControls(
        first=[ClusterButton(here, "why", words=words)],
        second=[fewer, more, ClusterButton(here, "home", words=words)],
    )
    choices = axis_choices(analysis.features.columns)
    if choices:
        controls.selects.append(_axis_select(here, "x", axes[0], choices, words))
        controls.selects.append(_axis_select(here, "y", axes[1], choices, words))
    similar = _similar_select(here, analysis, page)
    if similar is not None:
        controls.selects.append(similar)
    return controls
