"""PersistentItem (bot/discord_ui/items.py), the base of every component rebuilt from its
custom id, pressed in a simulated Discord (SimCord): the id is matched and parsed after
the press, a user error is answered privately with its sentence, a bug with an id."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.discord_ui.items import MAX_CUSTOM_ID, PersistentItem, custom_id
from bot.errors import BadInput
from tests.harness import world

presses: list[tuple[int, int]] = []


class Probe(PersistentItem[discord.ui.Button[Any]], pattern=r"probe:(?P<n>[0-9]{1,3})"):
    """0 records the press; 1 is a user's mistake; 2 is a bug."""

    def __init__(self, n: int) -> None:
        super().__init__(discord.ui.Button(label=f"probe {n}", custom_id=custom_id("probe", n)))
        self.n = n

    @classmethod
    def parse(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> Probe:
        return cls(int(match["n"]))

    async def pressed(self, interaction: discord.Interaction[Any]) -> None:
        if self.n == 1:
            raise BadInput("That probe is not for you.")
        if self.n == 2:
            raise RuntimeError("a bug")
        presses.append((self.n, interaction.user.id))
        await interaction.response.send_message("recorded", ephemeral=True)


def test_custom_ids_carry_the_prefix_and_match_the_template() -> None:
    probe = Probe(42)
    assert probe.custom_id == "pc:probe:42"
    assert Probe.__discord_ui_compiled_template__.fullmatch("pc:probe:42")
    assert not Probe.__discord_ui_compiled_template__.fullmatch("probe:42")
    # the abstract base matches nothing, so registering it could never steal a press
    assert not PersistentItem.__discord_ui_compiled_template__.match("pc:probe:42")
    # the longest id the templates allow (a page button of a private copy) fits Discord
    assert len(custom_id("pg", 10**20 - 1, 999, 99_999, "N", "99.99.99")) <= MAX_CUSTOM_ID


async def test_a_press_is_parsed_from_the_id_and_errors_are_answered_privately(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    presses.clear()
    async with world(tmp_path) as w:
        w.bot.add_dynamic_items(Probe)
        view = discord.ui.View(timeout=None)
        for n in (0, 1, 2):
            view.add_item(Probe(n))
        channel = w.bot.get_channel(w.channel.id)
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send("probes", view=view)

        recorded = await w.click(w.stranger, sent.id, "probe 0")
        assert recorded.ephemeral and recorded.response.content == "recorded"
        assert presses == [(0, w.stranger.id)]

        mistake = await w.click(w.stranger, sent.id, "probe 1")
        assert mistake.ephemeral
        assert mistake.response.content == "That probe is not for you."

        bug = await w.click(w.owner, sent.id, "probe 2")
        assert bug.ephemeral
        error_id = re.search(r"error id `([0-9a-f]{8})`", bug.response.content)
        assert error_id is not None
        assert any(error_id[1] in r.getMessage() for r in caplog.records)
        assert presses == [(0, w.stranger.id)]
