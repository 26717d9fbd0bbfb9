"""Shared fixtures: a running rig (real app, a real database of each storage backend, local
fake Slack), and the Kasane meeting convened on it. Helpers live in ``tests.support``;
nothing imports this file.

Every test that asks for ``database_url`` (``rig`` and ``kasane`` do) runs once per backend,
SQLite and PostgreSQL, its id naming the backend (``[sqlite]``, ``[postgres]``), unless it is
marked ``sqlite_only`` or ``storage_agnostic`` with the reason: the PostgreSQL runs are a
chosen subset, which covers every command, button and form (tests/support/backends.py). On
PostgreSQL each such test gets the session's migrated schema, emptied
(tests/support/postgres.py); the server is the one PLENARY_TEST_POSTGRES_URL names, and
without it those runs are skipped saying so (failed, when PLENARY_REQUIRE_POSTGRES=1)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.demo.rig import Rig
from tests.support.backends import POSTGRES, backends_for, sqlite_url
from tests.support.cast import START, convene
from tests.support.postgres import MigratedSchema, migrated_schema


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database_url" in metafunc.fixturenames:
        metafunc.parametrize("database_url", backends_for(metafunc), indirect=True)


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[MigratedSchema]:
    with migrated_schema() as schema:
        yield schema


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of the backend the test runs on, named by its URL."""
    if request.param == POSTGRES:
        schema: MigratedSchema = request.getfixturevalue("postgres_schema")
        return schema.emptied()
    return sqlite_url(tmp_path)


@pytest.fixture
async def rig(database_url: str) -> AsyncIterator[Rig]:
    async with Rig(database_url, START) as running:
        yield running


@pytest.fixture
async def kasane(rig: Rig) -> Rig:
    """A meeting with four participants (Ukraine has two members) and one observer."""
    return await convene(rig)
