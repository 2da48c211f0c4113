"""Errors a user can cause, each carrying a sentence meant for that user.

The CLI prints ``str(error)`` on one line and exits 2; the bot answers it
ephemerally, in the member's language. Anything that is not a :class:`UserError` is a
bug: it is logged with a traceback and an id, and the user sees only the id.

A sentence is given as a message id and its values, ``BadLink(N_("… {link} …"),
link=text)``: ``str(error)`` is the English sentence (numbers as ``1,234``), and the
Discord layer translates ``error.message`` with ``error.values`` through the catalogs
(``bot/locales``), formatting the numbers for the member's locale. A sentence made
with an f-string still works; it is shown in English.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType


def english(message: str, values: Mapping[str, object]) -> str:
    """``message`` with ``values`` filled in, numbers written the English way (1,234)."""
    if not values:
        return message
    return message.format(**{key: _english(value) for key, value in values.items()})


def _english(value: object) -> object:
    places = getattr(value, "places", None)  # bot.locales.Fixed: so many decimals
    if isinstance(places, int):
        return f"{value:,.{places}f}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,}"
    return value


class UserError(Exception):
    """Something the user can fix or should know; the message is shown as it is."""

    #: The message id (English, with ``{placeholders}``) and its values.
    message: str = ""
    values: Mapping[str, object] = MappingProxyType({})

    def __init__(self, message: str = "", /, **values: object) -> None:
        super().__init__(english(message, values))
        self.message = message
        self.values = values


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
