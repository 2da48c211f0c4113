"""The Discord side of showing analyses, shared by the cogs and built by the app.

Below the app and above the services (a layer of its own in ``pyproject.toml``):

- :mod:`~bot.discord_ui.answers`: how errors become ephemeral answers;
- :mod:`~bot.discord_ui.items`: :class:`~bot.discord_ui.items.PersistentItem`, the
  base of every component whose custom id carries all a press needs;
- :mod:`~bot.discord_ui.pager`: :class:`~bot.discord_ui.pager.Pager` (paged messages,
  reactions, page buttons), with :mod:`~bot.discord_ui.extras` (what other features
  add to a page) and :mod:`~bot.discord_ui.lens` (what a private copy shows);
- :mod:`~bot.discord_ui.explore_items` and :mod:`~bot.discord_ui.explore`: the explore
  components under a page and what their presses do.

It imports discord but no cog: the cogs are thin commands on top of it.
"""
