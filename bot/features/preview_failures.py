"""Previews that could not be analysed, remembered so a run does not download them again.

A preview that is silent, too short or not decodable stays so: downloading and
decoding it again on every analysis of the playlist costs time and the CDN's
patience for nothing. Such failures are stored in the feature cache (provider
:data:`FAILURE_PROVIDER`, one value per track: the failure's Unix time under the
reason's name) and trusted for ``retry_seconds`` (a day by default; the setting
``PREVIEW_RETRY_HOURS``), after which the preview is tried again, since the provider
may have replaced it. Failures that say nothing about the preview itself (a timeout,
an HTTP error, an expired signed URL, a host outside the allowlist, the size cap) are
never remembered.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

from bot.analysis.audio.preview_result import FEATURE_VERSION, SkipReason
from bot.features.cache import FeatureCache

FAILURE_PROVIDER = "preview-failure"
#: Reasons that belong to the preview, worth remembering.
LASTING_REASONS = frozenset(str(reason) for reason in SkipReason)
DAY_SECONDS = 86_400.0


class FailureMemory:
    """Reads and writes remembered preview failures in a feature cache (if any)."""

    def __init__(
        self,
        cache: FeatureCache | None,
        *,
        source: str,
        retry_seconds: float = DAY_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.cache = cache
        self.source = source
        self.retry_seconds = retry_seconds
        self.clock = clock

    @property
    def enabled(self) -> bool:
        return self.cache is not None and self.retry_seconds > 0

    async def recent(self, track_ids: Sequence[str]) -> dict[str, str]:
        """The reason of each of ``track_ids`` that failed less than ``retry_seconds`` ago."""
        if not self.enabled or not track_ids:
            return {}
        assert self.cache is not None
        stored = await self.cache.get_features(
            self.source, list(track_ids), FAILURE_PROVIDER, FEATURE_VERSION
        )
        now = self.clock()
        recent: dict[str, str] = {}
        for track_id, values in stored.items():
            for reason, failed_at in values.items():
                if reason in LASTING_REASONS and 0 <= now - failed_at < self.retry_seconds:
                    recent[track_id] = reason
        return recent

    async def remember(self, failures: Mapping[str, str]) -> None:
        """Store the lasting ones of ``failures`` (track id -> reason), stamped now."""
        lasting = {i: reason for i, reason in failures.items() if reason in LASTING_REASONS}
        if not self.enabled or not lasting:
            return
        assert self.cache is not None
        now = self.clock()
        await self.cache.put_features(
            self.source,
            {track_id: {reason: now} for track_id, reason in lasting.items()},
            FAILURE_PROVIDER,
            FEATURE_VERSION,
        )
