"""The translation catalogs (bot/locales): complete, placeholders intact, plural forms
as the language has them, numbers by locale, English as the fallback."""

from __future__ import annotations

import importlib.util
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot.locales import ENGLISH, FOLDER, LOCALES, catalog_path, load, words_for

ROOT = Path(__file__).resolve().parents[2]


def _fields(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def problems(template: Catalog, catalog: Catalog) -> list[str]:
    """What a catalog lacks or gets wrong against the template (empty: nothing)."""
    found = []
    for message in template:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        translated = catalog.get(key)
        if translated is None or translated.fuzzy or not translated.string:
            found.append(f"missing: {key!r}")
            continue
        forms = translated.string if isinstance(translated.string, tuple) else (translated.string,)
        if isinstance(message.id, tuple) and len(forms) != catalog.num_plurals:
            found.append(f"{key!r}: {len(forms)} plural forms, not {catalog.num_plurals}")
        for form in forms:
            if not form:
                found.append(f"missing form: {key!r}")
            elif _fields(form) != _fields(key):
                found.append(f"placeholders differ: {key!r} -> {form!r}")
    return found


def _template() -> Catalog:
    with (FOLDER / "messages.pot").open("rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("code", sorted(set(LOCALES.values())))
def test_every_catalog_has_every_message_with_the_same_placeholders(code: str) -> None:
    with catalog_path(code).open("rb") as handle:
        catalog = read_po(handle, locale=code)
    assert problems(_template(), catalog) == []


def test_the_check_fails_on_a_missing_key_or_a_changed_placeholder() -> None:
    template = _template()
    with catalog_path("ja").open("rb") as handle:
        catalog = read_po(handle, locale="ja")
    catalog.delete("Sets it apart: {traits}")
    catalog["Album art: {album}"].string = "アルバムアート: {albun}"
    found = problems(template, catalog)
    assert "missing: 'Sets it apart: {traits}'" in found
    assert any(p.startswith("placeholders differ: 'Album art: {album}'") for p in found)


def test_the_template_holds_what_the_code_says() -> None:
    spec = importlib.util.spec_from_file_location("update", ROOT / "scripts/update_catalogs.py")
    assert spec is not None and spec.loader is not None
    update = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(update)
    code_ids = {m.id for m in update.template() if m.id}
    assert code_ids == {m.id for m in _template() if m.id}, "run scripts/update_catalogs.py"


def test_plurals_numbers_and_fallback() -> None:
    ja, es = words_for("ja"), words_for("es-ES")
    assert ja.n("{count} track", "{count} tracks", 1) == "1 曲"
    assert ja.n("{count} track", "{count} tracks", 1234) == "1,234 曲"
    assert es.n("{count} track", "{count} tracks", 1) == "1 canción"
    assert es.n("{count} track", "{count} tracks", 1234) == "1.234 canciones"
    assert es.n("{count} track", "{count} tracks", 12345) == "12.345 canciones"
    assert es.n("{count} track", "{count} tracks", 1_000_000) == "1.000.000 de canciones"
    assert es.percent(0.5) == "50\u00a0%" and ja.percent(0.5) == "50%"
    assert ja.name("danceable · upbeat · k-pop") == "踊れる · 明るい · k-pop"  # genres stay
    assert words_for("it") is ENGLISH and words_for("") is ENGLISH  # no catalog: English
    pt, de, ko, fr = (words_for(x) for x in ("pt-BR", "de", "ko", "fr"))
    assert pt.n("{count} track", "{count} tracks", 2500) == "2.500 faixas"
    assert de.n("{count} cluster", "{count} clusters", 1) == "1 Gruppe"
    assert ko.n("{count} track", "{count} tracks", 3) == "3곡"
    assert fr.n("{count} track", "{count} tracks", 12345) == "12\u202f345 titres"
    assert ja("A message nobody translated {x}", x=1) == "A message nobody translated 1"
    assert load("ja") is load("ja")  # read once
