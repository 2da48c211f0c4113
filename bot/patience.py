"""Whether the analysis being made now waits for every lookup, whatever the budgets.

The bot answers a member within two Deezer time budgets (``DEEZER_MATCH_BUDGET_SECONDS``
for the matches of a public page's tracks, ``DEEZER_TRACK_BUDGET_SECONDS`` for tempo and
loudness): past them the lookups go on in the background and the answer says a fuller
one is coming. A post nobody is waiting on (a weekly post) wants the full answer
instead: its caller sets :attr:`bot.model.AnalysisOptions.complete`, the pipeline
enters :func:`waiting_for_all` around the fetch and the enrichment, and the Deezer
matcher and tempo provider, several calls below it, read :func:`waits_for_all` when
they set their deadlines. A context variable, so the sources' ``fetch`` and the
providers' ``enrich`` keep their signatures, and one analysis' patience never leaks
into another's (each asyncio task runs in a copy of the context it was made in).
Still bounded: every request has its HTTP timeout and retries, a job its timeout.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_WAIT_FOR_ALL: ContextVar[bool] = ContextVar("wait_for_all", default=False)


def waits_for_all() -> bool:
    """Whether the analysis in this context waits for every lookup (no budget)."""
    return _WAIT_FOR_ALL.get()


@contextmanager
def waiting_for_all(wait: bool = True) -> Iterator[None]:
    """Within the block, :func:`waits_for_all` is ``wait`` (or already True: an inner
    caller cannot make an outer patient one impatient)."""
    token = _WAIT_FOR_ALL.set(wait or _WAIT_FOR_ALL.get())
    try:
        yield
    finally:
        _WAIT_FOR_ALL.reset(token)
