"""A database with one scratch table, for the tests of how SQLite runs units of work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.sqlite.database import Database
from storage.sqlite.units import Statements


async def _scratch_table(statements: Statements) -> None:
    await statements.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, note TEXT)")


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "scratch.sqlite3")
    await database.transact(_scratch_table)
    yield database
    await database.close()
