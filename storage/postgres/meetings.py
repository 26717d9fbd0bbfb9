"""Meetings, chairs and delegations in PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta

from bot.domain.errors import Duplicate
from bot.domain.model import Delegation, Meeting
from bot.domain.rules import Role, Rule
from storage.common import rows
from storage.postgres.database import Row, Statements

# The chairs and members come along as space-separated lists (Slack ids have no spaces).
_MEETING_SELECT = (
    "SELECT meetings.*, (SELECT string_agg(user_id, ' ' ORDER BY added_at, user_id)"
    " FROM chairs WHERE chairs.meeting_id = meetings.id) AS chair_ids FROM meetings WHERE "
)
_DELEGATION_SELECT = (
    "SELECT delegations.*, (SELECT string_agg(user_id, ' ' ORDER BY added_at, user_id)"
    " FROM members WHERE members.delegation_id = delegations.id) AS member_ids"
    " FROM delegations WHERE removed_at IS NULL AND "
)
# In a write unit, reading the meeting locks its row until the unit commits: the units of
# one meeting then read, decide and write one at a time (counts stay equal to the history),
# while rows that merely reference the meeting can still be inserted (NO KEY).
_LOCK = " FOR NO KEY UPDATE OF meetings"
_LOCK_WAITING = "SELECT id FROM meetings WHERE id = %s FOR NO KEY UPDATE"
_LOCK_IF_FREE = "SELECT id FROM meetings WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED"


def _meeting(fetched: list[Row]) -> Meeting | None:
    row = next(iter(fetched), None)
    return rows.meeting(row, tuple((row["chair_ids"] or "").split())) if row else None


def _delegation(fetched: list[Row]) -> Delegation | None:
    row = next(iter(fetched), None)
    return rows.delegation(row, tuple((row["member_ids"] or "").split())) if row else None


class PostgresMeetingRepository:
    def __init__(self, conn: Statements) -> None:
        self._conn = conn

    def _meeting_select(self, where: str) -> str:
        return _MEETING_SELECT + where + (_LOCK if self._conn.writing else "")

    async def _one(self, where: str, args: tuple[object, ...]) -> Meeting | None:
        return _meeting(await self._conn.fetchall(self._meeting_select(where), args))

    async def find(self, team_id: str, channel_id: str) -> Meeting | None:
        return await self._one("team_id = %s AND channel_id = %s", (team_id, channel_id))

    async def find_with_delegation(
        self, team_id: str, channel_id: str, user_id: str
    ) -> tuple[Meeting | None, Delegation | None]:
        """The channel's meeting and the user's delegation in it, in one round trip."""
        meeting, delegation = await self._conn.fetch_each(
            [
                (self._meeting_select("team_id = %s AND channel_id = %s"), (team_id, channel_id)),
                (
                    _DELEGATION_SELECT + "id = (SELECT delegation_id FROM members"  # noqa: S608
                    " WHERE user_id = %s AND meeting_id = (SELECT id FROM meetings"
                    " WHERE team_id = %s AND channel_id = %s))",
                    (user_id, team_id, channel_id),
                ),
            ]
        )
        return _meeting(meeting), _delegation(delegation)

    async def get(self, meeting_id: int) -> Meeting | None:
        return await self._one("id = %s", (meeting_id,))

    async def lock(self, meeting_id: int, *, wait: bool = True) -> bool:
        sql = _LOCK_WAITING if wait else _LOCK_IF_FREE
        return await self._conn.fetchone(sql, (meeting_id,)) is not None

    async def create(
        self, team_id: str, channel_id: str, title: str, user_id: str, now: datetime
    ) -> Meeting:
        row = await self._conn.fetchone(
            "INSERT INTO meetings (team_id, channel_id, title, created_by, created_at)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id",
            (team_id, channel_id, title, user_id, now),
        )
        if row is None:
            raise Duplicate("This channel already holds a meeting; a channel holds one meeting.")
        meeting_id = int(row["id"])
        await self.add_chair(meeting_id, user_id, now)
        created = await self.get(meeting_id)
        assert created is not None
        return created

    async def add_chair(self, meeting_id: int, user_id: str, now: datetime) -> bool:
        changed = await self._conn.execute(
            "INSERT INTO chairs (meeting_id, user_id, added_at) VALUES (%s, %s, %s)"
            " ON CONFLICT DO NOTHING",
            (meeting_id, user_id, now),
        )
        return changed == 1

    async def delegations(self, meeting_id: int) -> list[Delegation]:
        members_of, fetched = await self._conn.fetch_each(
            [
                (
                    "SELECT user_id, delegation_id FROM members WHERE meeting_id = %s"
                    " ORDER BY added_at, user_id",
                    (meeting_id,),
                ),
                (
                    "SELECT * FROM delegations WHERE meeting_id = %s AND removed_at IS NULL"
                    " ORDER BY name_key",
                    (meeting_id,),
                ),
            ]
        )
        members: defaultdict[int, list[str]] = defaultdict(list)
        for r in members_of:
            members[r["delegation_id"]].append(r["user_id"])
        return [rows.delegation(r, tuple(members[r["id"]])) for r in fetched]

    async def _delegation(self, where: str, args: tuple[object, ...]) -> Delegation | None:
        return _delegation(await self._conn.fetchall(_DELEGATION_SELECT + where, args))

    async def delegation_named(self, meeting_id: int, name_key: str) -> Delegation | None:
        return await self._delegation("meeting_id = %s AND name_key = %s", (meeting_id, name_key))

    async def delegation_of(self, meeting_id: int, user_id: str) -> Delegation | None:
        return await self._delegation(
            "id = (SELECT delegation_id FROM members WHERE meeting_id = %s AND user_id = %s)",
            (meeting_id, user_id),
        )

    async def create_delegation(
        self, meeting_id: int, name: str, name_key: str, role: Role, now: datetime
    ) -> int:
        row = await self._conn.fetchone(
            "INSERT INTO delegations (meeting_id, name, name_key, role, created_at)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id",
            (meeting_id, name, name_key, role.value, now),
        )
        if row is None:
            raise Duplicate(f"A delegation named {name} is already registered in this meeting.")
        return int(row["id"])

    async def restore_delegation(self, meeting_id: int, name_key: str, role: Role) -> int | None:
        """As SqliteMeetingRepository.restore_delegation: the delegation last removed under
        ``name_key`` comes back in ``role``, absent; None when there is none."""
        row = await self._conn.fetchone(
            "UPDATE delegations SET removed_at = NULL, role = %s WHERE id ="
            " (SELECT id FROM delegations WHERE meeting_id = %s AND name_key = %s"
            " AND removed_at IS NOT NULL ORDER BY removed_at DESC, id DESC LIMIT 1)"
            " RETURNING id",
            (role.value, meeting_id, name_key),
        )
        if row is None:
            return None
        await self._conn.execute("DELETE FROM attendance WHERE delegation_id = %s", (row["id"],))
        return int(row["id"])

    async def add_member(
        self, meeting_id: int, delegation_id: int, user_id: str, now: datetime
    ) -> None:
        added = await self._conn.execute(
            "INSERT INTO members (meeting_id, user_id, delegation_id, added_at)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (meeting_id, user_id, delegation_id, now),
        )
        if added != 1:
            raise Duplicate(
                f"<@{user_id}> already belongs to a delegation; a user can be in one"
                " delegation per meeting.",
                mentions=(user_id,),
            )

    async def remove_delegation(self, delegation_id: int, now: datetime) -> None:
        """Retire a delegation: its members are freed; its past positions stay on record."""
        await self._conn.execute("DELETE FROM members WHERE delegation_id = %s", (delegation_id,))
        await self._conn.execute(
            "DELETE FROM attendance WHERE delegation_id = %s", (delegation_id,)
        )
        await self._conn.execute(
            "UPDATE delegations SET removed_at = %s WHERE id = %s", (now, delegation_id)
        )

    async def _set(self, meeting_id: int, assignments: str, values: tuple[object, ...]) -> None:
        await self._conn.execute(
            f"UPDATE meetings SET {assignments} WHERE id = %s",  # noqa: S608 - from this module
            (*values, meeting_id),
        )

    async def set_rule(self, meeting_id: int, rule: Rule) -> None:
        await self._set(meeting_id, "rule = %s", (rule.encode(),))

    async def set_quorum(self, meeting_id: int, quorum: int) -> None:
        await self._set(meeting_id, "quorum = %s", (quorum,))

    async def set_timezone(
        self, meeting_id: int, timezone: str, next_digest_at: datetime | None
    ) -> None:
        await self._set(
            meeting_id, "timezone = %s, next_digest_at = %s", (timezone, next_digest_at)
        )

    async def set_window(self, meeting_id: int, window: timedelta | None) -> None:
        seconds = int(window.total_seconds()) if window else None
        await self._set(meeting_id, "window_seconds = %s", (seconds,))

    async def set_reminder_minutes(self, meeting_id: int, minutes: int) -> None:
        await self._set(meeting_id, "reminder_minutes = %s", (minutes,))

    async def set_digest(
        self, meeting_id: int, at: time | None, next_digest_at: datetime | None
    ) -> None:
        await self._set(
            meeting_id,
            "digest_time = %s, next_digest_at = %s",
            (at.strftime("%H:%M") if at else None, next_digest_at),
        )

    async def advance_digest(
        self, meeting_id: int, next_digest_at: datetime, since: datetime
    ) -> None:
        await self._set(
            meeting_id, "next_digest_at = %s, digest_since = %s", (next_digest_at, since)
        )

    async def skip_digest(self, meeting_id: int, next_digest_at: datetime) -> None:
        await self._set(meeting_id, "next_digest_at = %s", (next_digest_at,))

    async def digests_due(self, now: datetime) -> list[Meeting]:
        fetched = await self._conn.fetchall(
            "SELECT id FROM meetings WHERE next_digest_at IS NOT NULL AND next_digest_at <= %s"
            " ORDER BY next_digest_at, id",
            (now,),
        )
        found = [await self.get(r["id"]) for r in fetched]
        return [m for m in found if m is not None]

    async def planned_digests(self) -> list[tuple[int, datetime]]:
        fetched = await self._conn.fetchall(
            "SELECT id, next_digest_at FROM meetings WHERE next_digest_at IS NOT NULL"
        )
        return [(r["id"], rows.dt(r["next_digest_at"])) for r in fetched]

    async def register_present(
        self, meeting_id: int, delegation_id: int, user_id: str, now: datetime
    ) -> bool:
        added = await self._conn.execute(
            "INSERT INTO attendance (meeting_id, delegation_id, user_id, registered_at)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (meeting_id, delegation_id, user_id, now),
        )
        return added == 1

    async def register_absent(self, meeting_id: int, delegation_id: int) -> bool:
        removed = await self._conn.execute(
            "DELETE FROM attendance WHERE meeting_id = %s AND delegation_id = %s",
            (meeting_id, delegation_id),
        )
        return removed == 1

    async def count_present(self, meeting_id: int) -> int:
        row = await self._conn.fetchone(
            "SELECT count(*) FROM attendance JOIN delegations"
            " ON delegations.id = attendance.delegation_id"
            " WHERE attendance.meeting_id = %s AND delegations.role = 'participant'"
            " AND delegations.removed_at IS NULL",
            (meeting_id,),
        )
        return int(row[0]) if row else 0

    async def count_participants(self, meeting_id: int) -> int:
        row = await self._conn.fetchone(
            "SELECT count(*) FROM delegations"
            " WHERE meeting_id = %s AND role = 'participant' AND removed_at IS NULL",
            (meeting_id,),
        )
        return int(row[0]) if row else 0
