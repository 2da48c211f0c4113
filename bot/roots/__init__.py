"""Composition roots: the programs (CLI, Discord bot, worker, health check) that read the
settings, build the layers below and wire them together. Nothing imports these."""
