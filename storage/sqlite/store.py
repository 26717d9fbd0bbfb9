"""The SQLite store: units of work that bundle the repositories over one transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from storage.sqlite.agenda import SqliteAgendaRepository
from storage.sqlite.database import Database, Statements
from storage.sqlite.homes import SqliteHomeRepository
from storage.sqlite.items import SqliteItemRepository
from storage.sqlite.meetings import SqliteMeetingRepository
from storage.sqlite.notices import SqliteNoticeRepository
from storage.sqlite.sessions import SqliteSessionRepository

T = TypeVar("T")


class SqliteUnitOfWork:
    def __init__(self, db_conn: Statements) -> None:
        self.meetings = SqliteMeetingRepository(db_conn)
        self.items = SqliteItemRepository(db_conn)
        self.notices = SqliteNoticeRepository(db_conn)
        self.sessions = SqliteSessionRepository(db_conn)
        self.homes = SqliteHomeRepository(db_conn)
        self.agendas = SqliteAgendaRepository(db_conn)


class SqliteStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    @asynccontextmanager
    async def write(self) -> AsyncIterator[SqliteUnitOfWork]:
        async with self.db.write() as conn:
            yield SqliteUnitOfWork(conn)

    async def transact(self, unit: Callable[[SqliteUnitOfWork], Coroutine[Any, Any, T]]) -> T:
        """``write``, run as one round trip to the database thread (see ``Database.transact``)."""
        return await self.db.transact(lambda statements: unit(SqliteUnitOfWork(statements)))

    @asynccontextmanager
    async def read(self) -> AsyncIterator[SqliteUnitOfWork]:
        async with self.db.read() as conn:
            yield SqliteUnitOfWork(conn)
