"""The PostgreSQL store: units of work that bundle the repositories over one transaction."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from storage.postgres.agenda import PostgresAgendaRepository
from storage.postgres.database import Database, Statements
from storage.postgres.floor import PostgresFloorRepository
from storage.postgres.homes import PostgresHomeRepository
from storage.postgres.items import PostgresItemRepository
from storage.postgres.links import PostgresLinkRepository
from storage.postgres.meetings import PostgresMeetingRepository
from storage.postgres.notices import PostgresNoticeRepository
from storage.postgres.sessions import PostgresSessionRepository
from storage.postgres.votes import PostgresVoteRepository
from storage.postgres.workspaces import PostgresWorkspaceRepository

T = TypeVar("T")


class PostgresUnitOfWork:
    def __init__(self, statements: Statements) -> None:
        self.meetings = PostgresMeetingRepository(statements)
        self.items = PostgresItemRepository(statements)
        self.notices = PostgresNoticeRepository(statements)
        self.sessions = PostgresSessionRepository(statements)
        self.homes = PostgresHomeRepository(statements)
        self.agendas = PostgresAgendaRepository(statements)
        self.floor = PostgresFloorRepository(statements)
        self.votes = PostgresVoteRepository(statements)
        self.workspaces = PostgresWorkspaceRepository(statements)
        self.links = PostgresLinkRepository(statements)


class PostgresStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def transact(self, unit: Callable[[PostgresUnitOfWork], Coroutine[Any, Any, T]]) -> T:
        """Run ``unit`` in one transaction, committed before this returns."""
        return await self.db.transact(lambda statements: unit(PostgresUnitOfWork(statements)))

    async def query(self, unit: Callable[[PostgresUnitOfWork], Coroutine[Any, Any, T]]) -> T:
        """Run ``unit`` as one read-only snapshot."""
        return await self.db.query(lambda statements: unit(PostgresUnitOfWork(statements)))

    async def scrub(self) -> None:
        """Vacuum the ballots, so an erased secret vote's choices leave the table's pages."""
        await self.db.vacuum_ballots()
