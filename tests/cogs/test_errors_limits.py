"""User errors answered privately, bugs reported with an id, the cooldown and the line."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.errors import ProviderDown
from bot.model import ProgressCallback, Track
from bot.pipeline.runner import Pipeline
from bot.settings.env import Settings
from tests.harness import World, playlist_csv, world


class FailingProvider:
    """A feature provider that fails the way a remote one can, or with a bug."""

    name = "failing"
    family = "provider"

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def enrich(self, tracks: Sequence[Track], progress: ProgressCallback) -> int:
        raise self.error


def failing_pipeline(error: Exception):
    def factory(settings: Settings, web: Any, cache: Any) -> Pipeline:
        return Pipeline(
            providers=[FailingProvider(error)],
            cache=cache,
            freshness_seconds=settings.freshness_seconds,
        )

    return factory


def only_message(result) -> Any:
    """The single message the user ended up seeing for an interaction."""
    shown = [m for m in [result.response, *result.followups] if m is not None]
    assert len(shown) == 1, shown
    return shown[0]


async def test_neither_link_nor_file_is_answered_privately(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        result = await w.owner.slash(w.channel, "clusters")
        assert result.ephemeral
        assert result.response.content == (
            "Give either a playlist link or a CSV file (one of the two)."
        )
        assert w.channel.history() == []


async def test_a_file_over_the_limit_is_refused_before_downloading(tmp_path: Path) -> None:
    async with world(tmp_path, csv_max_bytes=1000) as w:
        result = await w.clusters(csv_bytes=playlist_csv())
        assert result.ephemeral
        assert re.fullmatch(
            r"The file is 0\.\d MB; the limit is 0\.001 MB\.", result.response.content
        )


async def test_an_unreadable_file_is_answered_privately_and_nothing_public_remains(
    tmp_path: Path,
) -> None:
    async with world(tmp_path) as w:
        result = await w.clusters(csv_bytes=b"\x00\x01\x02 binary", filename="x.csv")
        shown = only_message(result)
        assert shown.ephemeral
        assert shown.content == "The file is binary, not a CSV text file."
        assert w.channel.history() == []  # the public "working on it" message is gone


async def test_a_provider_that_is_down_is_explained(tmp_path: Path) -> None:
    error = ProviderDown("Deezer is not answering right now; please try again in a few minutes.")
    async with world(
        tmp_path, pipeline_factory=failing_pipeline(error), user_cooldown_seconds=60
    ) as w:
        shown = only_message(await w.clusters(csv_bytes=playlist_csv()))
        assert shown.ephemeral
        assert shown.content == str(error)
        # a failed request does not cost the cooldown: trying again is answered the same way
        again = only_message(await w.clusters(csv_bytes=playlist_csv()))
        assert again.content == str(error)


async def test_a_bug_is_logged_with_an_id_the_user_sees(tmp_path: Path, caplog) -> None:
    bug = RuntimeError("index out of range in the secret sauce")
    async with world(tmp_path, pipeline_factory=failing_pipeline(bug)) as w:
        shown = only_message(await w.clusters(csv_bytes=playlist_csv()))
        assert shown.ephemeral
        match = re.search(r"error id `([0-9a-f]{8})`", shown.content)
        assert match is not None
        assert "secret sauce" not in shown.content
        logged = [r for r in caplog.records if match.group(1) in r.getMessage()]
        assert logged and logged[0].exc_info is not None and logged[0].exc_info[1] is bug


async def test_a_second_request_within_the_cooldown_is_refused(tmp_path: Path) -> None:
    async with world(tmp_path, user_cooldown_seconds=60) as w:
        first = await w.clusters(csv_bytes=playlist_csv(), clusters=2)
        assert w.page(first).tracks
        second = await w.clusters(csv_bytes=playlist_csv(), clusters=3)
        assert second.ephemeral
        assert re.fullmatch(
            r"You can start another analysis in \d+ seconds\.", second.response.content
        )
        other = await w.clusters(w.stranger, csv_bytes=playlist_csv(), clusters=2)
        assert w.page(other).tracks  # the cooldown is per user


class GatedProvider:
    """Holds the first analysis open until the test lets it go."""

    name = "gated"
    family = "provider"

    def __init__(self, holder: dict[str, Any]) -> None:
        self.holder = holder

    async def enrich(self, tracks: Sequence[Track], progress: ProgressCallback) -> int:
        gate: asyncio.Event | None = self.holder.pop("gate", None)
        if gate is not None:
            world: World = self.holder["world"]
            await world.external_wait(gate.wait(), reason="the test holds this analysis")
        return 0


async def test_a_full_line_tells_people_their_place_and_serves_them_in_turn(
    tmp_path: Path,
) -> None:
    holder: dict[str, Any] = {"gate": asyncio.Event()}

    def factory(settings: Settings, web: Any, cache: Any) -> Pipeline:
        return Pipeline(
            providers=[GatedProvider(holder)],
            cache=cache,
            freshness_seconds=settings.freshness_seconds,
        )

    async with world(
        tmp_path, pipeline_factory=factory, max_concurrent_analyses=1, intended_queue_waits=True
    ) as w:
        holder["world"] = w
        gate = holder["gate"]
        first = await w.clusters(csv_bytes=playlist_csv(), clusters=2)
        assert not first.response.components  # still working
        second = await w.clusters(w.stranger, csv_bytes=playlist_csv(groups=3), clusters=3)
        assert second.response.content == "Waiting for a free slot: you are 1st in line…"
        gate.set()
        await w.settle()
        assert w.page(first).footer.startswith("Page 1/5 · Cluster 1/2")
        assert w.page(second).footer.startswith("Page 1/5 · Cluster 1/3")
