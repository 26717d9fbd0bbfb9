"""App Home views in SQLite: who opened the Home tab, and whose view is out of date."""

from __future__ import annotations

from datetime import datetime

from storage.common import rows
from storage.sqlite.units import Statements


class SqliteHomeRepository:
    def __init__(self, conn: Statements) -> None:
        self._conn = conn

    async def opened(self, team_id: str, user_id: str, now: datetime) -> None:
        """The user opened the Home tab: publish it now, and keep it fresh from now on."""
        await self._conn.execute(
            "INSERT INTO home_views (team_id, user_id, opened_at) VALUES (?, ?, ?)"
            " ON CONFLICT (team_id, user_id) DO UPDATE SET opened_at = excluded.opened_at,"
            " revision = revision + 1",
            (team_id, user_id, rows.ts(now)),
        )

    async def mark_stale(self, meeting_id: int) -> None:
        """Every Home view that shows this meeting (its members' and chairs') needs redrawing."""
        await self._conn.execute(
            "UPDATE home_views SET revision = revision + 1"
            " WHERE team_id = (SELECT team_id FROM meetings WHERE id = ?)"
            " AND (user_id IN (SELECT user_id FROM members WHERE meeting_id = ?)"
            "      OR user_id IN (SELECT user_id FROM chairs WHERE meeting_id = ?))",
            (meeting_id, meeting_id, meeting_id),
        )

    async def stale(self, limit: int) -> list[tuple[str, str, int]]:
        fetched = await self._conn.execute_fetchall(
            "SELECT team_id, user_id, revision FROM home_views"
            " WHERE published_revision < revision LIMIT ?",
            (limit,),
        )
        return [(r["team_id"], r["user_id"], r["revision"]) for r in fetched]

    async def mark_published(self, team_id: str, user_id: str, revision: int) -> None:
        await self._conn.execute(
            "UPDATE home_views SET published_revision = max(published_revision, ?)"
            " WHERE team_id = ? AND user_id = ?",
            (revision, team_id, user_id),
        )

    async def meeting_ids_of(self, team_id: str, user_id: str) -> list[int]:
        """Meetings in the workspace where the user chairs or belongs to a delegation."""
        fetched = await self._conn.execute_fetchall(
            "SELECT id FROM meetings WHERE team_id = ? AND id IN ("
            " SELECT meeting_id FROM members WHERE user_id = ?"
            " UNION SELECT meeting_id FROM chairs WHERE user_id = ?) ORDER BY created_at DESC",
            (team_id, user_id, user_id),
        )
        return [r["id"] for r in fetched]
