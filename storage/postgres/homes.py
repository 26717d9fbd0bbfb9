"""App Home views in PostgreSQL: who opened the Home tab, and whose view is out of date."""

from __future__ import annotations

from datetime import datetime

from storage.postgres.database import Statements


class PostgresHomeRepository:
    def __init__(self, conn: Statements) -> None:
        self._conn = conn

    async def opened(self, team_id: str, user_id: str, now: datetime) -> None:
        await self._conn.execute(
            "INSERT INTO home_views (team_id, user_id, opened_at) VALUES (%s, %s, %s)"
            " ON CONFLICT (team_id, user_id) DO UPDATE SET opened_at = excluded.opened_at,"
            " revision = home_views.revision + 1",
            (team_id, user_id, now),
        )

    async def mark_stale(self, meeting_id: int) -> None:
        await self._conn.execute(
            "UPDATE home_views SET revision = revision + 1"
            " WHERE team_id = (SELECT team_id FROM meetings WHERE id = %s)"
            " AND (user_id IN (SELECT user_id FROM members WHERE meeting_id = %s)"
            "      OR user_id IN (SELECT user_id FROM chairs WHERE meeting_id = %s))",
            (meeting_id, meeting_id, meeting_id),
        )

    async def stale(self, limit: int) -> list[tuple[str, str, int]]:
        fetched = await self._conn.fetchall(
            "SELECT team_id, user_id, revision FROM home_views"
            " WHERE published_revision < revision ORDER BY team_id, user_id LIMIT %s",
            (limit,),
        )
        return [(r["team_id"], r["user_id"], r["revision"]) for r in fetched]

    async def mark_published(self, team_id: str, user_id: str, revision: int) -> None:
        await self._conn.execute(
            "UPDATE home_views SET published_revision = greatest(published_revision, %s)"
            " WHERE team_id = %s AND user_id = %s",
            (revision, team_id, user_id),
        )

    async def meeting_ids_of(self, team_id: str, user_id: str) -> list[int]:
        fetched = await self._conn.fetchall(
            "SELECT id FROM meetings WHERE team_id = %s AND id IN ("
            " SELECT meeting_id FROM members WHERE user_id = %s"
            " UNION SELECT meeting_id FROM chairs WHERE user_id = %s)"
            " ORDER BY created_at DESC, id DESC",
            (team_id, user_id, user_id),
        )
        return [r["id"] for r in fetched]
