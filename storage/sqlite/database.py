"""One aiosqlite connection, migrations, and units of work run whole on its thread."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.domain.errors import ConfigError
from storage.sqlite.migrations import MIGRATIONS
from storage.sqlite.units import Statements, Unit, run_query, run_units

log = logging.getLogger(__name__)

MAX_BATCH = 256  # units of work one group commit covers at most, to bound latency


def sqlite_path(database_url: str) -> str:
    """The file path in a ``sqlite:///relative.db`` or ``sqlite:////abs/path.db`` URL."""
    prefix = "sqlite:///"
    if not database_url.startswith(prefix) or len(database_url) == len(prefix):
        raise ConfigError(
            "DATABASE_URL must look like sqlite:///plenary.sqlite3 (SQLite) or"
            f" postgresql://user@host:5432/plenary (PostgreSQL); got {database_url!r}"
        )
    return database_url[len(prefix) :]


T = TypeVar("T")


@dataclass(frozen=True)
class _Queued:
    """A unit waiting for ``Database.transact``'s next trip, and where its outcome goes."""

    unit: Unit[Any]
    outcome: asyncio.Future[Any]


class Database:
    """The store's only connection, and the one way to use it: a unit of work.

    aiosqlite runs one connection on one thread and runs what it is handed there one call
    at a time. Every unit runs whole inside one such call (a "trip"), in a transaction that
    begins and ends within it, so no two units can interleave and no lock is needed.
    """

    def __init__(self, connection: aiosqlite.Connection, path: str) -> None:
        check_aiosqlite(aiosqlite.__version__, connection)
        self._conn = connection
        self.trips = 0  # round trips to the database thread, for tests and the benchmark
        self.commits = 0  # write transactions committed: group commit shares one among many
        self._queued: list[_Queued] = []
        self._drainer: asyncio.Future[None] | None = None
        self.path = path

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        conn = await aiosqlite.connect(str(path), isolation_level=None)
        try:
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA synchronous = FULL")
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA busy_timeout = 5000")
            # 32 MiB of page cache (SQLite's default is 2 MiB): a meeting of 10,000 items
            # and 100,000 positions stays in memory instead of being read page by page.
            await conn.execute("PRAGMA cache_size = -32768")
            # Content deleted or overwritten is zeroed in the file, not left in free space:
            # a secret vote's erased choices must not be recoverable from the bytes.
            await conn.execute("PRAGMA secure_delete = ON")
            conn.row_factory = aiosqlite.Row
            db = cls(conn, str(path))
            await db._migrate()
        except BaseException:
            await conn.close()
            raise
        return db

    async def trip(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn`` on the connection's thread, with the connection: one round trip.

        aiosqlite has no public call for this; ``Connection._execute`` is how its own
        methods run (the versions in ``SUPPORTED_AIOSQLITE``, checked when opening)."""
        self.trips += 1
        conn = self._conn

        def on_thread() -> T:
            return fn(conn._conn)  # the property is read on the thread that owns the connection

        result: T = await conn._execute(on_thread)  # type: ignore[no-untyped-call]
        return result

    async def close(self) -> None:
        while self._drainer is not None:
            # Shielded: cancelling close() must not cancel units already handed over.
            with contextlib.suppress(Exception):
                await asyncio.shield(self._drainer)
        await self._conn.close()

    async def _migrate(self) -> None:
        cursor = await self._conn.execute("PRAGMA user_version")
        row = await cursor.fetchone()
        version = int(row[0]) if row else 0
        if version >= len(MIGRATIONS):
            return
        # SQLite's way to change a table it cannot alter (rebuild and rename) needs
        # foreign keys off, which only takes effect outside a transaction; every
        # migration is checked for broken references before it commits instead.
        await self._conn.execute("PRAGMA foreign_keys = OFF")
        try:
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                await self._apply(number, script)
        finally:
            await self._conn.execute("PRAGMA foreign_keys = ON")

    async def _apply(self, number: int, script: str) -> None:
        # The version bump commits with the change, so a crash never half-applies one.
        await self._conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(script):
                await self._conn.execute(statement)
            broken = list(await self._conn.execute_fetchall("PRAGMA foreign_key_check"))
            if broken:
                raise sqlite3.IntegrityError(
                    f"migration {number} would break {len(broken)} references"
                )
            await self._conn.execute(f"PRAGMA user_version = {number}")
            await self._conn.execute("COMMIT")
        except BaseException:
            await self._conn.execute("ROLLBACK")
            raise
        log.info("migrated database", extra={"schema_version": number})

    async def transact(self, unit: Unit[T]) -> T:
        """Run ``unit``, all or nothing; durable on disk when this returns. The only write.

        ``unit`` is a coroutine function given the unit's ``Statements``; it may await them
        and nothing else (``UnitAwaitedError`` otherwise, on its first run). Group commit:
        the units queued meanwhile share one trip, one ``BEGIN IMMEDIATE`` transaction (each
        in its own savepoint, so one that raises is undone alone) and one COMMIT, so one
        fsync covers a burst and nothing is acknowledged before it is on disk.
        """
        queued = _Queued(unit, asyncio.get_running_loop().create_future())
        self._queued.append(queued)
        if self._drainer is None:
            self._drainer = asyncio.ensure_future(self._drain())
        result: T = await queued.outcome
        return result

    async def query(self, unit: Unit[T]) -> T:
        """Run ``unit`` as one consistent read of committed state, in one trip."""
        return await self.trip(partial(run_query, unit))

    async def _drain(self) -> None:
        """Run the queued units, as many as have arrived (up to MAX_BATCH), in one trip: one
        transaction, a savepoint each, then COMMIT, then tell each unit how it went.

        Group commit without hand-offs: the units run back to back on the database thread
        while the event loop goes on with other requests and queues the next ones."""
        try:
            while self._queued:
                taken = [q for q in self._queued[:MAX_BATCH] if not q.outcome.done()]
                del self._queued[:MAX_BATCH]
                if taken:
                    await self._run_taken(taken)
        finally:
            self._drainer = None
            for q in self._queued:  # only when the drain itself was cancelled
                q.outcome.cancel()
            self._queued.clear()

    async def _run_taken(self, taken: list[_Queued]) -> None:
        """One trip for ``taken``, and each unit's outcome delivered, even when the drain is
        cancelled meanwhile (at shutdown): the trip runs on regardless, and whoever waits
        must learn what happened to their unit."""
        trip = asyncio.ensure_future(self.trip(partial(run_units, [q.unit for q in taken])))
        cancelled = False
        while not trip.done():
            try:
                await asyncio.shield(trip)
            except asyncio.CancelledError:
                cancelled = True
            except Exception:  # noqa: S110 - read from the trip below
                pass
        error = trip.exception()
        if error is None:
            self.commits += 1
        for i, q in enumerate(taken):
            if q.outcome.done():  # its caller was cancelled after it was handed over
                continue
            if error is not None:  # BEGIN or COMMIT failed, or the transaction was lost
                q.outcome.set_exception(error)
                continue
            value, failed = trip.result()[i]
            if failed is not None:
                q.outcome.set_exception(failed)
            else:
                q.outcome.set_result(value)
        if cancelled:
            raise asyncio.CancelledError

    async def checkpoint(self) -> None:
        """Checkpoint the WAL into the database file and truncate it to nothing (between
        units, in its own trip, so no transaction is open)."""

        def truncate(raw: sqlite3.Connection) -> None:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

        await self.trip(truncate)

    async def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            await self.query(_select_one)
        except (sqlite3.Error, ValueError):
            return False
        return True

    async def integrity_check(self) -> str:
        fetched = await self.query(_integrity)
        return str(fetched[0][0]) if fetched else "no answer"


async def _select_one(statements: Statements) -> list[sqlite3.Row]:
    return await statements.execute_fetchall("SELECT 1")


async def _integrity(statements: Statements) -> list[sqlite3.Row]:
    return await statements.execute_fetchall("PRAGMA integrity_check")


# aiosqlite versions whose private ``Connection._execute`` (how ``Database.trip`` reaches the
# connection's thread) behaves as this module expects; pyproject.toml pins the same range.
SUPPORTED_AIOSQLITE = ((0, 20), (0, 23))


def check_aiosqlite(version: str, connection: object | None = None) -> None:
    """Refuse an aiosqlite outside ``SUPPORTED_AIOSQLITE`` (or without ``_execute``)."""
    numbers = tuple(int(part) for part in version.split(".")[:2] if part.isdigit())
    lowest, beyond = SUPPORTED_AIOSQLITE
    usable = connection is None or callable(getattr(connection, "_execute", None))
    if not (lowest <= numbers < beyond) or not usable:
        raise ConfigError(
            f"aiosqlite {version} is not supported: Plenary runs units of work through its"
            f" Connection._execute, known to work from {'.'.join(map(str, lowest))} up to"
            f" (not including) {'.'.join(map(str, beyond))}"
        )


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
