"""The error cog (cogs/errors.py) in a simulated Discord: text commands' mistakes and bugs
get a short reply, unknown ones none; unloading gives the tree its own handler back.
Slash commands' errors: tests/cogs/test_errors_limits.py."""

from __future__ import annotations

import re
from pathlib import Path

from tests.harness import world


async def test_a_failure_in_a_text_command_is_answered_with_an_id(tmp_path: Path, caplog) -> None:
    async with world(tmp_path) as w:
        w.bot.owner_ids = {w.owner.id}
        w.fail_requests("PUT", "*/commands", status=403, code=50001)  # Discord refuses
        await w.owner.send(w.channel, f"<@{w.bot.user.id}> sync {w.guild.id}")
        reply = w.channel.last_message.content
        error_id = re.fullmatch(
            r"Something went wrong on our side \(error id `([0-9a-f]{8})`\)\. "
            r"It has been logged; please try again later\.",
            reply,
        )
        assert error_id is not None, reply
        assert any(error_id[1] in r.getMessage() for r in caplog.records)
        assert [type(e).__name__ for e in w.errors()] == ["CommandInvokeError"]


async def test_an_unknown_text_command_gets_no_answer(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        await w.owner.send(w.channel, f"<@{w.bot.user.id}> frobnicate")
        assert [m.author.id for m in w.channel.history()] == [w.owner.id]


async def test_unloading_gives_the_tree_its_previous_handler_back(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        cog = w.bot.get_cog("Errors")
        assert getattr(w.bot.tree.on_error, "__self__", None) is cog
        previous = cog._previous
        await w.bot.unload_extension("cogs.errors")
        assert w.bot.tree.on_error is previous
        await w.bot.load_extension("cogs.errors")
        assert getattr(w.bot.tree.on_error, "__self__", None) is w.bot.get_cog("Errors")
