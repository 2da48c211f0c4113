"""The feature cache a provider may be given, and the batching every provider shares.

``FeatureCache`` is what ``storage.cache.CacheRepository`` implements: features per
(source, track id, provider, version), so a track's features are fetched once.
Absences are not cached: a track a provider lacks today may be known tomorrow.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Protocol

from bot.model import ProgressCallback
from bot.tasks import TASKS_PER_REQUEST, gather_bounded

log = logging.getLogger(__name__)

Features = dict[str, float]


class FeatureCache(Protocol):
    async def get_features(
        self, source: str, track_ids: Sequence[str], provider: str, version: int
    ) -> dict[str, dict[str, float]]: ...

    async def put_features(
        self,
        source: str,
        features: Mapping[str, Mapping[str, float]],
        provider: str,
        version: int,
    ) -> None: ...


async def lookup(
    keys: Sequence[str],
    *,
    source: str,
    provider: str,
    version: int,
    cache: FeatureCache | None,
    batch_size: int,
    concurrency: int,
    fetch: Callable[[list[str]], Awaitable[dict[str, Features]]],
    progress: ProgressCallback,
    stage: str,
) -> dict[str, Features]:
    """Features for ``keys``: cached ones first, the rest fetched in batches, then cached.

    ``fetch`` gets one batch of keys and returns features for those it knows; batches
    run at most ``concurrency`` at a time. Progress counts keys, cached ones included.
    """
    unique = list(dict.fromkeys(keys))
    found: dict[str, Features] = {}
    if cache is not None and unique:
        found.update(await cache.get_features(source, unique, provider, version))
    missing = [k for k in unique if k not in found]
    total = len(unique)
    done = total - len(missing)
    if total:
        progress(stage, done, total)
    batches = [missing[i : i + batch_size] for i in range(0, len(missing), batch_size)]

    async def run(batch: list[str]) -> dict[str, Features]:
        nonlocal done
        result = await fetch(batch)
        done += len(batch)
        progress(stage, done, total)
        return result

    fetched: dict[str, Features] = {}
    factories = [lambda b=b: run(b) for b in batches]
    for result in await gather_bounded(factories, concurrency * TASKS_PER_REQUEST):
        fetched.update({k: v for k, v in result.items() if v})
    if cache is not None and fetched:
        await cache.put_features(source, fetched, provider, version)
    found.update(fetched)
    return found
