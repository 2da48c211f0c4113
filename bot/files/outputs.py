"""The CLI's output folder: checked before the analysis, written all or nothing.

The folder is checked (created, writable, no folder where a result file goes)
before any network request or computation, so a wrong ``--out`` costs nothing.
Each result is written to a new temporary file in the same folder (``O_EXCL``: never
through a symlink someone left there) and renamed into place only when all three are
complete; a failure (a full disk, a folder appearing meanwhile) removes the
temporary files and leaves the previous results, if any, untouched. Nothing is
written outside the folder.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from bot.errors import UserError
from bot.files.terminal import shown_path

PNG_NAME = "clusters_scatter.png"
MD_NAME = "clusters.md"
JSON_NAME = "clusters.json"
RESULT_NAMES = (MD_NAME, PNG_NAME, JSON_NAME)


class OutputUnusable(UserError):
    """The output folder cannot be created or written."""


def _reason(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


def check_writable(folder: Path) -> None:
    """Create and remove a temporary file in ``folder`` (catches read-only places)."""
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=".playlist-clusters-", suffix=".tmp")
    except OSError as exc:
        raise OutputUnusable(f"Cannot write into {shown_path(folder)}: {_reason(exc)}.") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(name)


def prepare_folder(folder: Path) -> Path:
    """Create ``folder`` if needed and check results can be written into it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputUnusable(
            f"{shown_path(folder)} exists and is not a folder; choose another --out."
        ) from None
    except OSError as exc:
        raise OutputUnusable(
            f"Cannot create the output folder {shown_path(folder)}: {_reason(exc)}."
        ) from None
    for name in RESULT_NAMES:
        target = folder / name
        if target.is_dir() and not target.is_symlink():
            raise OutputUnusable(f"{shown_path(target)} is a folder; move it or choose --out.")
    check_writable(folder)
    return folder


def _existing_ancestor(folder: Path) -> Path:
    """``folder`` or its nearest ancestor that exists (an OutputUnusable if none is usable)."""
    current = folder.absolute()
    while True:
        try:
            os.lstat(current)
            return current
        except (FileNotFoundError, NotADirectoryError):
            if current.parent == current:
                return current
            current = current.parent
        except (OSError, ValueError) as exc:
            reason = _reason(exc) if isinstance(exc, OSError) else "it contains a NUL character"
            raise OutputUnusable(f"Cannot use {shown_path(folder)} as --out: {reason}.") from None


def check_folder(folder: Path) -> None:
    """Before the analysis: results could be written into ``folder``, creating nothing."""
    existing = _existing_ancestor(folder)
    if existing == folder.absolute():
        prepare_folder(folder)
        return
    if not existing.is_dir():
        raise OutputUnusable(
            f"Cannot create {shown_path(folder)}: {shown_path(existing)} is a file, not a folder."
        )
    check_writable(existing)


def _write_temporary(folder: Path, name: str, data: bytes) -> str:
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return temporary


def write_results(folder: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write ``files`` (name -> bytes) into ``folder`` all or nothing; their paths, in order."""
    prepare_folder(folder)
    temporaries: dict[str, str] = {}
    try:
        for name, data in files.items():
            temporaries[name] = _write_temporary(folder, name, data)
        for name, temporary in list(temporaries.items()):
            os.replace(temporary, folder / name)
            del temporaries[name]
    except OSError as exc:
        raise OutputUnusable(
            f"Could not write the results into {shown_path(folder)}: {_reason(exc)}."
        ) from None
    finally:
        for temporary in temporaries.values():
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    return [folder / name for name in files]
