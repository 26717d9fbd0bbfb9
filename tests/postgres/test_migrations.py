"""Migrations on PostgreSQL: numbered, recorded, and applied once however many processes
start at once on an empty database."""

from __future__ import annotations

import asyncio
import sys

import psycopg

from storage.postgres.database import Database, migrate
from storage.postgres.migrations import MIGRATIONS
from tests.support.postgres import scratch_schema

# One process starting up: connect, migrate, report how many migrations it applied.
_START = """
import asyncio, sys
import psycopg
from storage.postgres.database import migrate

async def main() -> None:
    async with await psycopg.AsyncConnection.connect(sys.argv[1], autocommit=True) as conn:
        print(await migrate(conn))

asyncio.run(main())
"""


async def _recorded(conninfo: str) -> list[int]:
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
        cursor = await conn.execute("SELECT version FROM schema_migrations ORDER BY version")
        return [row[0] for row in await cursor.fetchall()]


async def test_two_processes_starting_at_once_on_an_empty_database_migrate_it_once() -> None:
    async with scratch_schema() as conninfo:
        starts = [
            await asyncio.create_subprocess_exec(
                sys.executable, "-c", _START, conninfo, stdout=asyncio.subprocess.PIPE
            )
            for _ in range(2)
        ]
        outputs = [await start.communicate() for start in starts]

        assert [start.returncode for start in starts] == [0, 0]
        applied = sorted(int(out.decode()) for out, _ in outputs)
        assert applied == [0, len(MIGRATIONS)]  # one migrated everything, the other nothing
        assert await _recorded(conninfo) == list(range(1, len(MIGRATIONS) + 1))


async def test_concurrent_connections_migrating_at_once_apply_each_migration_once() -> None:
    async with scratch_schema() as conninfo:
        connections = [
            await psycopg.AsyncConnection.connect(conninfo, autocommit=True) for _ in range(4)
        ]
        try:
            applied = await asyncio.gather(*(migrate(conn) for conn in connections))
        finally:
            for conn in connections:
                await conn.close()

        assert sorted(applied) == [0, 0, 0, len(MIGRATIONS)]
        assert await _recorded(conninfo) == list(range(1, len(MIGRATIONS) + 1))


async def test_opening_a_migrated_database_again_applies_nothing_and_keeps_its_rows() -> None:
    async with scratch_schema() as conninfo:
        db = await Database.open(conninfo)
        await db.close()
        async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
            await conn.execute(
                "INSERT INTO meetings (team_id, channel_id, title, created_by, created_at)"
                " VALUES ('T1', 'C1', 'Kept', 'U1', now())"
            )
            assert await migrate(conn) == 0
            cursor = await conn.execute("SELECT title FROM meetings")
            assert [row[0] for row in await cursor.fetchall()] == ["Kept"]
        reopened = await Database.open(conninfo)
        try:
            assert await reopened.integrity_check() == "ok"
            assert await reopened.ping()
        finally:
            await reopened.close()
        assert await _recorded(conninfo) == list(range(1, len(MIGRATIONS) + 1))
