"""What the storage tests share: a database with one scratch table (``scratch.committed``
reads it as another process would)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.sqlite.database import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "scratch.sqlite3")
    async with database.write() as conn:
        await conn.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, note TEXT)")
    yield database
    await database.close()
