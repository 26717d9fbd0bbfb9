"""A pool of psycopg connections, migrations under an advisory lock, and units of work each
run in one transaction of one pooled connection."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Coroutine, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import psycopg
from psycopg.rows import RowMaker

if TYPE_CHECKING:
    from psycopg._cursor_base import BaseCursor
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from bot.domain.errors import ConfigError
from storage.postgres.migrations import MIGRATIONS

log = logging.getLogger(__name__)

T = TypeVar("T")
Parameters = Sequence[Any]

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
# pg_advisory_xact_lock's key for migrating: any one constant every process agrees on.
MIGRATION_LOCK = 0x706C656E61727931  # "plenary1"


def is_postgres_url(database_url: str) -> bool:
    return database_url.startswith(POSTGRES_SCHEMES)


class _Columns:
    """A result's column names, shared by its rows: by name, the first column so named."""

    __slots__ = ("names", "positions")

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self.positions = {name: i for i, name in reversed(list(enumerate(names)))}


class Row:
    """One result row, read by column name or position as ``sqlite3.Row`` is, and equal (and
    hashing alike) only with the same column names and values, so the shared conversions in
    storage/common/rows.py may remember the records they parse from it."""

    __slots__ = ("_columns", "_values")

    def __init__(self, columns: _Columns, values: tuple[Any, ...]) -> None:
        self._columns = columns
        self._values = values

    def __getitem__(self, key: int | str, /) -> Any:
        return self._values[key if isinstance(key, int) else self._columns.positions[key]]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __hash__(self) -> int:
        return hash((self._columns.names, self._values))

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Row)
            and self._values == other._values
            and self._columns.names == other._columns.names
        )

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._columns.names, self._values, strict=True))!r})"


def row_factory(cursor: BaseCursor[Any, Any]) -> RowMaker[Row]:
    """psycopg's row factory for ``Row``: the column names are read once per result."""
    columns = _Columns(tuple(column.name for column in cursor.description or ()))

    def make(values: Sequence[Any]) -> Row:
        return Row(columns, tuple(values))

    return make


Connection = psycopg.AsyncConnection[Row]


class Statements:
    """A unit of work's statements, on the connection its transaction holds.

    ``writing`` tells the repositories whether the unit runs in ``Database.transact`` (where
    a unit that reads its meeting locks the meeting's row until it commits, so concurrent
    units of one meeting read, decide and write one after another, as SQLite's one writer
    does) or in ``Database.query`` (a read-only snapshot that locks nothing)."""

    def __init__(self, conn: Connection, *, writing: bool) -> None:
        self._conn = conn
        self.writing = writing

    async def execute(self, sql: str, parameters: Parameters = ()) -> int:
        """Run a statement; the number of rows it changed."""
        cursor = await self._conn.execute(sql, parameters)
        return cursor.rowcount

    async def fetchall(self, sql: str, parameters: Parameters = ()) -> list[Row]:
        cursor = await self._conn.execute(sql, parameters)
        return await cursor.fetchall()

    async def fetchone(self, sql: str, parameters: Parameters = ()) -> Row | None:
        cursor = await self._conn.execute(sql, parameters)
        return await cursor.fetchone()

    async def fetch_each(self, queries: Sequence[tuple[str, Parameters]]) -> list[list[Row]]:
        """Several independent queries, each one's rows in order, sent together in pipeline
        mode: one round trip to the server for all of them."""
        async with self._conn.pipeline():
            cursors = [await self._conn.execute(sql, args) for sql, args in queries]
        return [await cursor.fetchall() for cursor in cursors]


Unit = Callable[[Statements], Coroutine[Any, Any, T]]


