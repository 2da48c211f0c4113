"""Thin Discord adapters: each cog parses interactions, calls the bot's services, answers."""
