"""A scratch PostgreSQL database for tests: a schema of its own in the server named by
``PLENARY_TEST_POSTGRES_URL``, dropped afterwards.

Without that variable the tests that need PostgreSQL are skipped, saying why; with
``PLENARY_REQUIRE_POSTGRES=1`` (as .ci/run sets, after starting a throwaway cluster) the
missing server fails them instead, so a green CI run always includes them."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

import psycopg
import pytest

from storage.postgres.database import Database

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


@asynccontextmanager
async def scratch_schema() -> AsyncIterator[str]:
    """A ``postgresql://`` URL whose tables live in a new, empty schema (dropped afterwards)."""
    url = server_url()
    schema = f"test_{secrets.token_hex(6)}"
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as admin:
        await admin.execute(f"CREATE SCHEMA {schema}")
        try:
            separator = "&" if "?" in url else "?"
            yield f"{url}{separator}options={quote(f'-c search_path={schema}')}"
        finally:
            await admin.execute(f"DROP SCHEMA {schema} CASCADE")


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
