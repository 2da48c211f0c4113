"""Refresh bot/locales/messages.pot from the code and merge it into every catalog.

Messages are the first argument of ``words("...")`` calls and the two forms of
``words.n("...", "...", count)``; cluster names' words come from the trait vocabulary
(``bot/analysis/vocabulary.py``). New messages arrive untranslated (English is shown
until a translator fills them in); messages gone from the code are dropped.
Run: python scripts/update_catalogs.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.analysis.axes import BINARY_COLUMNS, METADATA_AXES, axis_choices, axis_label  # noqa: E402
from bot.analysis.naming import FALLBACK  # noqa: E402
from bot.analysis.scripts import SCRIPT_NAMES  # noqa: E402
from bot.analysis.unheard import UNHEARD_NAME  # noqa: E402
from bot.analysis.vocabulary import TRAITS, column_label  # noqa: E402
from bot.discord_ui.translator import command_strings  # noqa: E402
from bot.locales import FOLDER, LOCALES, catalog_path  # noqa: E402
from bot.model import PROVIDER_AUDIO_FEATURES  # noqa: E402
from bot.render.summary import SKIP_REASONS  # noqa: E402

KEYWORDS = {"words": None, "n": (1, 2), "N_": None}


def cog_commands() -> list[object]:
    """The app commands the cogs define (the context menu is marked with N_)."""
    import importlib

    from discord.ext import commands

    from bot.roots.app import COGS

    found: list[object] = []
    for name in COGS:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, commands.Cog):
                if value.__cog_is_app_commands_group__:
                    found.append(
                        type(
                            "G",
                            (),
                            {
                                "name": value.__cog_group_name__,
                                "description": value.__cog_group_description__,
                                "commands": value.__cog_app_commands__,
                            },
                        )
                    )
                else:
                    found.extend(value.__cog_app_commands__)
    return found


def template() -> Catalog:
    catalog = Catalog(project="playlist-clusters", charset="utf-8")
    for folder in ("bot", "cogs"):
        for name, line, message, _comments, _context in extract_from_dir(
            ROOT / folder, keywords=KEYWORDS, comment_tags=()
        ):
            catalog.add(message, locations=[(f"{folder}/{name}", line)])
    for text in sorted(set(command_strings(iter(cog_commands())))):
        catalog.add(text, auto_comments=["a command, option or their description"])
    for above, below in TRAITS.values():
        for word in (above, below):
            catalog.add(word, auto_comments=["a word of cluster names"])
    catalog.add(FALLBACK, auto_comments=["a cluster name"])
    catalog.add(UNHEARD_NAME, auto_comments=["a cluster name"])
    for script in SCRIPT_NAMES:  # trait_word's "{script} titles"
        catalog.add(f"{script} titles", auto_comments=["a word of cluster names"])
    for forms in SKIP_REASONS.values():
        catalog.add(forms, auto_comments=["entries left out of (or noted in) a playlist"])
    for column in axis_columns():
        catalog.add(axis_label(column), auto_comments=["a feature a map axis can show"])
    for label in picture_features(catalog):
        catalog.add(label, auto_comments=["a feature in a picture"])
    return catalog


def picture_features(catalog: Catalog) -> list[str]:
    """Features as the pictures name them, without units (a projection axis' sides, a
    bar of the bar chart: ``tempo`` beside the axis menus' ``tempo (BPM)``), those not
    in ``catalog`` yet."""
    labels = dict.fromkeys(column_label(c) for c in (*axis_columns(), *BINARY_COLUMNS))
    return [label for label in labels if catalog.get(label) is None]


def axis_columns() -> list[str]:
    """Every feature column a map axis can offer (provider audio features, the
    preview analysis' columns, metadata), by the same rule as the axis menus."""
    from bot.analysis.audio.signal import FEATURE_NAMES

    columns = [*PROVIDER_AUDIO_FEATURES, *FEATURE_NAMES, *METADATA_AXES]
    # the timbre coefficients keep their technical names ("mfcc 3") in every language
    named = [c for c in dict.fromkeys(columns) if not c.startswith("mfcc")]
    return axis_choices(named)


def main() -> None:
    pot = template()
    with (FOLDER / "messages.pot").open("wb") as handle:
        write_po(handle, pot, width=100, omit_header=False)
    for code in sorted(set(LOCALES.values())):
        path = catalog_path(code)
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=code)
        catalog.update(pot, no_fuzzy_matching=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, ignore_obsolete=True)
        print(f"{path.relative_to(ROOT)}: {len(catalog)} messages")


if __name__ == "__main__":
    main()
