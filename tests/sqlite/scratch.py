"""Reading the storage tests' scratch table as another connection (another process, after a
crash) would."""

from __future__ import annotations

import sqlite3


def committed(path: str) -> set[int]:
    """The numbers in ``t`` as another connection reads them."""
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT n FROM t")}
