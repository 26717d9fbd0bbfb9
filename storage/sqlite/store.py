"""The SQLite store: units of work that bundle the repositories over one transaction."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from storage.sqlite.agenda import SqliteAgendaRepository
from storage.sqlite.database import Database
from storage.sqlite.floor import SqliteFloorRepository
from storage.sqlite.homes import SqliteHomeRepository
from storage.sqlite.items import SqliteItemRepository
from storage.sqlite.links import SqliteLinkRepository
from storage.sqlite.meetings import SqliteMeetingRepository
from storage.sqlite.notices import SqliteNoticeRepository
from storage.sqlite.sessions import SqliteSessionRepository
from storage.sqlite.units import Statements
from storage.sqlite.votes import SqliteVoteRepository
from storage.sqlite.workspaces import SqliteWorkspaceRepository

T = TypeVar("T")


class SqliteUnitOfWork:
    def __init__(self, statements: Statements) -> None:
        self.meetings = SqliteMeetingRepository(statements)
        self.items = SqliteItemRepository(statements)
        self.notices = SqliteNoticeRepository(statements)
        self.sessions = SqliteSessionRepository(statements)
        self.homes = SqliteHomeRepository(statements)
        self.agendas = SqliteAgendaRepository(statements)
        self.floor = SqliteFloorRepository(statements)
        self.votes = SqliteVoteRepository(statements)
        self.workspaces = SqliteWorkspaceRepository(statements)
        self.links = SqliteLinkRepository(statements)


class SqliteStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def transact(self, unit: Callable[[SqliteUnitOfWork], Coroutine[Any, Any, T]]) -> T:
        """Run ``unit`` as one durable transaction, group-committed (``Database.transact``)."""
        return await self.db.transact(lambda statements: unit(SqliteUnitOfWork(statements)))

    async def query(self, unit: Callable[[SqliteUnitOfWork], Coroutine[Any, Any, T]]) -> T:
        """Run ``unit`` as one consistent read (``Database.query``)."""
        return await self.db.query(lambda statements: unit(SqliteUnitOfWork(statements)))

    async def scrub(self) -> None:
        """Copy the WAL into the file and truncate it, so a page written before an erasure
        (a secret vote's ballots) survives nowhere: secure_delete zeroes what the file freed."""
        await self.db.checkpoint()
