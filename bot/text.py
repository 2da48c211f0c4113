"""Small wording helpers shared by the CLI, the renderers and the bot."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def plural(count: int, noun: str) -> str:
    """'1 local file', '3 local files', '2 rows without a title' (the first word is pluralised
    when the noun has several words and its first word is a plural-able head like 'row')."""
    if count == 1:
        return f"{count:,} {noun}"
    head, sep, rest = noun.partition(" ")
    if head in {"row", "track", "entry"} and rest:
        head = "entries" if head == "entry" else head + "s"
        return f"{count:,} {head}{sep}{rest}"
    if noun.endswith("y") and not noun.endswith(("ay", "ey", "oy", "uy")):
        return f"{count:,} {noun[:-1]}ies"
    if noun.endswith(("s", "x", "ch", "sh")):
        return f"{count:,} {noun}es"
    return f"{count:,} {noun}s"


def describe_skips(skipped: Mapping[str, int]) -> str:
    """'3 local files, 1 duplicate skipped', or '' when nothing was skipped."""
    if not skipped:
        return ""
    return ", ".join(plural(n, reason) for reason, n in skipped.items()) + " skipped"


def describe_notes(notes: Mapping[str, int]) -> str:
    """'3 tracks not playable on Deezer here (kept in the analysis)', or '' without notes."""
    if not notes:
        return ""
    return ", ".join(plural(n, what) for what, n in notes.items()) + " (kept in the analysis)"


def describe_reading(
    *,
    listed: int | None,
    read: int,
    matched: int | None,
    with_features: int,
    origin: str,
) -> str:
    """'Read 100 of 312 tracks from Spotify's public embed page; 96 matched on Deezer;
    94 with audio features', or '' for a playlist read whole from its service's API
    (whose feature summary already says the rest)."""
    if not origin and matched is None and (listed is None or listed == read):
        return ""
    counted = plural(read, "track") if listed is None else f"{read:,} of {plural(listed, 'track')}"
    parts = [f"Read {counted}" + (f" from {origin}" if origin else "")]
    if matched is not None:
        parts.append(f"{matched:,} matched on Deezer")
    parts.append(f"{with_features:,} with audio features")
    return "; ".join(parts)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (an emoji counts 2), as Discord counts its limits."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def cut_utf16(text: str, limit: int) -> str:
    """``text`` within ``limit`` UTF-16 units, an ellipsis marking any cut."""
    if utf16_len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    out: list[str] = []
    used = 0
    for ch in text:
        size = 2 if ord(ch) > 0xFFFF else 1
        if used + size > limit - 1:
            break
        out.append(ch)
        used += size
    return "".join(out).rstrip() + "…"


def shorten(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` characters, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)].rstrip() + "…"


def from_os(text: str) -> str:
    """``text`` with surrogates (undecodable bytes of argv or a file name) as U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        pass
    else:
        return text
    try:  # bytes of argv or a file name: one U+FFFD per undecodable byte
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # lone surrogates from elsewhere (JSON "\ud800")
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def fit_plain_lines(parts: Sequence[str], limit: int) -> str:
    """Join already-escaped ``parts`` with newlines, dropping trailing parts over ``limit``."""
    out: list[str] = []
    used = 0
    for part in parts:
        size = utf16_len(part) + (1 if out else 0)
        if used + size > limit:
            break
        out.append(part)
        used += size
    return "\n".join(out)
