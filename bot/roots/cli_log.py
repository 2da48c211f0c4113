"""How the CLI's commands that end (``analyze``, ``cache``, ``db``) log: nothing unless asked.

A user error is the one line :func:`bot.roots.cli.main` prints; a warning logged on the
way to it would be a second line. So these commands log only with ``-v`` (progress
notes and warnings; ``-vv`` debug lines too) or when ``LOG_LEVEL`` is set.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings.env import Settings

__all__ = ["command_logging", "log_level", "verbose_option"]


def verbose_option() -> argparse.ArgumentParser:
    """``-v``/``--verbose`` (repeatable), shared by the commands that end."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--verbose",
        "-v",
        action="count",
        default=0,
        help="show progress notes and warnings on stderr (-vv: debug); or set LOG_LEVEL",
    )
    return common


def log_level(verbose: int, settings: Settings) -> int:
    """The log level of a command that ends: ``-v`` INFO, ``-vv`` DEBUG, else ``LOG_LEVEL``
    when it is set, else nothing at all (a user error is the one line ``main`` prints;
    a warning logged on the way to it would be a second)."""
    if verbose:
        return logging.DEBUG if verbose > 1 else logging.INFO
    if "log_level" in settings.model_fields_set:
        return int(getattr(logging, settings.log_level.upper(), logging.INFO))
    return logging.CRITICAL + 1


@contextmanager
def command_logging(verbose: int, settings: Settings) -> Iterator[None]:
    """For the block: log to stderr at :func:`log_level` (nothing at all by default: a
    NullHandler keeps Python's last-resort handler from printing warnings), Python's
    warnings included; the logging set-up is restored afterwards (the CLI also runs
    in-process, in tests)."""
    root = logging.getLogger()
    level = log_level(verbose, settings)
    handler: logging.Handler
    if level > logging.CRITICAL:
        handler = logging.NullHandler()
    else:
        handler = logging.StreamHandler()
        handler.setLevel(level)
        handler.setFormatter(
            logging.Formatter("playlist-clusters: %(levelname)s %(name)s: %(message)s")
        )
    old_level = root.level
    root.addHandler(handler)
    if level <= logging.CRITICAL:
        root.setLevel(level)
    logging.captureWarnings(True)
    try:
        yield
    finally:
        logging.captureWarnings(False)
        root.removeHandler(handler)
        root.setLevel(old_level)
