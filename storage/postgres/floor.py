"""The floor in PostgreSQL: each debate's list of speakers, its turns, and their due work."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.errors import Duplicate
from bot.domain.floor import Floor, FloorRequest, RequestKind, Turn, in_order
from bot.domain.model import item_heading
from storage.common import rows
from storage.postgres.database import Row, Statements

_FLOOR_SELECT = (
    "SELECT floors.*, items.number AS item_number, items.title AS item_title,"
    " items.text AS item_text, meetings.speaking_seconds FROM floors"
    " JOIN items ON items.id = floors.item_id JOIN meetings ON meetings.id = floors.meeting_id"
)
_TURN_SELECT = (
    "SELECT floor_turns.*, delegations.name AS delegation FROM floor_turns"
    " JOIN delegations ON delegations.id = floor_turns.delegation_id"
)


class PostgresFloorRepository:
    def __init__(self, conn: Statements) -> None:
        self._conn = conn

    async def current(self, meeting_id: int) -> Floor | None:
        fetched = await self._conn.fetchall(
            f"{_FLOOR_SELECT} WHERE floors.meeting_id = %s AND floors.ended_at IS NULL",
            (meeting_id,),
        )
        row = next(iter(fetched), None)
        return await self._floor(row) if row else None

    async def get(self, floor_id: int) -> Floor | None:
        fetched = await self._conn.fetchall(f"{_FLOOR_SELECT} WHERE floors.id = %s", (floor_id,))
        row = next(iter(fetched), None)
        return await self._floor(row) if row else None

    async def _floor(self, row: Row) -> Floor:
        requests, turns = await self._conn.fetch_each(
            [
                (
                    "SELECT floor_requests.*, delegations.name AS delegation FROM floor_requests"
                    " JOIN delegations ON delegations.id = floor_requests.delegation_id"
                    " WHERE floor_id = %s AND settled_at IS NULL"
                    " AND delegations.removed_at IS NULL",
                    (row["id"],),
                ),
                (
                    f"{_TURN_SELECT} WHERE floor_id = %s ORDER BY floor_turns.id DESC LIMIT 1",
                    (row["id"],),
                ),
            ]
        )
        queue = in_order(
            FloorRequest(
                id=r["id"],
                delegation_id=r["delegation_id"],
                delegation=r["delegation"],
                kind=RequestKind(r["kind"]),
                user_id=r["user_id"],
                requested_at=rows.dt(r["requested_at"]),
            )
            for r in requests
        )
        latest = rows.turn(turns[0]) if turns else None
        seconds = row["speaking_seconds"]
        return Floor(
            id=row["id"],
            meeting_id=row["meeting_id"],
            item_id=row["item_id"],
            item_number=row["item_number"],
            item_heading=item_heading(row["item_title"], row["item_text"]),
            opened_at=rows.dt(row["opened_at"]),
            closed=bool(row["closed"]),
            speaking_time=timedelta(seconds=seconds) if seconds else None,
            queue=queue,
            current=latest if latest is not None and latest.ended_at is None else None,
            ended_at=rows.opt_dt(row["ended_at"]),
            notice_id=row["notice_id"],
        )

    async def open(self, meeting_id: int, item_id: int, user_id: str, now: datetime) -> int:
        row = await self._conn.fetchone(
            "INSERT INTO floors (meeting_id, item_id, opened_by, opened_at)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id",
            (meeting_id, item_id, user_id, now),
        )
        if row is None:
            raise Duplicate("Another item is already under discussion here.")
        return int(row["id"])

    async def set_notice(self, floor_id: int, notice_id: int) -> None:
        """The list's message: edited whenever the list changes."""
        await self._conn.execute(
            "UPDATE floors SET notice_id = %s WHERE id = %s", (notice_id, floor_id)
        )

    async def end(self, floor_id: int, now: datetime) -> None:
        """End the debate and the turn under way; requests still waiting are not heard."""
        await self.end_turn(floor_id, now)
        await self._conn.execute(
            "UPDATE floors SET ended_at = %s WHERE id = %s AND ended_at IS NULL",
            (now, floor_id),
        )

    async def set_closed(self, floor_id: int, closed: bool) -> bool:
        """Close or reopen the list; False when it already was so."""
        changed = await self._conn.execute(
            "UPDATE floors SET closed = %s WHERE id = %s AND closed != %s",
            (closed, floor_id, closed),
        )
        return changed == 1

    async def add_request(
        self, floor_id: int, delegation_id: int, kind: RequestKind, user_id: str, now: datetime
    ) -> int:
        row = await self._conn.fetchone(
            "INSERT INTO floor_requests (floor_id, delegation_id, kind, user_id,"
            " requested_at) VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id",
            (floor_id, delegation_id, kind.value, user_id, now),
        )
        if row is None:
            raise Duplicate("Your delegation already has this request on the list.")
        return int(row["id"])

    async def withdraw(self, floor_id: int, delegation_id: int, now: datetime) -> int:
        """Withdraw the delegation's pending requests; how many there were."""
        return await self._conn.execute(
            "UPDATE floor_requests SET settled_at = %s, settled = 'withdrawn'"
            " WHERE floor_id = %s AND delegation_id = %s AND settled_at IS NULL",
            (now, floor_id, delegation_id),
        )

    async def leave(self, delegation_id: int, now: datetime) -> list[int]:
        """The delegation left the meeting: its pending requests leave their lists. Returns
        the list messages of the open debates that lost a request."""
        items = await self._conn.fetchall(
            "SELECT DISTINCT floors.notice_id FROM floor_requests"
            " JOIN floors ON floors.id = floor_requests.floor_id"
            " WHERE delegation_id = %s AND settled_at IS NULL AND floors.ended_at IS NULL"
            " AND floors.notice_id IS NOT NULL",
            (delegation_id,),
        )
        await self._conn.execute(
            "UPDATE floor_requests SET settled_at = %s, settled = 'left'"
            " WHERE delegation_id = %s AND settled_at IS NULL",
            (now, delegation_id),
        )
        return [r[0] for r in items]

    async def replies_taken(self, item_id: int, delegation_id: int) -> int:
        """The delegation's rights of reply on the item, heard or waiting, in every debate."""
        fetched = await self._conn.fetchall(
            "SELECT count(*) FROM floor_requests JOIN floors ON floors.id = floor_id"
            " WHERE floors.item_id = %s AND delegation_id = %s AND kind = 'reply'"
            " AND (settled IS NULL OR settled = 'heard')",
            (item_id, delegation_id),
        )
        return int(fetched[0][0])

    async def start_turn(
        self,
        floor_id: int,
        delegation_id: int,
        kind: RequestKind,
        given_by: str,
        now: datetime,
        *,
        warn_at: datetime | None,
        ends_at: datetime | None,
        out_of_order: bool = False,
        request_id: int | None = None,
    ) -> Turn:
        """Give the floor (the turn under way must have ended); a request it answers is heard."""
        if request_id is not None:
            await self._conn.execute(
                "UPDATE floor_requests SET settled_at = %s, settled = 'heard'"
                " WHERE id = %s AND settled_at IS NULL",
                (now, request_id),
            )
        row = await self._conn.fetchone(
            "INSERT INTO floor_turns (floor_id, delegation_id, kind, given_by, out_of_order,"
            " started_at, warn_at, ends_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT DO NOTHING RETURNING id",
            (
                floor_id,
                delegation_id,
                kind.value,
                given_by,
                out_of_order,
                now,
                (warn_at),
                (ends_at),
            ),
        )
        if row is None:
            raise Duplicate("Someone already has the floor.")
        turn = await self.turn(int(row["id"]))
        assert turn is not None
        return turn

    async def turn(self, turn_id: int) -> Turn | None:
        fetched = await self._conn.fetchall(f"{_TURN_SELECT} WHERE floor_turns.id = %s", (turn_id,))
        row = next(iter(fetched), None)
        return rows.turn(row) if row else None

    async def floor_of_turn(self, turn_id: int) -> int | None:
        fetched = await self._conn.fetchall(
            "SELECT floor_id FROM floor_turns WHERE id = %s", (turn_id,)
        )
        row = next(iter(fetched), None)
        return int(row[0]) if row else None

    async def end_turn(self, floor_id: int, now: datetime) -> Turn | None:
        """End the turn under way, if any; returns it as it ended."""
        fetched = await self._conn.fetchall(
            "UPDATE floor_turns SET ended_at = %s WHERE floor_id = %s AND ended_at IS NULL"
            " RETURNING id",
            (now, floor_id),
        )
        row = next(iter(fetched), None)
        return await self.turn(int(row[0])) if row else None

    async def speaking_time(self, meeting_id: int) -> timedelta | None:
        fetched = await self._conn.fetchall(
            "SELECT speaking_seconds FROM meetings WHERE id = %s", (meeting_id,)
        )
        row = next(iter(fetched), None)
        return timedelta(seconds=row[0]) if row and row[0] else None

    async def set_speaking_time(self, meeting_id: int, limit: timedelta | None) -> None:
        await self._conn.execute(
            "UPDATE meetings SET speaking_seconds = %s WHERE id = %s",
            (int(limit.total_seconds()) if limit else None, meeting_id),
        )

    async def warnings_due(self, now: datetime) -> list[int]:
        fetched = await self._conn.fetchall(
            "SELECT id FROM floor_turns WHERE warned_at IS NULL AND ended_at IS NULL"
            " AND warn_at IS NOT NULL AND warn_at <= %s ORDER BY warn_at, id",
            (now,),
        )
        return [r[0] for r in fetched]

    async def expiries_due(self, now: datetime) -> list[int]:
        fetched = await self._conn.fetchall(
            "SELECT id FROM floor_turns WHERE expired_at IS NULL AND ended_at IS NULL"
            " AND ends_at IS NOT NULL AND ends_at <= %s ORDER BY ends_at, id",
            (now,),
        )
        return [r[0] for r in fetched]

    async def mark_warned(self, turn_id: int, now: datetime) -> bool:
        """Claim the turn's warning; False when it was handled already or the turn ended."""
        changed = await self._conn.execute(
            "UPDATE floor_turns SET warned_at = %s"
            " WHERE id = %s AND warned_at IS NULL AND ended_at IS NULL",
            (now, turn_id),
        )
        return changed == 1

    async def mark_expired(self, turn_id: int, now: datetime) -> bool:
        """Claim the turn's end; False when it was handled already or the turn ended."""
        changed = await self._conn.execute(
            "UPDATE floor_turns SET expired_at = %s, warned_at = coalesce(warned_at, %s)"
            " WHERE id = %s AND expired_at IS NULL AND ended_at IS NULL",
            (now, now, turn_id),
        )
        return changed == 1

    async def planned(self) -> list[tuple[str, int, datetime]]:
        """Every warning and end still ahead: ("warning" | "time", turn id, when)."""
        fetched = await self._conn.fetchall(
            "SELECT 'warning', id, warn_at FROM floor_turns WHERE warned_at IS NULL"
            " AND ended_at IS NULL AND warn_at IS NOT NULL"
            " UNION ALL SELECT 'time', id, ends_at FROM floor_turns WHERE expired_at IS NULL"
            " AND ended_at IS NULL AND ends_at IS NOT NULL"
        )
        return [(str(r[0]), int(r[1]), rows.dt(r[2])) for r in fetched]

    async def history(self, meeting_id: int) -> list[tuple[int, Turn]]:
        """Every turn of the meeting's debates with its item id, in the order given."""
        fetched = await self._conn.fetchall(
            "SELECT floor_turns.*, delegations.name AS delegation, floors.item_id"
            " FROM floor_turns JOIN delegations ON delegations.id = floor_turns.delegation_id"
            " JOIN floors ON floors.id = floor_turns.floor_id WHERE floors.meeting_id = %s"
            " ORDER BY floor_turns.id",
            (meeting_id,),
        )
        return [(int(r["item_id"]), rows.turn(r)) for r in fetched]
