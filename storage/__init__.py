"""Persistence: SQLite through aiosqlite, the meeting's source of truth."""
