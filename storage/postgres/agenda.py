"""Agenda proposals in PostgreSQL: provisional agendas circulated for objection."""

from __future__ import annotations

import json
from datetime import datetime

from bot.domain.model import AgendaProposal
from storage.common import rows
from storage.postgres.database import Statements


class PostgresAgendaRepository:
    def __init__(self, conn: Statements) -> None:
        self._conn = conn

    async def propose(
        self, meeting_id: int, user_id: str, now: datetime, deadline: datetime, items: list[int]
    ) -> AgendaProposal:
        row = await self._conn.fetchone(
            "INSERT INTO agenda_proposals (meeting_id, proposed_by, proposed_at, deadline, items)"
            " VALUES (%s, %s, %s, %s, %s) RETURNING *",
            (meeting_id, user_id, now, deadline, json.dumps(items)),
        )
        assert row is not None
        return rows.agenda_proposal(row)

    async def pending(self, meeting_id: int) -> AgendaProposal | None:
        row = await self._conn.fetchone(
            "SELECT * FROM agenda_proposals WHERE meeting_id = %s AND adopted_at IS NULL"
            " ORDER BY id DESC LIMIT 1",
            (meeting_id,),
        )
        return rows.agenda_proposal(row) if row else None

    async def due(self, now: datetime) -> list[AgendaProposal]:
        fetched = await self._conn.fetchall(
            "SELECT * FROM agenda_proposals WHERE adopted_at IS NULL AND deadline <= %s"
            " ORDER BY deadline, id",
            (now,),
        )
        return [rows.agenda_proposal(r) for r in fetched]

    async def planned(self) -> list[tuple[int, datetime]]:
        fetched = await self._conn.fetchall(
            "SELECT id, deadline FROM agenda_proposals WHERE adopted_at IS NULL"
        )
        return [(r["id"], rows.dt(r["deadline"])) for r in fetched]

    async def get(self, proposal_id: int) -> AgendaProposal | None:
        row = await self._conn.fetchone(
            "SELECT * FROM agenda_proposals WHERE id = %s", (proposal_id,)
        )
        return rows.agenda_proposal(row) if row else None

    async def mark_adopted(self, proposal_id: int, now: datetime) -> bool:
        changed = await self._conn.execute(
            "UPDATE agenda_proposals SET adopted_at = %s WHERE id = %s AND adopted_at IS NULL",
            (now, proposal_id),
        )
        return changed == 1

    async def mark_inquorate(self, proposal_id: int) -> None:
        await self._conn.execute(
            "UPDATE agenda_proposals SET inquorate = true WHERE id = %s", (proposal_id,)
        )