class Database:
    """A pool of connections to one PostgreSQL database, shared by every process serving it.

    Each unit of work borrows a connection and runs in one transaction on it, committed when
    the unit returns (durable: ``synchronous_commit`` is PostgreSQL's default) and rolled
    back when it raises. Units of different meetings run side by side; units of one meeting
    queue on its row lock (``Statements.writing``)."""

    def __init__(self, pool: AsyncConnectionPool[Connection], conninfo: str) -> None:
        self._pool = pool
        self.conninfo = conninfo

    @classmethod
    async def open(
        cls, conninfo: str, *, min_size: int = 4, max_size: int = 16, wait_seconds: float = 10.0
    ) -> Database:
        """Connect (``conninfo`` is a ``postgresql://`` URL or ``key=value`` pairs) and
        migrate; ConfigError when the URL is malformed, psycopg's error when unreachable."""
        try:
            psycopg.conninfo.conninfo_to_dict(conninfo)
        except psycopg.ProgrammingError as exc:
            raise ConfigError(f"DATABASE_URL is not a PostgreSQL URL psycopg reads: {exc}") from exc
        # Connecting once first reports why a server cannot be reached (refused, no such
        # database, bad password) at once, where the pool would retry until its timeout.
        async with await psycopg.AsyncConnection.connect(
            conninfo, autocommit=True, connect_timeout=max(int(wait_seconds), 2)
        ) as first:
            await migrate(first)
        pool: AsyncConnectionPool[Connection] = AsyncConnectionPool(
            conninfo,
            connection_class=psycopg.AsyncConnection[Row],
            kwargs={"autocommit": True, "row_factory": row_factory},
            min_size=min_size,
            max_size=max_size,
            timeout=wait_seconds,
            open=False,
        )
        try:
            await pool.open(wait=True, timeout=wait_seconds)
        except PoolTimeout as exc:
            await pool.close()
            raise psycopg.OperationalError(
                f"no connection to PostgreSQL within {wait_seconds:g} s"
            ) from exc
        return cls(pool, conninfo)

    async def close(self) -> None:
        await self._pool.close()

    async def transact(self, unit: Unit[T]) -> T:
        """Run ``unit`` in one transaction, committed (durably) before this returns."""
        async with self._pool.connection() as conn, conn.transaction():
            return await unit(Statements(conn, writing=True))

    async def query(self, unit: Unit[T]) -> T:
        """Run ``unit`` as one consistent, read-only snapshot of committed state."""
        async with self._pool.connection() as conn:
            await conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                return await unit(Statements(conn, writing=False))
            finally:
                # Nothing to keep; a connection that broke meanwhile is the pool's to
                # discard, so a ROLLBACK that fails must not hide why the unit failed.
                with contextlib.suppress(psycopg.Error):
                    await conn.execute("ROLLBACK")

    async def vacuum_ballots(self) -> None:
        """Reclaim the dead versions of ballot rows (an erased secret vote's choices) so
        they are no longer kept in the table's pages; outside any transaction, as VACUUM
        must be (the pool's connections are in autocommit)."""
        async with self._pool.connection() as conn:
            await conn.execute("VACUUM ballots")

    async def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            await self.query(_select_one)
        except (psycopg.Error, PoolTimeout):
            return False
        return True

    async def integrity_check(self) -> str:
        """ "ok" when the schema is at the version this code expects (PostgreSQL checks its
        own pages; there is no PRAGMA integrity_check to run)."""
        version = await self.query(_schema_version)
        if version != len(MIGRATIONS):
            return f"schema at version {version}, this Plenary expects {len(MIGRATIONS)}"
        return "ok"


async def _select_one(statements: Statements) -> int:
    return await statements.execute("SELECT 1")


async def _schema_version(statements: Statements) -> int:
    row = await statements.fetchone("SELECT coalesce(max(version), 0) FROM schema_migrations")
    return int(row[0]) if row else 0


async def migrate(conn: psycopg.AsyncConnection[Any]) -> int:
    """Apply the migrations the database lacks, all in one transaction that first takes a
    transaction-level advisory lock: processes starting at once queue on it, and each after
    the first finds nothing left to do. The number of migrations this call applied."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        cursor = await conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations")
        row = await cursor.fetchone()
        version = int(row[0]) if row else 0
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            for statement in _statements(script):
                await conn.execute(statement)
            await conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (number,))
            log.info("migrated database", extra={"schema_version": number})
    return max(len(MIGRATIONS) - version, 0)


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
