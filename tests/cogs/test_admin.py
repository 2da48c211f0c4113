"""Owner-only maintenance (cogs/admin.py) in a simulated Discord."""

from __future__ import annotations

from pathlib import Path

from tests.harness import world


async def test_the_owner_syncs_commands_by_mentioning_the_bot(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        w.bot.owner_ids = {w.owner.id}
        await w.owner.send(w.channel, f"<@{w.bot.user.id}> sync {w.guild.id}")
        reply = w.channel.last_message.content
        # the message menu "Cluster this playlist" is synced too (as a command)
        assert reply.startswith(f"Synced 9 commands to server {w.guild.id}: ")
        assert "/clusters" in reply and "/help" in reply and "/schedule" in reply
        assert "/hearts" in reply and "/Cluster this playlist" in reply
        assert "/similar" in reply and "/spotify" in reply
        await w.stranger.send(w.channel, f"<@{w.bot.user.id}> sync")
        assert w.channel.last_message.content == "Only the bot's owner can do that."
        assert [type(e).__name__ for e in w.errors()] == ["NotOwner"]
