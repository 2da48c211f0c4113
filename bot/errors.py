"""Errors a user can cause, each carrying a sentence meant for that user.

The CLI prints ``str(error)`` on one line and exits 2; the bot answers it
ephemerally. Anything that is not a :class:`UserError` is a bug: it is logged with a
traceback and an id, and the user sees only the id.
"""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix or should know; the message is shown as it is."""


class BadInput(UserError):
    """The text, link or file does not name a usable playlist."""


class BadLink(BadInput):
    """Text that is not a playlist link we understand."""


class CsvError(BadInput):
    """An uploaded or given CSV file that cannot be read as a playlist."""


class InputTooLarge(BadInput):
    """A file or playlist over the configured limits."""


class PlaylistUnavailable(UserError):
    """The playlist does not exist, is private, or this app may not read it."""


class TooFewTracks(UserError):
    """Not enough usable tracks to cluster."""


class ProviderDown(UserError):
    """A remote provider failed after bounded retries, or its quota is exhausted."""


class UnusableAnswer(ProviderDown):
    """A provider's answer that does not have the shape of its API (parsed, not trusted)."""


class DatabaseTooNew(UserError):
    """The database file was written by a newer version of this program."""


class DatabaseUnusable(UserError):
    """The database file is not a SQLite database this program can use."""
