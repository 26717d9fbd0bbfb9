"""Meetings, chairs and delegations in SQLite."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import datetime, time, timedelta

from bot.domain.model import Delegation, Meeting
from bot.domain.rules import Role, Rule
from storage.common import rows
from storage.sqlite.constraints import unique
from storage.sqlite.units import Statements

# The chairs and members come along as space-separated lists (Slack ids have no spaces).
_MEETING_SELECT = (
    "SELECT meetings.*, (SELECT group_concat(user_id, ' ') FROM (SELECT user_id"
    " FROM chairs WHERE chairs.meeting_id = meetings.id ORDER BY added_at, user_id))"
    " AS chair_ids FROM meetings WHERE "
)
_DELEGATION_SELECT = (
    "SELECT delegations.*, (SELECT group_concat(user_id, ' ') FROM (SELECT user_id"
    " FROM members WHERE members.delegation_id = delegations.id ORDER BY added_at))"
    " AS member_ids FROM delegations WHERE removed_at IS NULL AND "
)


def _meeting(fetched: list[sqlite3.Row]) -> Meeting | None:
    row = next(iter(fetched), None)
    return rows.meeting(row, tuple((row["chair_ids"] or "").split())) if row else None


def _delegation(fetched: list[sqlite3.Row]) -> Delegation | None:
    row = next(iter(fetched), None)
    return rows.delegation(row, tuple((row["member_ids"] or "").split())) if row else None


class SqliteMeetingRepository:
    def __init__(self, conn: Statements) -> None:
        self._conn = conn

    async def _one(self, where: str, args: tuple[object, ...]) -> Meeting | None:
        return _meeting(await self._conn.execute_fetchall(_MEETING_SELECT + where, args))

    async def find(self, team_id: str, channel_id: str) -> Meeting | None:
        return await self._one("team_id = ? AND channel_id = ?", (team_id, channel_id))

    async def find_with_delegation(
        self, team_id: str, channel_id: str, user_id: str
    ) -> tuple[Meeting | None, Delegation | None]:
        """The channel's meeting and the user's delegation in it, in one round trip."""
        meeting, delegation = await self._conn.fetch_each(
            [
                (_MEETING_SELECT + "team_id = ? AND channel_id = ?", (team_id, channel_id)),
                (
                    _DELEGATION_SELECT + "id = (SELECT delegation_id FROM members"  # noqa: S608
                    " WHERE user_id = ? AND meeting_id = (SELECT id FROM meetings"
                    " WHERE team_id = ? AND channel_id = ?))",
                    (user_id, team_id, channel_id),
                ),
            ]
        )
        return _meeting(meeting), _delegation(delegation)

    async def get(self, meeting_id: int) -> Meeting | None:
        return await self._one("id = ?", (meeting_id,))

    async def lock(self, meeting_id: int, *, wait: bool = True) -> bool:
        # A SQLite write transaction holds the whole file: the meeting is never busy.
        found = await self._conn.execute_fetchall(
            "SELECT 1 FROM meetings WHERE id = ?", (meeting_id,)
        )
        return bool(found)

    async def create(
        self, team_id: str, channel_id: str, title: str, user_id: str, now: datetime
    ) -> Meeting:
        with unique("This channel already holds a meeting; a channel holds one meeting."):
            cursor = await self._conn.execute(
                "INSERT INTO meetings (team_id, channel_id, title, created_by, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (team_id, channel_id, title, user_id, rows.ts(now)),
            )
        meeting_id = cursor.lastrowid
        assert meeting_id is not None
        await self.add_chair(meeting_id, user_id, now)
        created = await self.get(meeting_id)
        assert created is not None
        return created

    async def add_chair(self, meeting_id: int, user_id: str, now: datetime) -> bool:
        cursor = await self._conn.execute(
            "INSERT OR IGNORE INTO chairs (meeting_id, user_id, added_at) VALUES (?, ?, ?)",
            (meeting_id, user_id, rows.ts(now)),
        )
        return cursor.rowcount == 1

    async def delegations(self, meeting_id: int) -> list[Delegation]:
        fetched = await self._conn.execute_fetchall(
            "SELECT user_id, delegation_id FROM members WHERE meeting_id = ? ORDER BY added_at",
            (meeting_id,),
        )
        members: defaultdict[int, list[str]] = defaultdict(list)
        for r in fetched:
            members[r["delegation_id"]].append(r["user_id"])
        fetched = await self._conn.execute_fetchall(
            "SELECT * FROM delegations WHERE meeting_id = ? AND removed_at IS NULL"
            " ORDER BY name_key",
            (meeting_id,),
        )
        return [rows.delegation(r, tuple(members[r["id"]])) for r in fetched]

    async def _delegation(self, where: str, args: tuple[object, ...]) -> Delegation | None:
        return _delegation(await self._conn.execute_fetchall(_DELEGATION_SELECT + where, args))

    async def delegation_named(self, meeting_id: int, name_key: str) -> Delegation | None:
        return await self._delegation("meeting_id = ? AND name_key = ?", (meeting_id, name_key))

    async def delegation_of(self, meeting_id: int, user_id: str) -> Delegation | None:
        return await self._delegation(
            "id = (SELECT delegation_id FROM members WHERE meeting_id = ? AND user_id = ?)",
            (meeting_id, user_id),
        )

    async def create_delegation(
        self, meeting_id: int, name: str, name_key: str, role: Role, now: datetime
    ) -> int:
        with unique(f"A delegation named {name} is already registered in this meeting."):
            cursor = await self._conn.execute(
                "INSERT INTO delegations (meeting_id, name, name_key, role, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (meeting_id, name, name_key, role.value, rows.ts(now)),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def restore_delegation(self, meeting_id: int, name_key: str, role: Role) -> int | None:
        """Bring back the delegation last removed under ``name_key``, in the role given now,
        under the name it was first registered by (as a registered delegation keeps its name
        whatever the spelling a chair types); its items and positions keep pointing at it.
        None when there is none."""
        fetched = await self._conn.execute_fetchall(
            "UPDATE delegations SET removed_at = NULL, role = ? WHERE id ="
            " (SELECT id FROM delegations WHERE meeting_id = ? AND name_key = ?"
            " AND removed_at IS NOT NULL ORDER BY removed_at DESC, id DESC LIMIT 1)"
            " RETURNING id",
            (role.value, meeting_id, name_key),
        )
        row = next(iter(fetched), None)
        if row is None:
            return None
        # It comes back absent: attendance is registered anew, as at its first arrival.
        await self._conn.execute("DELETE FROM attendance WHERE delegation_id = ?", (row["id"],))
        return int(row["id"])

    async def add_member(
        self, meeting_id: int, delegation_id: int, user_id: str, now: datetime
    ) -> None:
        with unique(
            f"<@{user_id}> already belongs to a delegation; a user can be in one delegation"
            " per meeting.",
            mentions=(user_id,),
        ):
            await self._conn.execute(
                "INSERT INTO members (meeting_id, user_id, delegation_id, added_at)"
                " VALUES (?, ?, ?, ?)",
                (meeting_id, user_id, delegation_id, rows.ts(now)),
            )

    async def remove_delegation(self, delegation_id: int, now: datetime) -> None:
        """Retire a delegation: its members are freed; its past positions stay on record."""
        await self._conn.execute("DELETE FROM members WHERE delegation_id = ?", (delegation_id,))
        await self._conn.execute("DELETE FROM attendance WHERE delegation_id = ?", (delegation_id,))
        await self._conn.execute(
            "UPDATE delegations SET removed_at = ? WHERE id = ?", (rows.ts(now), delegation_id)
        )

    async def _set(self, meeting_id: int, assignments: str, values: tuple[object, ...]) -> None:
        await self._conn.execute(
            f"UPDATE meetings SET {assignments} WHERE id = ?",  # noqa: S608 - from this module
            (*values, meeting_id),
        )

    async def set_rule(self, meeting_id: int, rule: Rule) -> None:
        await self._set(meeting_id, "rule = ?", (rule.encode(),))

    async def set_quorum(self, meeting_id: int, quorum: int) -> None:
        await self._set(meeting_id, "quorum = ?", (quorum,))

    async def set_timezone(
        self, meeting_id: int, timezone: str, next_digest_at: datetime | None
    ) -> None:
        """The meeting's zone, and when its digest (at the same local time) next goes out."""
        await self._set(
            meeting_id, "timezone = ?, next_digest_at = ?", (timezone, rows.opt_ts(next_digest_at))
        )

    async def set_window(self, meeting_id: int, window: timedelta | None) -> None:
        seconds = int(window.total_seconds()) if window else None
        await self._set(meeting_id, "window_seconds = ?", (seconds,))

    async def set_reminder_minutes(self, meeting_id: int, minutes: int) -> None:
        await self._set(meeting_id, "reminder_minutes = ?", (minutes,))

    async def set_digest(
        self, meeting_id: int, at: time | None, next_digest_at: datetime | None
    ) -> None:
        """The digest's local time and its next run; None for both turns it off."""
        await self._set(
            meeting_id,
            "digest_time = ?, next_digest_at = ?",
            (at.strftime("%H:%M") if at else None, rows.opt_ts(next_digest_at)),
        )

    async def advance_digest(
        self, meeting_id: int, next_digest_at: datetime, since: datetime
    ) -> None:
        """A digest went out: the next one is due then, and reports from ``since``."""
        await self._set(
            meeting_id,
            "next_digest_at = ?, digest_since = ?",
            (rows.ts(next_digest_at), rows.ts(since)),
        )

    async def skip_digest(self, meeting_id: int, next_digest_at: datetime) -> None:
        """A digest was missed: the next one is due then, and reports from where this would."""
        await self._set(meeting_id, "next_digest_at = ?", (rows.ts(next_digest_at),))

    async def digests_due(self, now: datetime) -> list[Meeting]:
        fetched = await self._conn.execute_fetchall(
            "SELECT id FROM meetings WHERE next_digest_at IS NOT NULL AND next_digest_at <= ?"
            " ORDER BY next_digest_at",
            (rows.ts(now),),
        )
        found = [await self.get(r["id"]) for r in fetched]
        return [m for m in found if m is not None]

    async def planned_digests(self) -> list[tuple[int, datetime]]:
        fetched = await self._conn.execute_fetchall(
            "SELECT id, next_digest_at FROM meetings WHERE next_digest_at IS NOT NULL"
        )
        return [(r["id"], rows.dt(r["next_digest_at"])) for r in fetched]

    async def register_present(
        self, meeting_id: int, delegation_id: int, user_id: str, now: datetime
    ) -> bool:
        cursor = await self._conn.execute(
            "INSERT OR IGNORE INTO attendance (meeting_id, delegation_id, user_id, registered_at)"
            " VALUES (?, ?, ?, ?)",
            (meeting_id, delegation_id, user_id, rows.ts(now)),
        )
        return cursor.rowcount == 1

    async def register_absent(self, meeting_id: int, delegation_id: int) -> bool:
        """Withdraw the delegation's attendance; False when it was not registered."""
        cursor = await self._conn.execute(
            "DELETE FROM attendance WHERE meeting_id = ? AND delegation_id = ?",
            (meeting_id, delegation_id),
        )
        return cursor.rowcount == 1

    async def count_present(self, meeting_id: int) -> int:
        """Participant delegations, still registered, whose attendance is recorded."""
        fetched = await self._conn.execute_fetchall(
            "SELECT count(*) FROM attendance JOIN delegations"
            " ON delegations.id = attendance.delegation_id"
            " WHERE attendance.meeting_id = ? AND delegations.role = 'participant'"
            " AND delegations.removed_at IS NULL",
            (meeting_id,),
        )
        row = next(iter(fetched), None)
        return int(row[0]) if row else 0

    async def count_participants(self, meeting_id: int) -> int:
        fetched = await self._conn.execute_fetchall(
            "SELECT count(*) FROM delegations"
            " WHERE meeting_id = ? AND role = 'participant' AND removed_at IS NULL",
            (meeting_id,),
        )
        row = next(iter(fetched), None)
        return int(row[0]) if row else 0
