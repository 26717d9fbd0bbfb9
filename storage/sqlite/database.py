"""One aiosqlite connection, migrations, and serialised transactions on it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.domain.errors import ConfigError
from storage.sqlite.migrations import MIGRATIONS

log = logging.getLogger(__name__)

MAX_BATCH = 256  # units of work one group commit covers at most, to bound latency


def sqlite_path(database_url: str) -> str:
    """The file path in a ``sqlite:///relative.db`` or ``sqlite:////abs/path.db`` URL."""
    prefix = "sqlite:///"
    if not database_url.startswith(prefix) or len(database_url) == len(prefix):
        raise ConfigError(
            f"DATABASE_URL must look like sqlite:///plenary.sqlite3 (got {database_url!r})"
        )
    return database_url[len(prefix) :]


Parameters = Sequence[Any]
T = TypeVar("T")


@dataclass(frozen=True)
class Executed:
    """What a write statement reports: the rows it changed and the rowid it inserted."""

    rowcount: int
    lastrowid: int | None


class Statements:
    """A unit of work's view of the connection: statements pipelined into few thread trips.

    aiosqlite runs the connection on its own thread, and every call is a round trip to it
    (a queue put, a thread wake-up, a self-pipe write back to the event loop): about 100 µs
    here, far more than the statement itself. So a write whose result nobody reads is
    ``defer``-red, and runs in the same trip as the next statement that has a result to
    return, or as the unit's closing RELEASE/COMMIT; the unit's opening SAVEPOINT or BEGIN
    rides on its first statement too. Order is kept, so a read always sees the unit's own
    earlier writes, and an error in a deferred write still fails the unit.
    """

    def __init__(
        self,
        db: Database | None,
        opening: str | None = None,
        *,
        on_thread: sqlite3.Connection | None = None,
    ) -> None:
        self._db = db
        self._on_thread = on_thread  # inside ``Database.transact``: no trips at all
        self._pending: list[tuple[str, Parameters]] = []
        if opening:
            self._pending.append((opening, ()))
        # True once the opening statement has been handed to the thread. The thread runs
        # trips in order, so whatever undoes the unit, queued after, runs after it, even
        # when this unit was cancelled while waiting for the answer.
        self.opened = not opening

    def defer(self, sql: str, parameters: Parameters = ()) -> None:
        """Run ``sql`` before the unit's next statement, or when it ends."""
        self._pending.append((sql, parameters))

    async def execute(self, sql: str, parameters: Parameters = ()) -> Executed:
        return await self._trip(
            sql, parameters, lambda cursor: Executed(cursor.rowcount, cursor.lastrowid)
        )

    async def execute_fetchall(self, sql: str, parameters: Parameters = ()) -> list[sqlite3.Row]:
        rows: list[sqlite3.Row] = await self._trip(sql, parameters, _fetchall)
        return rows

    async def fetch_each(
        self, queries: Sequence[tuple[str, Parameters]]
    ) -> list[list[sqlite3.Row]]:
        """Several independent queries in one round trip, each one's rows in order."""

        def each(cursor: sqlite3.Cursor) -> list[list[sqlite3.Row]]:
            return [cursor.execute(sql, args).fetchall() for sql, args in queries]

        found: list[list[sqlite3.Row]] = await self._trip(None, (), each)
        return found

    async def executemany(self, sql: str, seq_of_parameters: Iterable[Parameters]) -> None:
        def each(cursor: sqlite3.Cursor) -> None:
            cursor.executemany(sql, seq_of_parameters)

        await self._trip(None, (), each)

    async def flush(self, *closing: str) -> None:
        """Run what is deferred, then each of ``closing``, in one trip."""
        if self._pending or closing:
            self._pending.extend((sql, ()) for sql in closing)
            await self._trip(None, (), lambda _: None)

    def discard(self) -> None:
        self._pending.clear()

    async def _trip(
        self, sql: str | None, parameters: Parameters, result: Callable[[sqlite3.Cursor], T]
    ) -> T:
        """What is deferred, then ``sql``, then ``result`` of its cursor: one round trip."""
        batch, self._pending = self._pending, []
        self.opened = True

        def run(raw: sqlite3.Connection) -> T:
            cursor = raw.cursor()
            for deferred, args in batch:
                cursor.execute(deferred, args)
            if sql is not None:
                cursor.execute(sql, parameters)
            return result(cursor)

        if self._on_thread is not None:
            return run(self._on_thread)
        assert self._db is not None
        return await self._db.trip(run)


def _fetchall(cursor: sqlite3.Cursor) -> list[sqlite3.Row]:
    return cursor.fetchall()


@dataclass(frozen=True)
class _Queued:
    """A unit waiting for ``Database.transact``'s next trip, and where its outcome goes."""

    unit: Callable[[Statements], Coroutine[Any, Any, Any]]
    outcome: asyncio.Future[Any]


