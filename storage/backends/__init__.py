"""The two database backends (SQLite file, PostgreSQL) behind one session protocol,
and the numbered migrations they both apply."""
