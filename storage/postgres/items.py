"""Items, positions and decisions in PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from bot.domain.errors import Duplicate
from bot.domain.model import Decision, Item, Position, PositionState, RecordedPosition
from bot.domain.rules import ItemStatus, PositionKind, Role
from storage.common import rows
from storage.postgres.database import Statements

_ITEM_SELECT = (
    "SELECT items.*, delegations.name AS sponsor,"
    " (SELECT o.number FROM items o WHERE o.id = items.amends_id) AS amends_number,"
    " (SELECT string_agg(n.number || ':' || n.status, ',' ORDER BY n.number) FROM items n"
    "  WHERE n.amends_id = items.id) AS amended_by,"
    " (SELECT min(s.number) FROM items s WHERE s.amends_id = items.amends_id"
    "  AND s.id != items.id AND s.status = 'adopted') AS rival_adopted"
    " FROM items JOIN delegations ON delegations.id = items.sponsor_id"
)
_POSITION_SELECT = (
    "SELECT positions.*, delegations.name AS delegation, delegations.role AS role"
    " FROM positions JOIN delegations ON delegations.id = positions.delegation_id"
    " WHERE positions.ended_at IS NULL"
)
_COUNTS_SELECT = (
    "SELECT (SELECT count(*) FROM positions JOIN delegations"
    "  ON delegations.id = positions.delegation_id"
    "  WHERE positions.item_id = items.id AND positions.ended_at IS NULL"
    "  AND positions.kind = 'objection' AND delegations.role = 'participant'),"
    " (SELECT count(*) FROM delegations WHERE delegations.meeting_id = items.meeting_id"
    "  AND role = 'participant' AND removed_at IS NULL)"
    " FROM items WHERE items.id = "
)


class PostgresItemRepository:
    def __init__(self, conn: Statements) -> None:
        self._conn = conn

    async def next_number(self, meeting_id: int) -> int:
        row = await self._conn.fetchone(
            "UPDATE meetings SET next_item_number = next_item_number + 1 WHERE id = %s"
            " RETURNING next_item_number - 1",
            (meeting_id,),
        )
        assert row is not None
        return int(row[0])

    async def create(
        self,
        meeting_id: int,
        sponsor_id: int,
        text: str,
        user_id: str,
        now: datetime,
        deadline: datetime | None = None,
        session_id: int | None = None,
        title: str | None = None,
        amends_id: int | None = None,
    ) -> Item:
        number = await self.next_number(meeting_id)
        row = await self._conn.fetchone(
            "INSERT INTO items (meeting_id, number, sponsor_id, text, tabled_by, tabled_at,"
            " deadline, session_id, title, amends_id)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (
                meeting_id,
                number,
                sponsor_id,
                text,
                user_id,
                now,
                deadline,
                session_id,
                title,
                amends_id,
            ),
        )
        assert row is not None
        created = await self.get(int(row["id"]))
        assert created is not None
        return created

    async def _positions(self, item_ids: list[int]) -> dict[int, tuple[Position, ...]]:
        found: defaultdict[int, list[Position]] = defaultdict(list)
        if item_ids:
            fetched = await self._conn.fetchall(
                f"{_POSITION_SELECT} AND positions.item_id = ANY(%s)"
                " ORDER BY positions.recorded_at, positions.id",
                (item_ids,),
            )
            for r in fetched:
                found[r["item_id"]].append(rows.position(r))
        return {item_id: tuple(found[item_id]) for item_id in item_ids}

    async def _items(self, where: str, args: tuple[object, ...]) -> list[Item]:
        found = await self._conn.fetchall(
            f"{_ITEM_SELECT} WHERE {where} ORDER BY items.number",
            args,
        )
        positions = await self._positions([r["id"] for r in found])
        return [rows.item(r, positions[r["id"]]) for r in found]

    async def position_state(
        self, meeting_id: int, number: int, delegation_id: int
    ) -> PositionState | None:
        """The item without its positions, the delegation's current position on it and the
        counts, in one round trip (pipelined), at constant cost in the item's positions."""
        item_id = "(SELECT id FROM items WHERE meeting_id = %s AND number = %s)"
        header, current, counts = await self._conn.fetch_each(
            [
                (
                    f"{_ITEM_SELECT} WHERE items.meeting_id = %s AND items.number = %s",
                    (meeting_id, number),
                ),
                (
                    f"{_POSITION_SELECT} AND positions.item_id = {item_id}"
                    " AND positions.delegation_id = %s",
                    (meeting_id, number, delegation_id),
                ),
                (_COUNTS_SELECT + item_id, (meeting_id, number)),
            ]
        )
        if not header:
            return None
        return PositionState(
            item=rows.item_header(header[0]),
            current=rows.position(current[0]) if current else None,
            standing=int(counts[0][0]),
            participants=int(counts[0][1]),
        )

    async def get(self, item_id: int) -> Item | None:
        found = await self._items("items.id = %s", (item_id,))
        return found[0] if found else None

    async def by_number(self, meeting_id: int, number: int) -> Item | None:
        found = await self._items(
            "items.meeting_id = %s AND items.number = %s", (meeting_id, number)
        )
        return found[0] if found else None

    async def all(self, meeting_id: int) -> list[Item]:
        return await self._items("items.meeting_id = %s", (meeting_id,))

    async def set_status(
        self, item_id: int, status: ItemStatus, closed_at: datetime | None = None
    ) -> None:
        await self._conn.execute(
            "UPDATE items SET status = %s, closed_at = %s WHERE id = %s",
            (status.value, closed_at, item_id),
        )

    async def end_position(
        self,
        item_id: int,
        delegation_id: int,
        user_id: str,
        now: datetime,
        reason: str = "withdrawn",
    ) -> bool:
        changed = await self._conn.execute(
            "UPDATE positions SET ended_at = %s, ended_by = %s, end_reason = %s"
            " WHERE item_id = %s AND delegation_id = %s AND ended_at IS NULL",
            (now, user_id, reason, item_id, delegation_id),
        )
        return changed > 0

    async def add_position(
        self,
        item_id: int,
        delegation_id: int,
        kind: PositionKind,
        statement: str,
        user_id: str,
        now: datetime,
    ) -> None:
        added = await self._conn.execute(
            "INSERT INTO positions (item_id, delegation_id, kind, statement, user_id,"
            " recorded_at) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (item_id, delegation_id, kind.value, statement, user_id, now),
        )
        if added != 1:
            raise Duplicate("The delegation already holds a position on this item; it ends first.")

    async def open_items_with_position_of(self, delegation_id: int) -> list[int]:
        fetched = await self._conn.fetchall(
            "SELECT positions.item_id FROM positions JOIN items ON items.id = positions.item_id"
            " WHERE positions.delegation_id = %s AND positions.ended_at IS NULL"
            " AND items.status = 'open' ORDER BY positions.item_id",
            (delegation_id,),
        )
        return [r["item_id"] for r in fetched]

    async def record_decision(self, decision: Decision) -> None:
        added = await self._conn.execute(
            "INSERT INTO decisions (item_id, outcome, rule, participants, objections,"
            " decided_at, decided_by, late, quorum, present)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (
                decision.item_id,
                decision.outcome.value,
                decision.rule.encode(),
                decision.participants,
                rows.objections_json(decision.objections),
                decision.decided_at,
                decision.decided_by,
                decision.late,
                decision.quorum,
                decision.present,
            ),
        )
        if added != 1:
            raise Duplicate("The item was already decided; a decision is recorded once.")

    async def deadlines_due(self, now: datetime) -> list[int]:
        fetched = await self._conn.fetchall(
            "SELECT id FROM items WHERE status = 'open' AND deadline IS NOT NULL"
            " AND deadline <= %s AND NOT EXISTS (SELECT 1 FROM votes"
            " WHERE votes.item_id = items.id AND votes.status = 'open')"
            " ORDER BY deadline, id",
            (now,),
        )
        return [r["id"] for r in fetched]

    async def planned_deadlines(self) -> list[tuple[int, datetime]]:
        fetched = await self._conn.fetchall(
            "SELECT id, deadline FROM items WHERE status = 'open' AND deadline IS NOT NULL"
        )
        return [(r["id"], rows.dt(r["deadline"])) for r in fetched]

    async def open_in_session(self, session_id: int) -> list[Item]:
        return await self._items("items.session_id = %s AND items.status = 'open'", (session_id,))

    async def decisions(self, meeting_id: int) -> dict[int, Decision]:
        fetched = await self._conn.fetchall(
            "SELECT decisions.* FROM decisions JOIN items ON items.id = decisions.item_id"
            " WHERE items.meeting_id = %s ORDER BY decisions.item_id",
            (meeting_id,),
        )
        return {r["item_id"]: rows.decision(r) for r in fetched}

    async def position_history(self, meeting_id: int) -> list[RecordedPosition]:
        """Every position ever taken in the meeting, withdrawn and replaced ones included."""
        fetched = await self._conn.fetchall(
            "SELECT positions.*, delegations.name AS delegation, delegations.role AS role"
            " FROM positions JOIN delegations ON delegations.id = positions.delegation_id"
            " JOIN items ON items.id = positions.item_id WHERE items.meeting_id = %s"
            " ORDER BY positions.recorded_at, positions.id",
            (meeting_id,),
        )
        return [
            RecordedPosition(
                item_id=r["item_id"],
                delegation=r["delegation"],
                role=Role(r["role"]),
                kind=PositionKind(r["kind"]),
                statement=r["statement"],
                recorded_at=rows.dt(r["recorded_at"]),
                ended_at=rows.opt_dt(r["ended_at"]),
                end_reason=r["end_reason"],
            )
            for r in fetched
        ]

    async def set_deadline(self, item_id: int, deadline: datetime | None) -> None:
        await self._conn.execute(
            "UPDATE items SET deadline = %s WHERE id = %s", (deadline, item_id)
        )

    async def decision(self, item_id: int) -> Decision | None:
        row = await self._conn.fetchone("SELECT * FROM decisions WHERE item_id = %s", (item_id,))
        return rows.decision(row) if row else None
