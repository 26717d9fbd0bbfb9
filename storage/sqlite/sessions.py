"""Sessions of a meeting and their reminders in SQLite."""

from __future__ import annotations

from datetime import datetime

from bot.domain.model import Session
from storage.common import rows
from storage.sqlite.units import Statements


class SqliteSessionRepository:
    def __init__(self, conn: Statements) -> None:
        self._conn = conn

    async def add(
        self, meeting_id: int, title: str, starts_at: datetime, remind_at: datetime, now: datetime
    ) -> Session:
        fetched = await self._conn.execute_fetchall(
            "UPDATE meetings SET next_session_number = next_session_number + 1 WHERE id = ?"
            " RETURNING next_session_number - 1",
            (meeting_id,),
        )
        row = next(iter(fetched), None)
        assert row is not None
        fetched = await self._conn.execute_fetchall(
            "INSERT INTO sessions (meeting_id, number, title, starts_at, remind_at, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
            (meeting_id, int(row[0]), title, rows.ts(starts_at), rows.ts(remind_at), rows.ts(now)),
        )
        created = next(iter(fetched), None)
        assert created is not None
        return rows.session(created)

    async def all(self, meeting_id: int) -> list[Session]:
        fetched = await self._conn.execute_fetchall(
            "SELECT * FROM sessions WHERE meeting_id = ? AND removed_at IS NULL"
            " ORDER BY starts_at, number",
            (meeting_id,),
        )
        return [rows.session(r) for r in fetched]

    async def get(self, session_id: int) -> Session | None:
        fetched = await self._conn.execute_fetchall(
            "SELECT * FROM sessions WHERE id = ?", (session_id,)
        )
        row = next(iter(fetched), None)
        return rows.session(row) if row else None

    async def by_number(self, meeting_id: int, number: int) -> Session | None:
        fetched = await self._conn.execute_fetchall(
            "SELECT * FROM sessions WHERE meeting_id = ? AND number = ? AND removed_at IS NULL",
            (meeting_id, number),
        )
        row = next(iter(fetched), None)
        return rows.session(row) if row else None

    async def remove(self, session_id: int, now: datetime) -> None:
        await self._conn.execute(
            "UPDATE sessions SET removed_at = ? WHERE id = ?", (rows.ts(now), session_id)
        )
        await self._conn.execute(
            "UPDATE items SET session_id = NULL WHERE session_id = ? AND status = 'open'",
            (session_id,),
        )

    async def set_remind_at(self, session_id: int, remind_at: datetime) -> None:
        await self._conn.execute(
            "UPDATE sessions SET remind_at = ? WHERE id = ?", (rows.ts(remind_at), session_id)
        )

    async def reminders_due(self, now: datetime) -> list[Session]:
        fetched = await self._conn.execute_fetchall(
            "SELECT * FROM sessions WHERE reminded_at IS NULL AND removed_at IS NULL"
            " AND remind_at <= ? ORDER BY remind_at",
            (rows.ts(now),),
        )
        return [rows.session(r) for r in fetched]

    async def mark_reminded(self, session_id: int, now: datetime) -> bool:
        """Claim the reminder; False when it was already sent (so it is never sent twice)."""
        cursor = await self._conn.execute(
            "UPDATE sessions SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL",
            (rows.ts(now), session_id),
        )
        return cursor.rowcount == 1

    async def planned_reminders(self) -> list[tuple[int, datetime]]:
        fetched = await self._conn.execute_fetchall(
            "SELECT id, remind_at FROM sessions WHERE reminded_at IS NULL AND removed_at IS NULL"
        )
        return [(r["id"], rows.dt(r["remind_at"])) for r in fetched]
