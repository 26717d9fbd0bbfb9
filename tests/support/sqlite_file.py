"""Reading the SQLite file as another process would, after the app committed: for the tests
whose subject is the file itself (migrations, the schema, a refused unit leaving the file as
it was). End-to-end tests read the record through the ports instead (``tests.support.state``)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path


def snapshot(path: Path) -> list[str]:
    """Every committed row of every table, as SQL: equal snapshots mean nothing changed."""
    with closing(sqlite3.connect(path)) as conn:
        return list(conn.iterdump())
