"""Text that crosses the terminal boundary: arguments in, stdout and stderr out (pure).

Arguments arrive from the operating system as bytes decoded with surrogate escapes
(a file name or ``--name`` that is not UTF-8); names from a playlist may carry
terminal control sequences. Nothing of either kind may reach a cache key, a picture
or the terminal: :func:`from_os` makes valid text, :func:`printable` strips control
characters from what goes to stdout, :func:`one_line` keeps an error message on one
stderr line with its controls shown as escapes.
"""

from __future__ import annotations

import re
import unicodedata

from bot.text import from_os

#: ANSI/VT escape sequences (CSI, OSC, two-character escapes), removed as a whole.
_ESCAPE_SEQUENCE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|.)?")
#: Characters that reorder or hide text on a terminal (bidi embeddings and overrides).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Longest error line printed; paths and values in messages are cut to fit.
MAX_LINE = 2000


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cs") or ch in _BIDI_CONTROLS


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` for stdout: escape sequences removed, other control characters as spaces."""
    text = _ESCAPE_SEQUENCE.sub("", from_os(text))
    out = []
    for ch in text:
        if ch == "\n" and keep_newlines:
            out.append(ch)
        elif _is_control(ch):
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def one_line(text: str) -> str:
    """``text`` as one line for stderr: controls and surrogates shown as escapes, cut long."""
    out = []
    for ch in text:
        if _is_control(ch):
            out.append(ascii(ch)[1:-1])
        else:
            out.append(ch)
    line = "".join(out)
    if len(line) > MAX_LINE:
        line = line[: MAX_LINE - 1] + "…"
    return line


def shown_path(path: object, limit: int = 200) -> str:
    """A path for a message: valid text, cut in the middle when longer than ``limit``."""
    text = from_os(str(path))
    if len(text) <= limit:
        return text
    half = (limit - 1) // 2
    return text[:half] + "…" + text[-half:]
