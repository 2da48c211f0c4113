"""`python -m bot` starts the Discord bot (same as `playlist-clusters bot`)."""

from bot.roots.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["bot"]))
