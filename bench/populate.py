"""Writes large meetings straight into a SQLite file before the bot starts.

The schema comes from the product (``storage.database.Database`` runs the migrations); rows
are then bulk-inserted with ``executemany`` in one transaction, in the on-disk forms
``storage.rows`` uses, so the bot reads them exactly as if they had been typed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.commands.tokens import name_key
from storage.common.rows import ts
from storage.sqlite.database import Database
from storage.sqlite.units import Statements

TEAM_ID = "T0PLENARY"
CHAIR = "U0CHAIR"
POSITION_KINDS = ("support", "reservation", "objection", "stand-aside")


def member_id(prefix: str, index: int) -> str:
    """The Slack user id of the one member of delegation ``index`` (``U…`` upper-case)."""
    return f"{prefix}{index:04d}"


@dataclass(frozen=True)
class MeetingPlan:
    """One meeting to write: participant delegations with one member each, and items."""

    channel_id: str
    member_prefix: str
    delegations: int = 1
    items: int = 0
    positions_per_item: int = 0  # at most ``delegations``; a quarter of them ended (history)
    adopted_every: int = 0  # every n-th item is adopted with a decision (0: all open)
    deadline_after: timedelta | None = None  # open items get deadlines from now + this
    digest_at: datetime | None = None  # a daily digest due at this instant (UTC, whole minute)


@dataclass
class Counts:
    meetings: int = 0
    delegations: int = 0
    items: int = 0
    positions: int = 0
    current_positions: int = 0
    deadlines: int = 0
    digests: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "meetings": self.meetings,
            "delegations": self.delegations,
            "items": self.items,
            "positions": self.positions,
            "current_positions": self.current_positions,
            "deadlines": self.deadlines,
            "digests": self.digests,
        }


async def populate(path: Path, plans: list[MeetingPlan], now: datetime) -> Counts:
    """Create the schema in ``path`` and write every planned meeting; returns the counts."""
    meetings: list[tuple[object, ...]] = []
    chairs: list[tuple[object, ...]] = []
    delegations: list[tuple[object, ...]] = []
    members: list[tuple[object, ...]] = []
    items: list[tuple[object, ...]] = []
    positions: list[tuple[object, ...]] = []
    decisions: list[tuple[object, ...]] = []
    counts = Counts()
    created = ts(now - timedelta(days=3))
    delegation_id = item_id = 0
    for meeting_id, plan in enumerate(plans, start=1):
        counts.meetings += 1
        digest_time = next_digest = since = None
        if plan.digest_at is not None:
            digest_time = plan.digest_at.strftime("%H:%M")
            next_digest = ts(plan.digest_at)
            since = ts(plan.digest_at - timedelta(days=1))
            counts.digests += 1
        meetings.append(
            (
                meeting_id,
                TEAM_ID,
                plan.channel_id,
                f"Benchmark meeting {plan.channel_id}",
                "UTC",
                "consensus",
                CHAIR,
                created,
                plan.items + 1,
                digest_time,
                next_digest,
                since,
            )
        )
        chairs.append((meeting_id, CHAIR, created))
        first_delegation = delegation_id + 1
        for d in range(plan.delegations):
            delegation_id += 1
            name = f"Delegation {d:04d}"
            delegations.append(
                (delegation_id, meeting_id, name, name_key(name), "participant", created)
            )
            members.append((meeting_id, member_id(plan.member_prefix, d), delegation_id, created))
        counts.delegations += plan.delegations
        for i in range(plan.items):
            item_id += 1
            number = i + 1
            adopted = plan.adopted_every > 0 and number % plan.adopted_every == 0
            tabled = now - timedelta(days=2) + timedelta(seconds=10 * i % 86_400)
            deadline = None
            if plan.deadline_after is not None and not adopted:
                deadline = ts(now + plan.deadline_after + timedelta(seconds=i))
                counts.deadlines += 1
            sponsor = first_delegation + i % plan.delegations
            items.append(
                (
                    item_id,
                    meeting_id,
                    number,
                    sponsor,
                    f"Motion {number}: that the meeting notes document BENCH/{number:05d}"
                    " and asks the secretariat to circulate it before the next session.",
                    "adopted" if adopted else "open",
                    member_id(plan.member_prefix, i % plan.delegations),
                    ts(tabled),
                    deadline,
                    ts(now - timedelta(hours=1)) if adopted else None,
                )
            )
            if adopted:
                decisions.append(
                    (
                        item_id,
                        "adopted",
                        "consensus",
                        plan.delegations,
                        json.dumps([]),
                        ts(now - timedelta(hours=1)),
                        CHAIR,
                        0,
                    )
                )
            for s in range(min(plan.positions_per_item, plan.delegations)):
                d = (i + s) % plan.delegations
                kind = "support" if adopted else POSITION_KINDS[s % len(POSITION_KINDS)]
                ended = s % 4 == 1
                recorded = tabled + timedelta(minutes=1 + s)
                positions.append(
                    (
                        item_id,
                        first_delegation + d,
                        kind,
                        f"Statement {s} on #{number}" if kind != "support" else "",
                        member_id(plan.member_prefix, d),
                        ts(recorded),
                        ts(recorded + timedelta(minutes=5)) if ended else None,
                        member_id(plan.member_prefix, d) if ended else None,
                    )
                )
                counts.positions += 1
                counts.current_positions += 0 if ended else 1
        counts.items += plan.items

    db = await Database.open(path)
    try:

        async def load(conn: Statements) -> None:
            await conn.executemany(
                "INSERT INTO meetings (id, team_id, channel_id, title, timezone, rule,"
                " created_by, created_at, next_item_number, digest_time, next_digest_at,"
                " digest_since) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                meetings,
            )
            await conn.executemany(
                "INSERT INTO chairs (meeting_id, user_id, added_at) VALUES (?, ?, ?)", chairs
            )
            await conn.executemany(
                "INSERT INTO delegations (id, meeting_id, name, name_key, role, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                delegations,
            )
            await conn.executemany(
                "INSERT INTO members (meeting_id, user_id, delegation_id, added_at)"
                " VALUES (?, ?, ?, ?)",
                members,
            )
            await conn.executemany(
                "INSERT INTO items (id, meeting_id, number, sponsor_id, text, status,"
                " tabled_by, tabled_at, deadline, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                items,
            )
            await conn.executemany(
                "INSERT INTO positions (item_id, delegation_id, kind, statement, user_id,"
                " recorded_at, ended_at, ended_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                positions,
            )
            await conn.executemany(
                "INSERT INTO decisions (item_id, outcome, rule, participants, objections,"
                " decided_at, decided_by, late) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                decisions,
            )

        await db.transact(load)
    finally:
        await db.close()
    return counts
