"""What an answer waits for among a source's own lookups, and what goes on after it.

:mod:`bot.sources.budget.match_queue`: the Deezer match of a playlist read from a
public page, most needed lookups first, within the bot's ``DEEZER_MATCH_BUDGET_SECONDS``
(the rest in the background into the match cache). The matcher itself and its rules
stay in :mod:`bot.sources.deezer_match` and :mod:`bot.sources.matching`.
"""
