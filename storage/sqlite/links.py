"""The meetings' web links in SQLite: one live token per meeting and kind."""

from __future__ import annotations

from datetime import datetime

from bot.domain.links import LinkKind
from storage.common import rows
from storage.sqlite.units import Statements


class SqliteLinkRepository:
    def __init__(self, conn: Statements) -> None:
        self._conn = conn

    async def issue(
        self, meeting_id: int, kind: LinkKind, token: str, digest: str, user_id: str, now: datetime
    ) -> None:
        await self._conn.execute(
            "INSERT INTO web_links (meeting_id, kind, token, token_hash, issued_by, issued_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (meeting_id, kind) DO UPDATE SET"
            " token = excluded.token, token_hash = excluded.token_hash,"
            " issued_by = excluded.issued_by, issued_at = excluded.issued_at",
            (meeting_id, kind.value, token, digest, user_id, rows.ts(now)),
        )

    async def token_of(self, meeting_id: int, kind: LinkKind) -> str | None:
        fetched = await self._conn.execute_fetchall(
            "SELECT token FROM web_links WHERE meeting_id = ? AND kind = ?",
            (meeting_id, kind.value),
        )
        return str(fetched[0]["token"]) if fetched else None

    async def revoke(self, meeting_id: int, kind: LinkKind) -> bool:
        done = await self._conn.execute(
            "DELETE FROM web_links WHERE meeting_id = ? AND kind = ?", (meeting_id, kind.value)
        )
        return done.rowcount > 0

    async def meeting_for(self, kind: LinkKind, digest: str) -> int | None:
        fetched = await self._conn.execute_fetchall(
            "SELECT meeting_id FROM web_links WHERE token_hash = ? AND kind = ?",
            (digest, kind.value),
        )
        return int(fetched[0]["meeting_id"]) if fetched else None
