"""Translations of what the bot says, from gettext catalogs a translator can edit.

``bot/locales/<locale>/LC_MESSAGES/messages.po`` (es, pt_BR, fr, de, ja, ko) translate the English
message ids of ``bot/locales/messages.pot``; they are read with Babel at first use (no
compile step: the ``.po`` files are the catalogs). :func:`words` gives the
:class:`Words` of a Discord locale (``ja``, ``pt-BR``, ``es-ES`` ...): sentences with
``{placeholders}``, plural forms by the catalog's own gettext rule, numbers and
percentages formatted by Babel for the locale, and cluster names translated word by
word. Anything missing falls back to English.
"""

from __future__ import annotations

import gettext
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path

from babel import UnknownLocaleError
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

log = logging.getLogger(__name__)

FOLDER = Path(__file__).parent
#: The locales with a catalog, as Discord names them.
LOCALES: dict[str, str] = {
    "es-ES": "es",
    "es-419": "es",
    "pt-BR": "pt_BR",
    "fr": "fr",
    "de": "de",
    "ja": "ja",
    "ko": "ko",
}


def N_(message: str) -> str:
    """Marks a module-level message for the catalogs; translate it with ``words(message)``."""
    return message


class Fixed(float):
    """A number always shown with ``places`` decimals (``Fixed(0.04, 1)``: 0.0, ``0,0``)."""

    places: int

    def __new__(cls, value: float, places: int = 1) -> Fixed:
        made = super().__new__(cls, value)
        made.places = places
        return made

    def __format__(self, spec: str) -> str:
        return format(float(self), spec or f",.{self.places}f")


class Words:
    """What one locale says: ``words("msg", x=1)``, ``words.n(one, many, count)``,
    ``words.number(n)``, ``words.percent(share)``, ``words.name(cluster_name)``."""

    def __init__(
        self,
        locale: str = "en",
        messages: dict[str, str] | None = None,
        plurals: dict[str, tuple[str, ...]] | None = None,
        rule: Callable[[int], int] | None = None,
    ) -> None:
        self.locale = locale
        self.messages = messages or {}
        self.plurals = plurals or {}
        self.rule = rule or (lambda n: int(n != 1))

    def __call__(self, message: str, **values: object) -> str:
        """``message`` translated, ``values`` filled in (numbers in the locale's way)."""
        said = self.messages.get(message) or message
        if not values:
            return said
        return said.format(**{key: self._shown(value) for key, value in values.items()})

    def _shown(self, value: object) -> object:
        if isinstance(value, Fixed):
            return format_decimal(value, format="#,##0." + "0" * value.places, locale=self.locale)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return self.number(value)
        return value

    def n(self, singular: str, plural: str, count: int, **values: object) -> str:
        """The plural form of ``count`` (``{count}`` is the number, formatted)."""
        forms = self.plurals.get(singular)
        if forms is None:  # not translated: English's rule
            forms, index = (singular, plural), int(count != 1)
        else:
            index = min(self.rule(count), len(forms) - 1)
        shown = {key: self._shown(value) for key, value in values.items()}
        return forms[index].format(count=self.number(count), **shown)

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.locale)

    def percent(self, share: float) -> str:
        return format_percent(share, locale=self.locale)

    def name(self, name: str) -> str:
        """A cluster name (``danceable · upbeat``) with each word translated."""
        return " · ".join(self.messages.get(word) or word for word in name.split(" · "))


ENGLISH = Words()


def catalog_path(code: str) -> Path:
    return FOLDER / code / "LC_MESSAGES" / "messages.po"


@cache
def load(code: str) -> Words:
    """The :class:`Words` of catalog ``code`` (``es``, ``ja``); fuzzy entries are skipped."""
    with catalog_path(code).open("rb") as handle:
        catalog = read_po(handle, locale=code)
    messages: dict[str, str] = {}
    plurals: dict[str, tuple[str, ...]] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            forms = tuple(message.string or ())
            if all(forms):
                plurals[message.id[0]] = forms
        elif message.string:
            messages[message.id] = message.string
    rule = gettext.c2py(catalog.plural_expr)  # type: ignore[attr-defined]
    return Words(code, messages, plurals, rule)


def words_for(locale: object) -> Words:
    """The words of a Discord locale (``discord.Locale`` or its value), English if none."""
    value = str(getattr(locale, "value", locale) or "")
    code = LOCALES.get(value) or LOCALES.get(value.split("-")[0])
    if code is None:
        return ENGLISH
    try:
        return load(code)
    except (OSError, UnknownLocaleError, ValueError):
        log.warning("could not read the %s catalog; answering in English", code, exc_info=True)
        return ENGLISH


_FIELD = re.compile(r"\\\{(\w+)\\\}")
_NUMBER = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")


@cache
def _pattern(template: str) -> re.Pattern[str]:
    """A regex that reads an English sentence made from ``template`` back into its values
    (a placeholder used twice must hold the same text both times)."""
    seen: set[str] = set()

    def group(found: re.Match[str]) -> str:
        name = found.group(1)
        if name in seen:
            return f"(?P={name})"
        seen.add(name)
        return f"(?P<{name}>.+?)"

    return re.compile(_FIELD.sub(group, re.escape(template)) + r"(?=\s|$)")


#: Reads one placeholder's English text into the words of a language (``said_again``).
Reader = Callable[[str, Words], str]


def _value(text: str, words: Words, reader: Reader | None = None) -> object:
    if reader is not None:
        return reader(text, words)
    if _NUMBER.fullmatch(text):
        plain = text.replace(",", "")
        return float(plain) if "." in plain else int(plain)
    return words(text)


def said_again(
    text: str,
    templates: Sequence[str],
    words: Words,
    readers: Mapping[str, Reader] | None = None,
) -> str:
    """English ``text`` (sentences made from ``templates`` with ``str.format``, joined by
    spaces) in ``words``' language: each sentence is read back into its template and
    values, and said again (numbers as the locale writes them, values that are messages
    translated, a placeholder named in ``readers`` read by its own function). A sentence
    no template made stays as it is."""
    if words is ENGLISH or not text:
        return text
    out: list[str] = []
    rest = text.strip()
    while rest:
        for template in templates:
            found = _pattern(template).match(rest)
            if found:
                values = {
                    k: _value(v, words, (readers or {}).get(k))
                    for k, v in found.groupdict().items()
                }
                out.append(words(template, **values))
                rest = rest[found.end() :].lstrip()
                break
        else:
            end = rest.find(". ")
            end = len(rest) if end < 0 else end + 1
            out.append(rest[:end])
            rest = rest[end:].lstrip()
    return " ".join(out)
