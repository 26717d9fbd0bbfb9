"""One aiosqlite connection, migrations, and serialised transactions on it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.errors import ConfigError
from storage.migrations import MIGRATIONS

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


class Database:
    """The store's only connection.

    aiosqlite runs one connection on one thread; two coroutines sharing it would interleave
    statements inside each other's transactions, so every use goes through one lock and
    every write transaction starts with BEGIN IMMEDIATE.
    """

    def __init__(self, connection: aiosqlite.Connection, path: str) -> None:
        self._conn = connection
        self._lock = asyncio.Lock()
        self._batch: _Batch | None = None
        self._waiting_writers = 0
        self._flushes: set[asyncio.Future[None]] = set()
        self.path = path

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        conn = await aiosqlite.connect(str(path), isolation_level=None)
        try:
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA synchronous = FULL")
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA busy_timeout = 5000")
            conn.row_factory = aiosqlite.Row
            db = cls(conn, str(path))
            await db._migrate()
        except BaseException:
            await conn.close()
            raise
        return db

    async def close(self) -> None:
        async with self._lock:
            await self._end_batch()
            await self._conn.close()

    async def _migrate(self) -> None:
        async with self._lock:
            cursor = await self._conn.execute("PRAGMA user_version")
            row = await cursor.fetchone()
            version = int(row[0]) if row else 0
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                # The version bump commits with the change, so a crash never half-applies one.
                await self._conn.execute("BEGIN IMMEDIATE")
                try:
                    for statement in _statements(script):
                        await self._conn.execute(statement)
                    await self._conn.execute(f"PRAGMA user_version = {number}")
                    await self._conn.execute("COMMIT")
                except BaseException:
                    await self._conn.execute("ROLLBACK")
                    raise
                log.info("migrated database", extra={"schema_version": number})

    @asynccontextmanager
    async def write(self) -> AsyncIterator[aiosqlite.Connection]:
        """A unit of work, all or nothing, durable on disk when the block has returned.

        Group commit: while other writers are queued, units share one ``BEGIN IMMEDIATE``
        transaction, each inside its own savepoint (a unit that raises is rolled back to it,
        alone); the last one in the queue commits for all, so one fsync covers a burst. A
        writer returns only after that commit, so nothing is acknowledged before it is on
        disk, and a failed commit fails every unit it covered.
        """
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
                await self._conn.execute("BEGIN IMMEDIATE")
                self._batch = _Batch()
            batch = self._batch
            batch.members += 1
            await self._conn.execute("SAVEPOINT unit")
            try:
                yield self._conn
            except BaseException:
                await self._conn.execute("ROLLBACK TO unit")
                await self._conn.execute("RELEASE unit")
                if self._waiting_writers == 0 or batch.members >= MAX_BATCH:
                    await self._end_batch()
                raise
            await self._conn.execute("RELEASE unit")
            if self._waiting_writers == 0 or batch.members >= MAX_BATCH:
                await self._end_batch_shielded()
        finally:
            self._lock.release()
        await batch.committed

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
            await self._conn.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(aiosqlite.Error, ValueError):
                await self._conn.execute("ROLLBACK")
            batch.committed.set_exception(exc)
            batch.committed.exception()  # retrieved here: each member re-raises its own copy
            raise
        batch.committed.set_result(None)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[aiosqlite.Connection]:
        """A consistent read of committed state, never interleaved with a write."""
        async with self._lock:
            # A batch still open here has no writer left in the queue ahead of us: end it,
            # so reads never see what is not yet on disk.
            await self._end_batch()
            await self._conn.execute("BEGIN")
            try:
                yield self._conn
            finally:
                await self._conn.execute("COMMIT")

    async def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            async with self.read() as conn:
                await conn.execute("SELECT 1")
        except (aiosqlite.Error, ValueError):
            return False
        return True

    async def integrity_check(self) -> str:
        async with self.read() as conn:
            cursor = await conn.execute("PRAGMA integrity_check")
            row = await cursor.fetchone()
        return str(row[0]) if row else "no answer"


class _Batch:
    """One group-committed transaction and the units of work inside it."""

    def __init__(self) -> None:
        self.members = 0
        self.committed: asyncio.Future[None] = asyncio.get_running_loop().create_future()


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
