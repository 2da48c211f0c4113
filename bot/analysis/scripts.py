"""The writing system of a title (Latin, Japanese, Hangul, Hebrew, Thai, ...): a piece of
metadata every source gives, used as a column of the feature table. Pure."""

from __future__ import annotations

import functools
import unicodedata
from collections import Counter

#: Unicode name prefixes of the scripts a title can be counted in, and their weight.
_SCRIPT_PREFIXES = (
    ("HIRAGANA", "Japanese", 3),
    ("KATAKANA", "Japanese", 3),
    ("CJK", "Han", 1),
    ("HANGUL", "Hangul", 1),
    ("HEBREW", "Hebrew", 1),
    ("THAI", "Thai", 1),
    ("ARABIC", "Arabic", 1),
    ("CYRILLIC", "Cyrillic", 1),
    ("GREEK", "Greek", 1),
    ("DEVANAGARI", "Devanagari", 1),
    ("LATIN", "Latin", 1),
)
#: The scripts a title can be in, by name ("Japanese titles" can set a cluster apart).
SCRIPT_NAMES = tuple(dict.fromkeys(name for _, name, _ in _SCRIPT_PREFIXES))


@functools.cache
def _letter_script(ch: str) -> tuple[str, int] | None:
    """(script, weight) of one letter, None for anything else (cached: titles repeat letters)."""
    if not ch.isalpha():
        return None
    name = unicodedata.name(ch, "")
    for prefix, script, weight in _SCRIPT_PREFIXES:
        if name.startswith(prefix):
            return script, weight
    return None


def title_script(text: str) -> str | None:
    """The dominant writing system of a title ('Latin', 'Japanese', 'Hangul', 'Han', ...).

    Kana anywhere makes a title Japanese even when it also has Han characters. A
    title without letters ("20", "1922") has no script.
    """
    counts: Counter[str] = Counter()
    for ch, times in Counter(text).items():
        found = _letter_script(ch)
        if found:
            counts[found[0]] += found[1] * times
    if not counts:
        return None
    if counts["Japanese"]:
        return "Japanese"
    return counts.most_common(1)[0][0]
