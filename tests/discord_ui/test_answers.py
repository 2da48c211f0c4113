"""How errors become what the user reads (bot/discord_ui/answers.py). Delivering the
answer in each state of an interaction runs through SimCord in tests/cogs/
(test_errors_limits.py, test_errors.py, tests/discord_ui/test_items.py)."""

from __future__ import annotations

import re

import pytest
from discord import app_commands
from discord.ext import commands

from bot.discord_ui.answers import sentence_for, unwrap
from bot.errors import BadInput


def test_a_users_mistake_is_its_own_sentence_however_deeply_wrapped() -> None:
    mistake = BadInput("Give either a playlist link or a CSV file (one of the two).")
    wrapped = commands.CommandInvokeError(mistake)
    assert unwrap(wrapped) is mistake
    assert sentence_for(wrapped) == str(mistake)


def test_a_failed_check_says_the_command_is_not_for_here() -> None:
    assert sentence_for(app_commands.CheckFailure()) == "You cannot use this command here."


def test_a_bug_is_logged_under_the_id_the_user_sees(caplog: pytest.LogCaptureFixture) -> None:
    text = sentence_for(RuntimeError("secret detail"))
    found = re.fullmatch(
        r"Something went wrong on our side \(error id `([0-9a-f]{8})`\)\. .*", text
    )
    assert found is not None and "secret detail" not in text
    logged = [r for r in caplog.records if found[1] in r.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info is not None
    assert sentence_for(RuntimeError("again")) != text  # each bug its own id
