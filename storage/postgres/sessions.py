"""Sessions of a meeting and their reminders in PostgreSQL."""

from __future__ import annotations

from datetime import datetime

from bot.domain.model import Session
from storage.common import rows
from storage.postgres.database import Statements


class PostgresSessionRepository:
    def __init__(self, conn: Statements) -> None:
        self._conn = conn

    async def add(
        self, meeting_id: int, title: str, starts_at: datetime, remind_at: datetime, now: datetime
    ) -> Session:
        created = await self._conn.fetchone(
            "WITH numbered AS (UPDATE meetings SET next_session_number = next_session_number + 1"
            " WHERE id = %s RETURNING next_session_number - 1 AS number)"
            " INSERT INTO sessions (meeting_id, number, title, starts_at, remind_at, created_at)"
            " SELECT %s, number, %s, %s, %s, %s FROM numbered RETURNING *",
            (meeting_id, meeting_id, title, starts_at, remind_at, now),
        )
        assert created is not None
        return rows.session(created)

    async def all(self, meeting_id: int) -> list[Session]:
        fetched = await self._conn.fetchall(
            "SELECT * FROM sessions WHERE meeting_id = %s AND removed_at IS NULL"
            " ORDER BY starts_at, number",
            (meeting_id,),
        )
        return [rows.session(r) for r in fetched]

    async def get(self, session_id: int) -> Session | None:
        row = await self._conn.fetchone("SELECT * FROM sessions WHERE id = %s", (session_id,))
        return rows.session(row) if row else None

    async def by_number(self, meeting_id: int, number: int) -> Session | None:
        row = await self._conn.fetchone(
            "SELECT * FROM sessions WHERE meeting_id = %s AND number = %s AND removed_at IS NULL",
            (meeting_id, number),
        )
        return rows.session(row) if row else None

    async def remove(self, session_id: int, now: datetime) -> None:
        await self._conn.execute(
            "UPDATE sessions SET removed_at = %s WHERE id = %s", (now, session_id)
        )
        await self._conn.execute(
            "UPDATE items SET session_id = NULL WHERE session_id = %s AND status = 'open'",
            (session_id,),
        )

    async def set_remind_at(self, session_id: int, remind_at: datetime) -> None:
        await self._conn.execute(
            "UPDATE sessions SET remind_at = %s WHERE id = %s", (remind_at, session_id)
        )

    async def reminders_due(self, now: datetime) -> list[Session]:
        fetched = await self._conn.fetchall(
            "SELECT * FROM sessions WHERE reminded_at IS NULL AND removed_at IS NULL"
            " AND remind_at <= %s ORDER BY remind_at, id",
            (now,),
        )
        return [rows.session(r) for r in fetched]

    async def mark_reminded(self, session_id: int, now: datetime) -> bool:
        """Claim the reminder; False when it was already sent (so it is never sent twice)."""
        changed = await self._conn.execute(
            "UPDATE sessions SET reminded_at = %s WHERE id = %s AND reminded_at IS NULL",
            (now, session_id),
        )
        return changed == 1

    async def planned_reminders(self) -> list[tuple[int, datetime]]:
        fetched = await self._conn.fetchall(
            "SELECT id, remind_at FROM sessions WHERE reminded_at IS NULL AND removed_at IS NULL"
        )
        return [(r["id"], rows.dt(r["remind_at"])) for r in fetched]
