"""What can go wrong with a job on the queue, as the member is told it.

:class:`WorkersDown`, :class:`QueueDown`, :class:`JobTimedOut` and :class:`WorkerLost`
are :class:`~bot.errors.ProviderDown` (a passing failure with a sentence);
:class:`JobFailed` is a bug in the worker (logged under the job id);
:class:`QueueUnreachable` stops a process that cannot reach ``REDIS_URL`` at start.
"""

from __future__ import annotations

from bot.errors import ProviderDown, UserError
from bot.locales import N_

__all__ = [
    "JobFailed",
    "JobTimedOut",
    "QueueDown",
    "QueueUnreachable",
    "WorkerLost",
    "WorkersDown",
]


class WorkersDown(ProviderDown):
    """No analysis worker has been alive recently."""

    def __init__(self) -> None:
        super().__init__(
            N_(
                "No analysis worker is running right now, so this cannot be analysed. "
                "Please try again in a few minutes."
            )
        )


class QueueDown(ProviderDown):
    """Redis (the job queue) cannot be reached."""

    def __init__(self) -> None:
        super().__init__(
            N_("The analysis queue cannot be reached right now. Please try again in a few minutes.")
        )


class JobTimedOut(ProviderDown):
    """A job ran past JOB_TIMEOUT_SECONDS (and was stopped by its worker)."""

    def __init__(self, seconds: float) -> None:
        if seconds < 120:
            said = N_(
                "The analysis took longer than {count} seconds and was stopped. "
                "Please try again later, or with a smaller playlist."
            )
            super().__init__(said, count=int(seconds) if seconds == int(seconds) else seconds)
            return
        said = N_(
            "The analysis took longer than {count} minutes and was stopped. "
            "Please try again later, or with a smaller playlist."
        )
        super().__init__(said, count=round(seconds / 60))


class WorkerLost(ProviderDown):
    """The worker running the job stopped (no heartbeat), and it could not run again."""

    def __init__(self) -> None:
        super().__init__(
            N_(
                "The worker running this analysis stopped before it finished. "
                "Please try again in a minute."
            )
        )


class JobFailed(Exception):
    """A bug in the worker; its log has the traceback under the job id."""


class QueueUnreachable(UserError):
    """REDIS_URL is set but Redis does not answer when the process starts."""
