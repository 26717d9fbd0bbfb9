"""A scratch PostgreSQL database for tests: a schema of its own in the server named by
``PLENARY_TEST_POSTGRES_URL``, dropped afterwards; or, for the end-to-end tests, one schema
migrated once per session and emptied before each test (``MigratedSchema``).

Without that variable the tests that need PostgreSQL are skipped, saying why; with
``PLENARY_REQUIRE_POSTGRES=1`` (as .ci/run sets, after starting a throwaway cluster) the
missing server fails them instead, so a green CI run always includes them."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Coroutine, Iterator
from contextlib import asynccontextmanager, contextmanager
from graphlib import TopologicalSorter
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import TupleRow

from storage.postgres.database import Database, migrate

URL_VARIABLE = "PLENARY_TEST_POSTGRES_URL"
REQUIRE_VARIABLE = "PLENARY_REQUIRE_POSTGRES"


def server_url() -> str:
    """The test server's URL; skips (or fails, when required) the test without one."""
    url = os.environ.get(URL_VARIABLE, "").strip()
    if url:
        return url
    reason = (
        f"no PostgreSQL server for the tests: {URL_VARIABLE} is not set"
        " (.ci/run starts a throwaway cluster and sets it)"
    )
    if os.environ.get(REQUIRE_VARIABLE, "").strip() == "1":
        pytest.fail(f"{reason}, and {REQUIRE_VARIABLE}=1 requires it")
    pytest.skip(reason)


def in_schema(url: str, schema: str) -> str:
    """``url`` with every connection's ``search_path`` set to ``schema``."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-c search_path={schema}')}"


@asynccontextmanager
async def scratch_schema() -> AsyncIterator[str]:
    """A ``postgresql://`` URL whose tables live in a new, empty schema (dropped afterwards)."""
    url = server_url()
    schema = f"test_{secrets.token_hex(6)}"
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as admin:
        await admin.execute(f"CREATE SCHEMA {schema}")
        try:
            yield in_schema(url, schema)
        finally:
            await admin.execute(f"DROP SCHEMA {schema} CASCADE")


class MigratedSchema:
    """One schema migrated once, handed to one test after another, each time emptied.

    Migrating takes a tenth of a second, emptying a few milliseconds: every row is deleted
    (children before their parents) and every identity restarts, so each test finds the
    database as a fresh migration leaves it (only the record of the migrations is kept).
    Tests run one at a time in a session, so none sees another's rows."""

    def __init__(self, conn: psycopg.Connection[TupleRow], url: str) -> None:
        self._conn = conn
        self.url = url
        self._emptying = _emptying_script(conn)

    def emptied(self) -> str:
        """The schema's URL, every table in it empty."""
        with self._conn.transaction():
            self._conn.execute(self._emptying)
        return self.url


@contextmanager
def migrated_schema() -> Iterator[MigratedSchema]:
    """A new schema, migrated, dropped on exit."""
    server = server_url()
    schema = f"test_{secrets.token_hex(6)}"
    url = in_schema(server, schema)
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
        try:
            _run_apart(_migrate(url))
            with psycopg.connect(url, autocommit=True) as conn:
                yield MigratedSchema(conn, url)
        finally:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


async def _migrate(url: str) -> None:
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        await migrate(conn)


def _run_apart(work: Coroutine[Any, Any, None]) -> None:
    """Run ``work`` on an event loop of its own, leaving the tests' loops alone."""
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(work)
    finally:
        loop.close()


def _emptying_script(conn: psycopg.Connection[TupleRow]) -> sql.Composed:
    """Statements deleting every row of the schema's tables, a table's referrers before it,
    and restarting every sequence."""
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            " AND tablename <> 'schema_migrations'"
        ).fetchall()
    ]
    referrers: dict[str, set[str]] = {table: set() for table in tables}
    for child, parent in conn.execute(
        "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint"
        " WHERE contype = 'f' AND connamespace = current_schema()::regnamespace"
    ).fetchall():
        if child != parent:  # a table referring to itself is emptied by one DELETE
            referrers[parent].add(child)
    order = TopologicalSorter(referrers).static_order()  # referrers come first
    sequences = conn.execute(
        "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()"
    ).fetchall()
    return sql.SQL(";\n").join(
        [sql.SQL("DELETE FROM {}").format(sql.Identifier(table)) for table in order]
        + [sql.SQL("ALTER SEQUENCE {} RESTART").format(sql.Identifier(n)) for (n,) in sequences]
    )


@asynccontextmanager
async def scratch_database(connections: int = 1) -> AsyncIterator[Database]:
    """A migrated, empty database (in a scratch schema), closed afterwards, whose pool holds
    at least ``connections`` open connections."""
    async with scratch_schema() as conninfo:
        db = await Database.open(conninfo, min_size=connections, max_size=max(connections, 10))
        try:
            yield db
        finally:
            await db.close()
