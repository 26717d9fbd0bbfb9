"""The ``store`` every contract test runs against, once per storage backend.

A backend joins the suite with one entry in ``BACKENDS``: a factory that opens an empty store
in a scratch folder and closes it afterwards. The tests see only the ports."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest

from bot.ports.store import Store
from storage.sqlite.database import Database
from storage.sqlite.store import SqliteStore


@asynccontextmanager
async def sqlite_store(folder: Path) -> AsyncIterator[Store]:
    db = await Database.open(folder / "contract.sqlite3")
    try:
        yield SqliteStore(db)
    finally:
        await db.close()


BACKENDS: dict[str, Callable[[Path], AbstractAsyncContextManager[Store]]] = {
    "sqlite": sqlite_store,
}


@pytest.fixture(params=sorted(BACKENDS))
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    async with BACKENDS[request.param](tmp_path) as opened:
        yield opened
