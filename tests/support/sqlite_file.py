"""Reading the SQLite file as another process would, after the app committed."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any


def snapshot(path: Path) -> list[str]:
    """Every committed row of every table, as SQL: equal snapshots mean nothing changed."""
    with closing(sqlite3.connect(path)) as conn:
        return list(conn.iterdump())


def rows(path: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return list(conn.execute(sql, args))


def scalar(path: Path, sql: str, *args: Any) -> int:
    """The one number a query counts or measures."""
    [(value,)] = rows(path, sql, *args)
    return int(value)
