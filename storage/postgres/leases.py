"""The outbox's delivery leases in PostgreSQL: a row per meeting naming the replica that
delivers its notices, until when, and the lease's generation."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any, TypeVar

from bot.ports.store import Lease, LeaseLost
from storage.common import rows
from storage.postgres.database import Database, Statements
from storage.postgres.store import PostgresUnitOfWork

T = TypeVar("T")


class PostgresDeliveryLeases:
    """Each call is one short transaction of its own: a lease is never held open across a
    Slack call; it is a row whose expiry says until when its owner may deliver."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def hold(
        self, meeting_id: int, owner: str, now: datetime, until: datetime
    ) -> Lease | None:
        async def unit(statements: Statements) -> Lease | None:
            # Taken when free, expired or already ours; the row lock the upsert takes makes
            # two replicas asking at once see one after the other.
            row = await statements.fetchone(
                "INSERT INTO delivery_leases AS lease (meeting_id, owner, expires_at, generation)"
                " VALUES (%s, %s, %s, 1) ON CONFLICT (meeting_id) DO UPDATE"
                " SET owner = excluded.owner, expires_at = excluded.expires_at,"
                " generation = lease.generation"
                " + CASE WHEN lease.owner = excluded.owner AND lease.expires_at > %s"
                " THEN 0 ELSE 1 END"
                " WHERE lease.owner = excluded.owner OR lease.expires_at <= %s"
                " RETURNING generation, spoke_at",
                (meeting_id, owner, until, now, now),
            )
            if row is None:
                return None
            return Lease(int(row[0]), rows.opt_dt(row[1]))

        return await self._db.transact(unit)

    async def release(
        self, meeting_id: int, owner: str, now: datetime, spoke_at: datetime | None
    ) -> None:
        async def unit(statements: Statements) -> None:
            await statements.execute(
                "UPDATE delivery_leases SET expires_at = %s, spoke_at = coalesce(%s, spoke_at)"
                " WHERE meeting_id = %s AND owner = %s AND expires_at > %s",
                (now, spoke_at, meeting_id, owner, now),
            )

        await self._db.transact(unit)

    async def transact_holding(
        self,
        meeting_id: int,
        owner: str,
        generation: int,
        unit: Callable[[PostgresUnitOfWork], Coroutine[Any, Any, T]],
    ) -> T:
        async def fenced(statements: Statements) -> T:
            # FOR SHARE: a replica taking the lease over (an UPDATE of this row) waits until
            # this write commits, and one that took it first has raised the generation.
            row = await statements.fetchone(
                "SELECT 1 FROM delivery_leases"
                " WHERE meeting_id = %s AND owner = %s AND generation = %s FOR SHARE",
                (meeting_id, owner, generation),
            )
            if row is None:
                raise LeaseLost(meeting_id)
            return await unit(PostgresUnitOfWork(statements))

        return await self._db.transact(fenced)
