"""The notice outbox in PostgreSQL: channel messages owed, written in the same transaction as
the change they announce."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.domain.model import Notice, NoticeKind
from storage.common import rows
from storage.postgres.database import Statements

_NOTICE_SELECT = (
    "SELECT notices.*, meetings.team_id, meetings.channel_id FROM notices"
    " JOIN meetings ON meetings.id = notices.meeting_id"
)


class PostgresNoticeRepository:
    def __init__(self, conn: Statements) -> None:
        self._conn = conn

    async def add(
        self,
        meeting_id: int,
        item_id: int | None,
        kind: NoticeKind,
        now: datetime,
        payload: dict[str, Any] | None = None,
    ) -> int:
        row = await self._conn.fetchone(
            "INSERT INTO notices (meeting_id, item_id, kind, created_at, payload)"
            " VALUES (%s, %s, %s, %s, %s) RETURNING id",
            (
                meeting_id,
                item_id,
                kind.value,
                now,
                json.dumps(payload, ensure_ascii=False) if payload else None,
            ),
        )
        assert row is not None
        return int(row["id"])

    async def get(self, notice_id: int) -> Notice | None:
        row = await self._conn.fetchone(f"{_NOTICE_SELECT} WHERE notices.id = %s", (notice_id,))
        return rows.notice(row) if row else None

    async def forget_message(self, notice_id: int) -> None:
        await self._conn.execute("UPDATE notices SET message_ts = NULL WHERE id = %s", (notice_id,))

    async def touch_card(self, item_id: int, *, with_block_notice: bool = False) -> None:
        """Bring the item's card up to date, and its open block notices too when asked."""
        await self._conn.execute(
            "UPDATE notices SET revision = revision + 1, next_attempt_at = NULL, attempts = 0"
            " WHERE id = (SELECT max(id) FROM notices WHERE item_id = %s AND kind = 'item-card')",
            (item_id,),
        )
        if with_block_notice:
            await self._conn.execute(
                "UPDATE notices SET revision = revision + 1, next_attempt_at = NULL, attempts = 0"
                " WHERE item_id = %s AND kind = 'blocked' AND NOT closed",
                (item_id,),
            )

    async def close_block_notices(self, item_id: int) -> None:
        """The item left the agenda: each of its open block notices says so, or, if it was
        never posted, never will be."""
        await self._conn.execute(
            "UPDATE notices SET revision = revision + 1, closed = true, next_attempt_at = NULL,"
            " attempts = 0 WHERE item_id = %s AND kind = 'blocked' AND NOT closed",
            (item_id,),
        )

    async def shows_blocked(self, item_id: int) -> bool:
        """Whether the channel holds (or may hold) a block notice not yet followed by a "no
        longer blocked" one."""
        row = await self._conn.fetchone(
            "SELECT EXISTS (SELECT 1 FROM notices WHERE item_id = %s AND kind = 'blocked'"
            " AND NOT closed AND (message_ts IS NOT NULL OR uncertain_since IS NOT NULL))",
            (item_id,),
        )
        return bool(row and row[0])

    async def end_shown_block(self, item_id: int) -> None:
        """A "no longer blocked" notice went out: the block notice before it is over."""
        await self._conn.execute(
            "UPDATE notices SET closed = true WHERE item_id = %s AND kind = 'blocked'"
            " AND NOT closed AND (message_ts IS NOT NULL OR uncertain_since IS NOT NULL)",
            (item_id,),
        )

    async def supersede(self, notice_id: int, revision: int) -> None:
        """A notice not yet posted whose news was undone before its turn: never posted."""
        await self._conn.execute(
            "UPDATE notices SET closed = true, delivered_revision = greatest(delivered_revision,"
            " %s), next_attempt_at = NULL WHERE id = %s",
            (revision, notice_id),
        )

    async def touch(self, notice_id: int, *, close: bool = False) -> None:
        await self._conn.execute(
            "UPDATE notices SET revision = revision + 1, closed = closed OR %s,"
            " next_attempt_at = NULL, attempts = 0 WHERE id = %s",
            (close, notice_id),
        )

    async def pending(
        self, now: datetime, limit: int, *, skip_teams: Sequence[str] = ()
    ) -> list[Notice]:
        fetched = await self._conn.fetchall(
            f"{_NOTICE_SELECT} WHERE notices.delivered_revision < notices.revision"
            " AND (notices.next_attempt_at IS NULL OR notices.next_attempt_at <= %s)"
            " AND NOT (meetings.team_id = ANY(%s))"
            " ORDER BY notices.id LIMIT %s",
            (now, list(skip_teams), limit),
        )
        return [rows.notice(r) for r in fetched]

    async def next_retry_at(self) -> datetime | None:
        row = await self._conn.fetchone(
            "SELECT min(next_attempt_at) FROM notices"
            " WHERE delivered_revision < revision AND next_attempt_at IS NOT NULL"
        )
        return rows.opt_dt(row[0]) if row else None

    async def mark_delivered(self, notice_id: int, revision: int, message_ts: str) -> None:
        await self._conn.execute(
            "UPDATE notices SET delivered_revision = greatest(delivered_revision, %s),"
            " message_ts = %s, attempts = 0, next_attempt_at = NULL, last_error = NULL,"
            " failed_at = NULL, uncertain_since = NULL WHERE id = %s",
            (revision, message_ts, notice_id),
        )

    async def mark_uncertain(self, notice_id: int, since: datetime) -> None:
        await self._conn.execute(
            "UPDATE notices SET uncertain_since = coalesce(uncertain_since, %s) WHERE id = %s",
            (since, notice_id),
        )

    async def clear_uncertain(self, notice_id: int) -> None:
        """Slack refused the first post: it is not in the channel."""
        await self._conn.execute(
            "UPDATE notices SET uncertain_since = NULL WHERE id = %s AND message_ts IS NULL",
            (notice_id,),
        )

    async def postpone(self, notice_id: int, until: datetime) -> None:
        await self._conn.execute(
            "UPDATE notices SET next_attempt_at = %s WHERE id = %s"
            " AND delivered_revision < revision",
            (until, notice_id),
        )

    async def adopt_message(self, notice_id: int, message_ts: str) -> None:
        await self._conn.execute(
            "UPDATE notices SET message_ts = %s, uncertain_since = NULL WHERE id = %s",
            (message_ts, notice_id),
        )

    async def first_delivery(self, event_id: str, now: datetime) -> bool:
        """Record an Events API delivery; False when this event id was seen before (a retry,
        whichever process it reached). Entries older than a day are pruned."""
        await self._conn.execute(
            "DELETE FROM seen_events WHERE seen_at < %s", (now - timedelta(days=1),)
        )
        added = await self._conn.execute(
            "INSERT INTO seen_events (event_id, seen_at) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            (event_id, now),
        )
        return added == 1

    async def mark_failed(
        self,
        notice_id: int,
        error: str,
        retry_at: datetime | None,
        revision: int,
        *,
        failed_at: datetime,
    ) -> None:
        if retry_at is None:
            await self._conn.execute(
                "UPDATE notices SET delivered_revision = greatest(delivered_revision, %s),"
                " next_attempt_at = NULL, last_error = %s, failed_at = %s,"
                " attempts = attempts + 1 WHERE id = %s",
                (revision, error, failed_at, notice_id),
            )
        else:
            await self._conn.execute(
                "UPDATE notices SET next_attempt_at = %s, last_error = %s, failed_at = %s,"
                " attempts = attempts + 1 WHERE id = %s",
                (retry_at, error, failed_at, notice_id),
            )

    async def skip(self, notice_id: int, revision: int) -> None:
        await self._conn.execute(
            "UPDATE notices SET delivered_revision = greatest(delivered_revision, %s),"
            " next_attempt_at = NULL WHERE id = %s",
            (revision, notice_id),
        )

    async def failed(self, since: datetime | None, limit: int) -> list[Notice]:
        """Notices whose latest attempt failed (since ``since``), newest failure first."""
        fetched = await self._conn.fetchall(
            f"{_NOTICE_SELECT} WHERE notices.failed_at IS NOT NULL"
            " AND (%s::timestamptz IS NULL OR notices.failed_at >= %s)"
            " ORDER BY notices.failed_at DESC, notices.id DESC LIMIT %s",
            (since, since, limit),
        )
        return [rows.notice(r) for r in fetched]

    async def count_failed(self, since: datetime) -> int:
        row = await self._conn.fetchone(
            "SELECT count(*) FROM notices WHERE failed_at IS NOT NULL AND failed_at >= %s",
            (since,),
        )
        return int(row[0]) if row else 0

    async def count_pending(self) -> int:
        row = await self._conn.fetchone(
            "SELECT count(*) FROM notices WHERE delivered_revision < revision"
        )
        return int(row[0]) if row else 0
