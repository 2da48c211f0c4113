"""Settings from the environment and ``.env``: :func:`get_settings` for the composition roots.

:class:`Settings` is the flat fields of :mod:`bot.settings.fields` with the group views
of :mod:`bot.settings.views`; no layer below the roots imports this package's env or
views (each is handed its group of :mod:`bot.settings.groups`).
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import ValidationError

from bot.errors import UserError
from bot.settings.fields import SECRETS
from bot.settings.views import GroupViews


class BadSetting(UserError):
    """A setting (environment or .env) with a value this program cannot use."""


class Settings(GroupViews):
    """All knobs of the bot and the CLI: the flat fields and the groups cut from them."""


def _describe(error: ValidationError) -> str:
    """The first problem of a validation error as 'NAME=value is not usable: why'."""
    first = error.errors(include_url=False)[0]
    field = str(first["loc"][0]) if first["loc"] else ""
    why = str(first["msg"]).removeprefix("Value error, ")
    if not field:
        return f"A setting is not usable: {why}."
    value = first.get("input")
    shown = "" if field in SECRETS or not isinstance(value, str) else f"={value[:60]!r}"
    return f"The setting {field.upper()}{shown} is not usable: {why}."


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once; BadSetting naming the variable when one is wrong."""
    try:
        return Settings()
    except ValidationError as exc:
        raise BadSetting(_describe(exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadSetting(f"Cannot read the settings file .env: {exc}.") from None
