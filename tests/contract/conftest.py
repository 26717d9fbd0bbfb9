"""The ``store`` every contract test runs against, once per storage backend.

A backend joins the suite with one entry in ``BACKENDS``: a factory that opens an empty store
in a scratch folder and closes it afterwards. The tests see only the ports.

PostgreSQL runs when ``PLENARY_TEST_POSTGRES_URL`` names a database the tests may use (each
test gets a schema of its own in it, dropped afterwards); otherwise its tests are skipped
with that reason, unless ``PLENARY_REQUIRE_POSTGRES=1`` (set by .ci/run) makes the missing
server a failure."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest

from bot.ports.store import Store
from storage.postgres.store import PostgresStore
from storage.sqlite.database import Database
from storage.sqlite.store import SqliteStore
from tests.support.postgres import scratch_database


@asynccontextmanager
async def sqlite_store(folder: Path) -> AsyncIterator[Store]:
    db = await Database.open(folder / "contract.sqlite3")
    try:
        yield SqliteStore(db)
    finally:
        await db.close()


@asynccontextmanager
async def postgres_store(folder: Path) -> AsyncIterator[Store]:
    async with scratch_database() as db:
        yield PostgresStore(db)


BACKENDS: dict[str, Callable[[Path], AbstractAsyncContextManager[Store]]] = {
    "sqlite": sqlite_store,
    "postgres": postgres_store,
}


@pytest.fixture(params=sorted(BACKENDS))
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    async with BACKENDS[request.param](tmp_path) as opened:
        yield opened
