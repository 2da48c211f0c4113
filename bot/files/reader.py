"""A playlist file named on the command line: is the text a path, and its bytes, bounded.

The CSV reader (:mod:`bot.sources.csvfile`) parses bytes; this module decides how
they come off the disk. Only regular files are read: a FIFO would block forever and
``/dev/zero`` or ``/dev/urandom`` report size 0 and never end, so the file is opened
without blocking (``O_NONBLOCK``) and checked with ``fstat`` on the open descriptor
(no race with a rename) before a byte is read. Reads stop at the size cap whatever
``stat`` said. Every operating-system refusal becomes a :class:`CsvError` sentence.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from bot.errors import CsvError, InputTooLarge
from bot.files.terminal import shown_path
from bot.model import Playlist
from bot.sources.csvfile import parse_playlist_csv
from bot.text import from_os

#: File name endings that make a text a file name even when no such file exists.
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
_CHUNK = 1 << 20
#: stat errors meaning "nothing is there": the text is then treated as a link.
_ABSENT = (errno.ENOENT, errno.ENAMETOOLONG, errno.EINVAL)

_OPEN_PROBLEMS = {
    errno.ENOENT: "No such file: {path}",
    errno.EACCES: "Cannot read {path}: permission denied.",
    errno.EPERM: "Cannot read {path}: permission denied.",
    errno.ELOOP: "Cannot read {path}: it is a loop of symbolic links.",
    errno.ENAMETOOLONG: "Cannot read {path}: the file name is too long.",
    errno.ENOTDIR: "Cannot read {path}: a part of the path is a file, not a folder.",
    errno.EISDIR: "{path} is a folder, not a CSV file.",
    errno.ENXIO: "{path} is not a regular file (a socket or device); give a CSV file.",
}


def expand(text: str) -> Path:
    """``text`` as a path with ``~`` expanded; a CsvError for an unknown ``~user``."""
    try:
        return Path(text).expanduser()
    except RuntimeError:
        user = from_os(text[1:].split("/", 1)[0])
        raise CsvError(
            f"Cannot read {shown_path(text)}: ~{user} names no user of this machine."
        ) from None


def looks_like_file(text: str) -> bool:
    """True when ``text`` names a file: something exists there, or it ends in .csv/.tsv/.txt.

    A path whose lookup fails for another reason than absence (a loop, no permission,
    a file used as a folder) is a file too, so the user hears what is wrong with it.
    """
    if not text or "://" in text or text.startswith(("spotify:", "deezer:")):
        return False
    if text.startswith("~") or Path(text).suffix.casefold() in CSV_SUFFIXES:
        return True
    try:
        os.lstat(text)
    except OSError as exc:
        return exc.errno not in _ABSENT
    except ValueError:  # an embedded NUL: not a path
        return False
    return True


def _problem(path: Path, exc: OSError) -> CsvError:
    template = _OPEN_PROBLEMS.get(exc.errno or 0, "Cannot read {path}: {reason}.")
    reason = (exc.strerror or type(exc).__name__).lower()
    return CsvError(template.format(path=shown_path(path), reason=reason))


def _refuse_special(path: Path, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise CsvError(f"{shown_path(path)} is a folder, not a CSV file.")
    if not stat.S_ISREG(mode):
        kind = "a named pipe" if stat.S_ISFIFO(mode) else "a device or special file"
        raise CsvError(f"{shown_path(path)} is {kind}, not a regular file; give a CSV file.")


def _too_large(size: int, max_bytes: int) -> InputTooLarge:
    return InputTooLarge(f"The file is {size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:g} MB.")


def _read_bounded(fd: int, max_bytes: int) -> bytes:
    """At most ``max_bytes`` bytes from ``fd``; InputTooLarge when there are more."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = os.read(fd, min(_CHUNK, max_bytes + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > max_bytes:
            raise InputTooLarge(
                f"The file is over {max_bytes / 1e6:g} MB, the limit; give a smaller file."
            )


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of the regular file at ``path``, refusing anything else or over ``max_bytes``."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise _problem(path, exc) from None
    except ValueError:
        raise CsvError(f"No such file: {shown_path(path)}") from None
    try:
        info = os.fstat(fd)
        _refuse_special(path, info.st_mode)
        if info.st_size > max_bytes:
            raise _too_large(info.st_size, max_bytes)
        return _read_bounded(fd, max_bytes)
    except OSError as exc:
        raise _problem(path, exc) from None
    finally:
        os.close(fd)


def display_name(path: Path) -> tuple[str, str]:
    """The playlist name (from the file name) and the reference id of a CSV file, as text."""
    return from_os(path.stem).replace("_", " "), from_os(path.name)


def read_playlist_file(
    path: Path, *, name: str | None = None, max_rows: int, max_bytes: int
) -> Playlist:
    """The CSV playlist in the regular file ``path`` (bounded read; blocking)."""
    data = read_regular_file(path, max_bytes)
    shown, ref_id = display_name(path)
    return parse_playlist_csv(
        data, name=name or shown, ref_id=ref_id, max_rows=max_rows, max_bytes=max_bytes
    )


def read_csv_source(text: str, *, max_rows: int, max_bytes: int) -> Playlist | None:
    """The CSV playlist when ``text`` names a file, else None (blocking: run in a thread).

    Imports nothing heavy, so a mistyped file name is answered at once.
    """
    if not looks_like_file(text):
        return None
    path = expand(text)
    data = read_regular_file(path, max_bytes)
    name, ref_id = display_name(path)
    return parse_playlist_csv(
        data, name=name, ref_id=ref_id, max_rows=max_rows, max_bytes=max_bytes
    )
