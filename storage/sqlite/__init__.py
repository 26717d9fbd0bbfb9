"""The SQLite backend: one aiosqlite connection, migrations, repositories."""
