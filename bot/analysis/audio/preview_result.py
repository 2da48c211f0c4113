"""What a preview analysis returns, without the numerics that compute it (pure, no I/O).

:mod:`bot.analysis.audio.signal` needs scipy's signal, FFT and filter modules and
:mod:`bot.analysis.audio.decode` needs the audio decoder: together about a second of
imports. The preview provider, the failure memory and the cache only need the
version of the features and the reasons a preview gives none, so those live here
and the heavy modules are imported when a preview is actually analysed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

#: Bump whenever a feature's formula, unit or a constant of bot.analysis.audio.signal changes.
FEATURE_VERSION = 1


class SkipReason(enum.StrEnum):
    """Why a piece of audio gave no features; the value is shown to users in counts."""

    TOO_SHORT = "too short"
    SILENT = "silent"
    UNDECODABLE = "could not be decoded"


@dataclass(frozen=True, slots=True)
class Skipped:
    """No features for this audio, and why (``detail`` is for logs)."""

    reason: SkipReason
    detail: str = ""
