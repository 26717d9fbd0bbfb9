"""What only the SQLite backend has: its file, pragmas, migrations and units of work."""
