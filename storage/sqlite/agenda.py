"""Agenda proposals in SQLite: provisional agendas circulated for objection."""

from __future__ import annotations

import json
from datetime import datetime

from bot.domain.model import AgendaProposal
from storage.common import rows
from storage.sqlite.units import Statements


class SqliteAgendaRepository:
    def __init__(self, conn: Statements) -> None:
        self._conn = conn

    async def propose(
        self, meeting_id: int, user_id: str, now: datetime, deadline: datetime, items: list[int]
    ) -> AgendaProposal:
        fetched = await self._conn.execute_fetchall(
            "INSERT INTO agenda_proposals (meeting_id, proposed_by, proposed_at, deadline, items)"
            " VALUES (?, ?, ?, ?, ?) RETURNING *",
            (meeting_id, user_id, rows.ts(now), rows.ts(deadline), json.dumps(items)),
        )
        row = next(iter(fetched), None)
        assert row is not None
        return rows.agenda_proposal(row)

    async def pending(self, meeting_id: int) -> AgendaProposal | None:
        fetched = await self._conn.execute_fetchall(
            "SELECT * FROM agenda_proposals WHERE meeting_id = ? AND adopted_at IS NULL"
            " ORDER BY id DESC LIMIT 1",
            (meeting_id,),
        )
        row = next(iter(fetched), None)
        return rows.agenda_proposal(row) if row else None

    async def due(self, now: datetime) -> list[AgendaProposal]:
        fetched = await self._conn.execute_fetchall(
            "SELECT * FROM agenda_proposals WHERE adopted_at IS NULL AND deadline <= ?"
            " ORDER BY deadline",
            (rows.ts(now),),
        )
        return [rows.agenda_proposal(r) for r in fetched]

    async def planned(self) -> list[tuple[int, datetime]]:
        fetched = await self._conn.execute_fetchall(
            "SELECT id, deadline FROM agenda_proposals WHERE adopted_at IS NULL"
        )
        return [(r["id"], rows.dt(r["deadline"])) for r in fetched]

    async def get(self, proposal_id: int) -> AgendaProposal | None:
        fetched = await self._conn.execute_fetchall(
            "SELECT * FROM agenda_proposals WHERE id = ?", (proposal_id,)
        )
        row = next(iter(fetched), None)
        return rows.agenda_proposal(row) if row else None

    async def mark_adopted(self, proposal_id: int, now: datetime) -> bool:
        cursor = await self._conn.execute(
            "UPDATE agenda_proposals SET adopted_at = ? WHERE id = ? AND adopted_at IS NULL",
            (rows.ts(now), proposal_id),
        )
        return cursor.rowcount == 1

    async def mark_inquorate(self, proposal_id: int) -> None:
        """Its deadline passed without a quorum: it closed without being adopted."""
        await self._conn.execute(
            "UPDATE agenda_proposals SET inquorate = 1 WHERE id = ?", (proposal_id,)
        )
