"""Conversions between stored rows and the records services use, for every backend.

A row is read by column name (``sqlite3.Row``, or the PostgreSQL store's ``Row``) and is
hashable with its column names, so records parsed from it can be remembered. Datetimes
arrive as SQLite's UTC ISO-8601 text or as PostgreSQL's ``timestamptz``; both become aware
UTC datetimes."""

from __future__ import annotations

import functools
import json
from collections.abc import Hashable
from datetime import UTC, datetime, time, timedelta
from typing import Any, Protocol

from bot.domain.floor import RequestKind, Turn
from bot.domain.model import (
    AgendaProposal,
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
from bot.domain.workspaces import Installation


class Row(Hashable, Protocol):
    """A stored row: its columns by name (and by position), equal to another row only with
    the same column names and values."""

    def __getitem__(self, key: int | str, /) -> Any: ...


def ts(moment: datetime) -> str:
    """UTC ISO-8601, the only form datetimes take on disk."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def opt_ts(moment: datetime | None) -> str | None:
    return ts(moment) if moment is not None else None


def dt(stored: str | datetime) -> datetime:
    """A stored moment (ISO-8601 text or a datetime with its zone) as an aware UTC datetime."""
    moment = stored if isinstance(stored, datetime) else datetime.fromisoformat(stored)
    return moment.astimezone(UTC)


def opt_dt(stored: str | datetime | None) -> datetime | None:
    return dt(stored) if stored is not None else None


# Rows a burst reads again and again (the meeting, the delegation, the item's header) map to
# the same immutable records: remembered by the row's values, they are parsed once. A row
# that changed is a different key, so nothing stale is ever returned.
@functools.lru_cache(maxsize=1024)
def meeting(row: Row, chairs: tuple[str, ...]) -> Meeting:
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


def session(row: Row) -> Session:
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
def delegation(row: Row, members: tuple[str, ...]) -> Delegation:
    return Delegation(
        id=row["id"],
        meeting_id=row["meeting_id"],
        name=row["name"],
        role=Role(row["role"]),
        members=members,
    )


def position(row: Row) -> Position:
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
def item_header(row: Row) -> Item:
    """The item without its positions (remembered, as ``meeting`` is)."""
    return item(row, ())


def item(row: Row, positions: tuple[Position, ...]) -> Item:
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


def decision(row: Row) -> Decision:
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


def notice(row: Row) -> Notice:
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


def agenda_proposal(row: Row) -> AgendaProposal:
    return AgendaProposal(
        id=row["id"],
        meeting_id=row["meeting_id"],
        proposed_by=row["proposed_by"],
        proposed_at=dt(row["proposed_at"]),
        deadline=dt(row["deadline"]),
        items=tuple(json.loads(row["items"])),
        adopted_at=opt_dt(row["adopted_at"]),
        inquorate=bool(row["inquorate"]),
    )


def turn(row: Row) -> Turn:
    """A turn on the floor, from a ``floor_turns`` row with its delegation's name."""
    return Turn(
        id=row["id"],
        delegation_id=row["delegation_id"],
        delegation=row["delegation"],
        kind=RequestKind(row["kind"]),
        started_at=dt(row["started_at"]),
        ends_at=opt_dt(row["ends_at"]),
        out_of_order=bool(row["out_of_order"]),
        ended_at=opt_dt(row["ended_at"]),
        warned_at=opt_dt(row["warned_at"]),
        expired_at=opt_dt(row["expired_at"]),
    )


def installation(row: Row) -> Installation:
    """An install: its tokens stay sealed, as they were stored."""
    return Installation(
        enterprise_id=row["enterprise_id"],
        team_id=row["team_id"],
        is_enterprise_install=bool(row["is_enterprise_install"]),
        sealed_bot_token=row["sealed_bot_token"],
        bot_id=row["bot_id"],
        bot_user_id=row["bot_user_id"],
        app_id=row["app_id"],
        bot_scopes=row["bot_scopes"],
        installer_user_id=row["installer_user_id"],
        installed_at=dt(row["installed_at"]),
        sealed_refresh_token=row["sealed_refresh_token"],
        expires_at=opt_dt(row["expires_at"]),
    )
