"""Scatter PNG, markdown page, JSON document and Discord pages: pure functions, no I/O."""
