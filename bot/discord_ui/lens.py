"""What a paged message shows besides its page, and where that state lives.

A shared message (the answer to `/clusters`, a weekly post) keeps its state in the
database: its analysis key (which clustering), its page position and its map axes
(``MessageState.map_x/map_y``). A stranger's private copy has no row of its own: its
components' custom ids carry the shared message's id (``source``), the position and a
:class:`Lens`, so a press after a restart rebuilds exactly what the copy showed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.analysis.axes import axis_choices
from bot.services.analyzer import AnalysisExpired

if TYPE_CHECKING:
    from bot.model import Analysis
    from bot.services.analyzer import Analyzer
    from bot.services.explorer import Explorer
    from storage.messages import MessageRepository, MessageState

#: The custom-id fragment of a lens: ``k.x.y`` (k 0 = automatic; x/y 'a' = projection).
LENS_PATTERN = r"(?P<k>[0-9]{1,2})\.(?P<x>a|[0-9]{1,2})\.(?P<y>a|[0-9]{1,2})"
#: Source message, cluster and page, then the lens.
HERE_PATTERN = (
    r"(?P<source>[0-9]{1,20}):(?P<cluster>[0-9]{1,3}):(?P<page>[0-9]{1,5}):" + LENS_PATTERN
)


@dataclass(frozen=True, slots=True)
class Lens:
    """Which clustering (``k``: the analysis options' k, 0 = automatic) and which map
    axes (indexes into :func:`axis_choices`, -1 = the projection's axis)."""

    k: int = 0
    x: int = -1
    y: int = -1

    def token(self) -> str:
        def axis(i: int) -> str:
            return "a" if i < 0 else str(i)

        return f"{self.k}.{axis(self.x)}.{axis(self.y)}"

    @classmethod
    def parse(cls, k: str, x: str, y: str) -> Lens:
        return cls(int(k), -1 if x == "a" else int(x), -1 if y == "a" else int(y))

    @classmethod
    def of(cls, analysis: Analysis, axes: tuple[str | None, str | None]) -> Lens:
        """The lens of ``analysis`` shown with map ``axes`` (feature names or None)."""
        choices = axis_choices(analysis.features.columns)
        x, y = (choices.index(a) if a in choices else -1 for a in axes)
        return cls(analysis.options.k or 0, x, y)

    def axes(self, analysis: Analysis) -> tuple[str | None, str | None]:
        """Feature names of the axes (None for the projection, or an index now unknown)."""
        choices = axis_choices(analysis.features.columns)

        def name(i: int) -> str | None:
            return choices[i] if 0 <= i < len(choices) else None

        return name(self.x), name(self.y)


def axes_of(state: MessageState) -> tuple[str | None, str | None]:
    """The map axes stored for a shared message."""
    return state.map_x or None, state.map_y or None


@dataclass(slots=True)
class Target:
    """What an interaction acts on: the shared message's state, the analysis shown
    (its key) and the map axes."""

    state: MessageState
    key: str
    analysis: Analysis
    axes: tuple[str | None, str | None]

    @property
    def lens(self) -> Lens:
        return Lens.of(self.analysis, self.axes)


async def shared_target(messages: MessageRepository, analyzer: Analyzer, message_id: int) -> Target:
    """The target of a shared (stored) message; AnalysisExpired when it is gone."""
    state = await messages.get(message_id)
    if state is None:
        raise AnalysisExpired()
    analysis = await analyzer.require(state.analysis_key)
    return Target(state, state.analysis_key, analysis, axes_of(state))


async def copy_target(
    messages: MessageRepository, analyzer: Analyzer, explorer: Explorer, source: int, lens: Lens
) -> Target:
    """The target of a private copy of shared message ``source`` seen through ``lens``."""
    shared = await shared_target(messages, analyzer, source)
    if (shared.analysis.options.k or 0) == lens.k:
        return Target(shared.state, shared.key, shared.analysis, lens.axes(shared.analysis))
    outcome = await explorer.with_clusters(shared.analysis, lens.k or None)
    return Target(shared.state, outcome.key, outcome.analysis, lens.axes(outcome.analysis))