def _run_units(
    units: list[Callable[[Statements], Coroutine[Any, Any, Any]]], raw: sqlite3.Connection
) -> list[tuple[Any, Exception | None]]:
    """On the database thread: one transaction, each unit in its savepoint, then COMMIT.
    A unit that raises is undone alone; the commit, or its failure, covers all of them."""
    raw.execute("BEGIN IMMEDIATE")
    try:
        outcomes: list[tuple[Any, Exception | None]] = []
        for unit in units:
            try:
                outcomes.append((_in_savepoint(unit, raw), None))
            except Exception as exc:
                if not raw.in_transaction:
                    # SQLite rolled the whole transaction back (disk full, I/O error): the
                    # units before this one are undone too, and none after it may run
                    # outside a transaction. Every unit in the trip fails with this error.
                    raise
                outcomes.append((None, exc))
        raw.execute("COMMIT")
    except BaseException:
        if raw.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                raw.execute("ROLLBACK")
        raise
    return outcomes


def _in_savepoint(
    unit: Callable[[Statements], Coroutine[Any, Any, T]], raw: sqlite3.Connection
) -> T:
    """On the database thread: run ``unit`` to its end inside a savepoint of the batch."""
    raw.execute("SAVEPOINT unit")
    try:
        statements = Statements(None, on_thread=raw)
        result = _run_to_end(unit(statements))
        _run_to_end(statements.flush("RELEASE unit"))
    except BaseException:
        _undo_unit(raw)
        raise
    return result


def _undo_unit(raw: sqlite3.Connection) -> bool:
    """On the database thread: roll the open unit back to its savepoint and release it.

    Nothing to undo when its RELEASE already ran (its caller was cancelled while the trip
    carrying it was on this thread: the unit stands and commits with its batch), or when
    SQLite has rolled back the whole transaction. Returns whether a transaction is open."""
    if not raw.in_transaction:
        return False
    try:
        raw.execute("ROLLBACK TO unit")
    except sqlite3.OperationalError as exc:
        if "no such savepoint" not in str(exc):
            raise
        return True
    raw.execute("RELEASE unit")
    return True


