"""Conversions between SQLite rows/columns and the records services use."""

from __future__ import annotations

import functools
import json
from datetime import UTC, datetime, time, timedelta

import aiosqlite

from bot.domain.model import (
    Decision,
    Delegation,
    Item,
    Meeting,
    Notice,
    NoticeKind,
    Position,
    Session,
)
from bot.domain.rules import ItemStatus, Objection, Outcome, PositionKind, Role, Rule


def ts(moment: datetime) -> str:
    """UTC ISO-8601, the only form datetimes take on disk."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def opt_ts(moment: datetime | None) -> str | None:
    return ts(moment) if moment is not None else None


def dt(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def opt_dt(text: str | None) -> datetime | None:
    return dt(text) if text is not None else None


# Rows a burst reads again and again (the meeting, the delegation, the item's header) map to
# the same immutable records: remembered by the row's values, they are parsed once. A row
# that changed is a different key, so nothing stale is ever returned.
@functools.lru_cache(maxsize=1024)
def meeting(row: aiosqlite.Row, chairs: tuple[str, ...]) -> Meeting:
    return Meeting(
        id=row["id"],
        team_id=row["team_id"],
        channel_id=row["channel_id"],
        title=row["title"],
        timezone=row["timezone"],
        rule=Rule.decode(row["rule"]),
        created_by=row["created_by"],
        created_at=dt(row["created_at"]),
        chairs=chairs,
        window=timedelta(seconds=row["window_seconds"]) if row["window_seconds"] else None,
        reminder_minutes=row["reminder_minutes"],
        digest_time=time.fromisoformat(row["digest_time"]) if row["digest_time"] else None,
        next_digest_at=opt_dt(row["next_digest_at"]),
        digest_since=opt_dt(row["digest_since"]),
        quorum=row["quorum"],
    )


def session(row: aiosqlite.Row) -> Session:
    return Session(
        id=row["id"],
        meeting_id=row["meeting_id"],
        number=row["number"],
        title=row["title"],
        starts_at=dt(row["starts_at"]),
        remind_at=dt(row["remind_at"]),
        reminded_at=opt_dt(row["reminded_at"]),
    )


@functools.lru_cache(maxsize=4096)
def delegation(row: aiosqlite.Row, members: tuple[str, ...]) -> Delegation:
    return Delegation(
        id=row["id"],
        meeting_id=row["meeting_id"],
        name=row["name"],
        role=Role(row["role"]),
        members=members,
    )


def position(row: aiosqlite.Row) -> Position:
    return Position(
        delegation_id=row["delegation_id"],
        delegation=row["delegation"],
        role=Role(row["role"]),
        kind=PositionKind(row["kind"]),
        statement=row["statement"],
        user_id=row["user_id"],
        recorded_at=dt(row["recorded_at"]),
    )


@functools.lru_cache(maxsize=4096)
def item_header(row: aiosqlite.Row) -> Item:
    """The item without its positions (remembered, as ``meeting`` is)."""
    return item(row, ())


def item(row: aiosqlite.Row, positions: tuple[Position, ...]) -> Item:
    return Item(
        id=row["id"],
        meeting_id=row["meeting_id"],
        number=row["number"],
        sponsor_id=row["sponsor_id"],
        sponsor=row["sponsor"],
        text=row["text"],
        status=ItemStatus(row["status"]),
        tabled_by=row["tabled_by"],
        tabled_at=dt(row["tabled_at"]),
        deadline=opt_dt(row["deadline"]),
        positions=positions,
        session_id=row["session_id"],
        closed_at=opt_dt(row["closed_at"]),
        title=row["title"],
        amends=row["amends_number"],
        rival_adopted=row["rival_adopted"],
        amended_by=tuple(
            (int(n), ItemStatus(s))
            for n, _, s in (p.partition(":") for p in (row["amended_by"] or "").split(",") if p)
        ),
    )


def objections_json(objections: tuple[Objection, ...]) -> str:
    return json.dumps(
        [{"delegation": o.delegation, "reason": o.reason} for o in objections], ensure_ascii=False
    )


def decision(row: aiosqlite.Row) -> Decision:
    return Decision(
        item_id=row["item_id"],
        outcome=Outcome(row["outcome"]),
        rule=Rule.decode(row["rule"]),
        participants=row["participants"],
        objections=tuple(
            Objection(o["delegation"], o["reason"]) for o in json.loads(row["objections"])
        ),
        decided_at=dt(row["decided_at"]),
        decided_by=row["decided_by"],
        late=bool(row["late"]),
        quorum=row["quorum"],
        present=row["present"],
    )


def notice(row: aiosqlite.Row) -> Notice:
    return Notice(
        id=row["id"],
        meeting_id=row["meeting_id"],
        team_id=row["team_id"],
        channel_id=row["channel_id"],
        item_id=row["item_id"],
        kind=NoticeKind(row["kind"]),
        revision=row["revision"],
        message_ts=row["message_ts"],
        closed=bool(row["closed"]),
        attempts=row["attempts"],
        payload=json.loads(row["payload"]) if row["payload"] else {},
        uncertain_since=opt_dt(row["uncertain_since"]),
        last_error=row["last_error"],
        failed_at=opt_dt(row["failed_at"]),
        next_attempt_at=opt_dt(row["next_attempt_at"]),
    )
