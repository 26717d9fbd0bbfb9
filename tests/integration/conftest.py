"""What the storage tests share: a database with one scratch table, and what another
connection (another process, after a crash) would read from it."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.database import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "scratch.sqlite3")
    async with database.write() as conn:
        await conn.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, note TEXT)")
    yield database
    await database.close()


def committed(path: str) -> set[int]:
    """The numbers in ``t`` as another connection reads them."""
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT n FROM t")}
