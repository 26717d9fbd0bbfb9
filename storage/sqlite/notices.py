"""The notice outbox in SQLite: channel messages owed, written in the same transaction as
the change they announce, so an acknowledged command can never lose its announcement."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.domain.model import Notice, NoticeKind
from storage.common import rows
from storage.sqlite.units import Statements

_NOTICE_SELECT = (
    "SELECT notices.*, meetings.team_id, meetings.channel_id FROM notices"
    " JOIN meetings ON meetings.id = notices.meeting_id"
)


class SqliteNoticeRepository:
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
        cursor = await self._conn.execute(
            "INSERT INTO notices (meeting_id, item_id, kind, created_at, payload)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                meeting_id,
                item_id,
                kind.value,
                rows.ts(now),
                json.dumps(payload, ensure_ascii=False) if payload else None,
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def get(self, notice_id: int) -> Notice | None:
        fetched = await self._conn.execute_fetchall(
            f"{_NOTICE_SELECT} WHERE notices.id = ?",
            (notice_id,),
        )
        row = next(iter(fetched), None)
        return rows.notice(row) if row else None

    async def forget_message(self, notice_id: int) -> None:
        """The message was deleted in Slack: the next delivery posts it afresh."""
        await self._conn.execute("UPDATE notices SET message_ts = NULL WHERE id = ?", (notice_id,))

    async def touch_card(self, item_id: int, *, with_block_notice: bool = False) -> None:
        """Bring the item's card up to date, and its open block notices too when asked (one
        is in the channel at most; others wait to be posted, or dropped as stale)."""
        await self._conn.execute(
            "UPDATE notices SET revision = revision + 1, next_attempt_at = NULL, attempts = 0"
            " WHERE id = (SELECT max(id) FROM notices WHERE item_id = ? AND kind = 'item-card')",
            (item_id,),
        )
        if with_block_notice:
            await self._conn.execute(
                "UPDATE notices SET revision = revision + 1, next_attempt_at = NULL, attempts = 0"
                " WHERE item_id = ? AND kind = 'blocked' AND closed = 0",
                (item_id,),
            )

    async def close_block_notices(self, item_id: int) -> None:
        """The item left the agenda: each of its open block notices says so, or, if it was
        never posted, never will be."""
        await self._conn.execute(
            "UPDATE notices SET revision = revision + 1, closed = 1, next_attempt_at = NULL,"
            " attempts = 0 WHERE item_id = ? AND kind = 'blocked' AND closed = 0",
            (item_id,),
        )

    async def shows_blocked(self, item_id: int) -> bool:
        """Whether the channel holds (or may hold: a post whose answer was lost) a notice
        saying the item is blocked that no "no longer blocked" notice has followed yet."""
        fetched = await self._conn.execute_fetchall(
            "SELECT EXISTS (SELECT 1 FROM notices WHERE item_id = ? AND kind = 'blocked'"
            " AND closed = 0 AND (message_ts IS NOT NULL OR uncertain_since IS NOT NULL))",
            (item_id,),
        )
        return bool(fetched[0][0])

    async def end_shown_block(self, item_id: int) -> None:
        """A "no longer blocked" notice went out: the block notice before it is over. No new
        edit is asked for: every change of standing asks for one already, so its latest
        rendering, done or due, shows the item as no longer blocked."""
        await self._conn.execute(
            "UPDATE notices SET closed = 1 WHERE item_id = ? AND kind = 'blocked' AND closed = 0"
            " AND (message_ts IS NOT NULL OR uncertain_since IS NOT NULL)",
            (item_id,),
        )

    async def supersede(self, notice_id: int, revision: int) -> None:
        """A notice not yet posted whose news was undone before its turn: closed, it is never
        posted, and no later change of standing touches it again."""
        await self._conn.execute(
            "UPDATE notices SET closed = 1, delivered_revision = max(delivered_revision, ?),"
            " next_attempt_at = NULL WHERE id = ?",
            (revision, notice_id),
        )

    async def touch(self, notice_id: int, *, close: bool = False) -> None:
        """Ask for the message to be brought up to date (coalesced with any pending edit)."""
        await self._conn.execute(
            "UPDATE notices SET revision = revision + 1, closed = closed OR ?,"
            " next_attempt_at = NULL, attempts = 0 WHERE id = ?",
            (int(close), notice_id),
        )

    async def pending(
        self, now: datetime, limit: int, *, skip_teams: Sequence[str] = ()
    ) -> list[Notice]:
        fetched = await self._conn.execute_fetchall(
            # Only a module constant is interpolated; the teams are a bound JSON array.
            f"{_NOTICE_SELECT} WHERE notices.delivered_revision < notices.revision"  # noqa: S608
            " AND (notices.next_attempt_at IS NULL OR notices.next_attempt_at <= ?)"
            " AND meetings.team_id NOT IN (SELECT value FROM json_each(?))"
            " ORDER BY notices.id LIMIT ?",
            (rows.ts(now), json.dumps(list(skip_teams)), limit),
        )
        return [rows.notice(r) for r in fetched]

    async def next_retry_at(self) -> datetime | None:
        fetched = await self._conn.execute_fetchall(
            "SELECT min(next_attempt_at) FROM notices"
            " WHERE delivered_revision < revision AND next_attempt_at IS NOT NULL"
        )
        row = next(iter(fetched), None)
        return rows.opt_dt(row[0]) if row else None

    async def mark_delivered(self, notice_id: int, revision: int, message_ts: str) -> None:
        await self._conn.execute(
            "UPDATE notices SET delivered_revision = max(delivered_revision, ?), message_ts = ?,"
            " attempts = 0, next_attempt_at = NULL, last_error = NULL, failed_at = NULL,"
            " uncertain_since = NULL WHERE id = ?",
            (revision, message_ts, notice_id),
        )

    async def mark_uncertain(self, notice_id: int, since: datetime) -> None:
        await self._conn.execute(
            "UPDATE notices SET uncertain_since = coalesce(uncertain_since, ?) WHERE id = ?",
            (rows.ts(since), notice_id),
        )

    async def clear_uncertain(self, notice_id: int) -> None:
        """Slack refused the first post: it is not in the channel."""
        await self._conn.execute(
            "UPDATE notices SET uncertain_since = NULL WHERE id = ? AND message_ts IS NULL",
            (notice_id,),
        )

    async def postpone(self, notice_id: int, until: datetime) -> None:
        await self._conn.execute(
            "UPDATE notices SET next_attempt_at = ? WHERE id = ? AND delivered_revision < revision",
            (rows.ts(until), notice_id),
        )

    async def adopt_message(self, notice_id: int, message_ts: str) -> None:
        """A post thought lost was found in the channel: edit it from now on."""
        await self._conn.execute(
            "UPDATE notices SET message_ts = ?, uncertain_since = NULL WHERE id = ?",
            (message_ts, notice_id),
        )

    async def first_delivery(self, event_id: str, now: datetime) -> bool:
        """Record an Events API delivery; False when this event id was seen before (a retry).
        Entries older than a day are pruned: Slack retries within minutes."""
        await self._conn.execute(
            "DELETE FROM seen_events WHERE seen_at < ?", (rows.ts(now - timedelta(days=1)),)
        )
        cursor = await self._conn.execute(
            "INSERT OR IGNORE INTO seen_events (event_id, seen_at) VALUES (?, ?)",
            (event_id, rows.ts(now)),
        )
        return cursor.rowcount == 1

    async def mark_failed(
        self,
        notice_id: int,
        error: str,
        retry_at: datetime | None,
        revision: int,
        *,
        failed_at: datetime,
    ) -> None:
        """Record a failed delivery: retried at ``retry_at``, or given up when it is None."""
        if retry_at is None:
            await self._conn.execute(
                "UPDATE notices SET delivered_revision = max(delivered_revision, ?),"
                " next_attempt_at = NULL, last_error = ?, failed_at = ?,"
                " attempts = attempts + 1 WHERE id = ?",
                (revision, error, rows.ts(failed_at), notice_id),
            )
        else:
            await self._conn.execute(
                "UPDATE notices SET next_attempt_at = ?, last_error = ?, failed_at = ?,"
                " attempts = attempts + 1 WHERE id = ?",
                (rows.ts(retry_at), error, rows.ts(failed_at), notice_id),
            )

    async def skip(self, notice_id: int, revision: int) -> None:
        """Nothing is left to announce (its subject is gone): stop trying, without an error."""
        await self._conn.execute(
            "UPDATE notices SET delivered_revision = max(delivered_revision, ?),"
            " next_attempt_at = NULL WHERE id = ?",
            (revision, notice_id),
        )

    async def failed(self, since: datetime | None, limit: int) -> list[Notice]:
        """Notices whose latest attempt failed (since ``since``), newest failure first."""
        fetched = await self._conn.execute_fetchall(
            f"{_NOTICE_SELECT} WHERE notices.failed_at IS NOT NULL AND notices.failed_at >= ?"
            " ORDER BY notices.failed_at DESC, notices.id DESC LIMIT ?",
            (rows.ts(since) if since is not None else "", limit),
        )
        return [rows.notice(r) for r in fetched]

    async def count_failed(self, since: datetime) -> int:
        fetched = await self._conn.execute_fetchall(
            "SELECT count(*) FROM notices WHERE failed_at IS NOT NULL AND failed_at >= ?",
            (rows.ts(since),),
        )
        row = next(iter(fetched), None)
        return int(row[0]) if row else 0

    async def count_pending(self) -> int:
        fetched = await self._conn.execute_fetchall(
            "SELECT count(*) FROM notices WHERE delivered_revision < revision"
        )
        row = next(iter(fetched), None)
        return int(row[0]) if row else 0