def _run_to_end(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never suspends: its awaits all complete at once."""
    try:
        coroutine.send(None)
    except StopIteration as finished:
        result: T = finished.value
        return result
    coroutine.close()
    raise RuntimeError("a unit run by Database.transact waited on something other than SQL")


class Database:
    """The store's only connection.

    aiosqlite runs one connection on one thread; two coroutines sharing it would interleave
    statements inside each other's transactions, so every use goes through one lock and
    every write transaction starts with BEGIN IMMEDIATE.
    """

    def __init__(self, connection: aiosqlite.Connection, path: str) -> None:
        if not callable(getattr(connection, "_execute", None)):  # pragma: no cover
            raise RuntimeError("this aiosqlite has no Connection._execute; pin aiosqlite<0.23")
        self._conn = connection
        self.trips = 0  # round trips to the database thread, for the benchmark's anatomy
        self._lock = asyncio.Lock()
        self._batch: _Batch | None = None
        self._waiting_writers = 0
        self._flushes: set[asyncio.Future[None]] = set()
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
        methods run (stable from 0.17 to 0.22, checked at start-up and by the tests)."""
        self.trips += 1
        conn = self._conn

        def on_thread() -> T:
            return fn(conn._conn)  # the property is read on the thread that owns the connection

        result: T = await conn._execute(on_thread)  # type: ignore[no-untyped-call]
        return result

    async def _run(self, sql: str) -> None:
        await self.trip(lambda raw: raw.execute(sql))

    async def close(self) -> None:
        while self._drainer is not None:
            # Shielded: cancelling close() must not cancel units already handed over.
            with contextlib.suppress(Exception):
                await asyncio.shield(self._drainer)
        async with self._lock:
            await self._end_batch()
            await self._conn.close()

    async def _migrate(self) -> None:
        async with self._lock:
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

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Statements]:
        """A unit of work, all or nothing, durable on disk when the block has returned.

        Group commit: while other writers are queued, units share one ``BEGIN IMMEDIATE``
        transaction, each inside its own savepoint (a unit that raises is rolled back to it,
        alone); the last one in the queue commits for all, so one fsync covers a burst. A
        writer returns only after that commit, so nothing is acknowledged before it is on
        disk, and a failed commit fails every unit it covered.
        """
        async with self._member():
            unit = Statements(self, opening="SAVEPOINT unit")
            try:
                yield unit
                await unit.flush("RELEASE unit")  # deferred writes can still fail here
            except BaseException as exc:
                unit.discard()
                # The savepoint may exist (its trip was handed over): undo this unit alone.
                if unit.opened and not await self.trip(_undo_unit):
                    self._lose_batch(exc)
                raise

    async def transact(self, unit: Callable[[Statements], Coroutine[Any, Any, T]]) -> T:
        """``write``, with the whole unit run on the database thread: no trip per statement.

        ``unit`` is the body of an ``async with write()`` block written as a coroutine
        function. The units queued meanwhile share one trip, one transaction and one
        COMMIT (``_drain``), so none holds the write lock while the busy event loop gets
        round to resuming it. ``unit`` may await the statements it is given and nothing
        else, and must not touch the event loop: it is not run by one.
        """
        queued = _Queued(unit, asyncio.get_running_loop().create_future())
        self._queued.append(queued)
        if self._drainer is None:
            self._drainer = asyncio.ensure_future(self._drain())
        result: T = await queued.outcome
        return result

    async def _drain(self) -> None:
        """Run the queued units, as many as have arrived (up to MAX_BATCH), in one trip: one
        transaction, a savepoint each, then COMMIT, then tell each unit how it went.

        Group commit without hand-offs: the units run back to back on the database thread
        while the event loop goes on with other requests and queues the next ones."""
        try:
            while self._queued:
                async with self._lock:
                    with contextlib.suppress(Exception):  # its own members are told
                        await self._end_batch()  # a ``write`` batch still open commits first
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
        trip = asyncio.ensure_future(self.trip(partial(_run_units, [q.unit for q in taken])))
        cancelled = False
        while not trip.done():
            try:
                await asyncio.shield(trip)
            except asyncio.CancelledError:
                cancelled = True
            except Exception:  # noqa: S110 - read from the trip below
                pass
        error = trip.exception()
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

    @asynccontextmanager
    async def _member(self) -> AsyncIterator[None]:
        """Hold the write lock as one unit of the open batch (opening one if there is none);
        end the batch on leaving when no writer waits, then wait for its commit."""
        self._waiting_writers += 1
        try:
            await self._lock.acquire()
        except BaseException:
            # Cancelled while queued: the batch may have been left open for us to join.
            self._waiting_writers -= 1
            if self._batch is not None:
                flush = asyncio.ensure_future(self._flush())
                self._flushes.add(flush)
                flush.add_done_callback(self._flushes.discard)
            raise
        self._waiting_writers -= 1
        try:
            if self._batch is None:
                await self._run("BEGIN IMMEDIATE")
                self._batch = _Batch()
            batch = self._batch
            batch.members += 1
            try:
                yield
            finally:
                if self._waiting_writers == 0 or batch.members >= MAX_BATCH:
                    await self._end_batch_shielded()
        finally:
            self._lock.release()
        await batch.committed

    def _lose_batch(self, exc: BaseException) -> None:
        """SQLite rolled back the batch's transaction: every unit in it fails, and the next
        writer begins a new one instead of running outside a transaction."""
        batch, self._batch = self._batch, None
        if batch is not None and not batch.committed.done():
            batch.committed.set_exception(exc)
            batch.committed.exception()  # retrieved here; each member raises it when it waits

    async def _end_batch_shielded(self) -> None:
        """End the batch even if this writer is cancelled meanwhile (as in the drain at
        shutdown): the other units in the batch must learn that their commit happened."""
        ending = asyncio.ensure_future(self._end_batch())
        self._flushes.add(ending)
        ending.add_done_callback(self._flushes.discard)
        await asyncio.shield(ending)

    async def _flush(self) -> None:
        async with self._lock:
            await self._end_batch()

    async def _end_batch(self) -> None:
        """Commit the open batch (the lock is held) and tell every unit in it."""
        batch, self._batch = self._batch, None
        if batch is None:
            return
        try:
            await self._run("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error, ValueError):
                await self._run("ROLLBACK")
            batch.committed.set_exception(exc)
            batch.committed.exception()  # retrieved here; each member raises it when it waits
            raise
        batch.committed.set_result(None)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Statements]:
        """A consistent read of committed state, never interleaved with a write."""
        async with self._lock:
            # A batch still open here has no writer left in the queue ahead of us: end it,
            # so reads never see what is not yet on disk.
            await self._end_batch()
            unit = Statements(self, opening="BEGIN")
            try:
                yield unit
            finally:
                unit.discard()
                if unit.opened:
                    await unit.flush("COMMIT")

    async def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            async with self.read() as conn:
                await conn.execute_fetchall("SELECT 1")
        except (sqlite3.Error, ValueError):
            return False
        return True

    async def integrity_check(self) -> str:
        async with self.read() as conn:
            fetched = await conn.execute_fetchall("PRAGMA integrity_check")
        return str(fetched[0][0]) if fetched else "no answer"


class _Batch:
    """One group-committed transaction and the units of work inside it."""

    def __init__(self) -> None:
        self.members = 0
        self.committed: asyncio.Future[None] = asyncio.get_running_loop().create_future()


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
