"""Votes in PostgreSQL: each vote on an item, its ballots' history, and its result once closed."""

from __future__ import annotations

import json
from datetime import datetime

from bot.domain.errors import Duplicate
from bot.domain.votes import (
    Ballot,
    CastBallot,
    Count,
    Majority,
    Vote,
    VoteOutcome,
    VoteResult,
    VoteStatus,
)
from storage.common import rows
from storage.postgres.database import Row, Statements

_VOTE_SELECT = (
    "SELECT votes.*, items.number AS item_number FROM votes JOIN items ON items.id = votes.item_id"
)


def _result(row: Row, majority: Majority) -> VoteResult | None:
    if row["outcome"] is None:
        return None
    count = Count(row["yes"], row["no"], row["abstain"], row["present"], row["members"])
    return VoteResult(
        VoteOutcome(row["outcome"]),
        majority,
        count,
        row["base_size"],
        row["needed"],
        row["quorum"] or 0,
    )


class PostgresVoteRepository:
    def __init__(self, conn: Statements) -> None:
        self._conn = conn

    async def open(
        self,
        meeting_id: int,
        item_id: int,
        majority: Majority,
        secret: bool,
        opened_by: str,
        now: datetime,
        deadline: datetime | None,
    ) -> Vote:
        row = await self._conn.fetchone(
            "INSERT INTO votes (meeting_id, item_id, majority, secret, opened_by, opened_at,"
            " deadline) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id",
            (meeting_id, item_id, majority.encode(), secret, opened_by, now, deadline),
        )
        if row is None:
            raise Duplicate("A vote on this item is already open.")
        vote = await self.get(int(row["id"]))
        assert vote is not None
        return vote

    async def get(self, vote_id: int) -> Vote | None:
        fetched = await self._conn.fetchall(f"{_VOTE_SELECT} WHERE votes.id = %s", (vote_id,))
        row = next(iter(fetched), None)
        return await self._vote(row) if row else None

    async def open_for_item(self, item_id: int) -> Vote | None:
        fetched = await self._conn.fetchall(
            f"{_VOTE_SELECT} WHERE votes.item_id = %s AND votes.status = 'open'", (item_id,)
        )
        row = next(iter(fetched), None)
        return await self._vote(row) if row else None

    async def latest_for_item(self, item_id: int) -> Vote | None:
        """The item's open vote, else its most recent one."""
        fetched = await self._conn.fetchall(
            f"{_VOTE_SELECT} WHERE votes.item_id = %s"
            " ORDER BY votes.status = 'open' DESC, votes.id DESC LIMIT 1",
            (item_id,),
        )
        row = next(iter(fetched), None)
        return await self._vote(row) if row else None

    async def open_in_meeting(self, meeting_id: int) -> list[Vote]:
        fetched = await self._conn.fetchall(
            f"{_VOTE_SELECT} WHERE votes.meeting_id = %s AND votes.status = 'open'"
            " ORDER BY votes.id",
            (meeting_id,),
        )
        return [await self._vote(r) for r in fetched]

    async def all(self, meeting_id: int) -> list[Vote]:
        """Every vote of the meeting, open, closed or cancelled, oldest first."""
        fetched = await self._conn.fetchall(
            f"{_VOTE_SELECT} WHERE votes.meeting_id = %s ORDER BY votes.id", (meeting_id,)
        )
        return [await self._vote(r) for r in fetched]

    async def _vote(self, row: Row) -> Vote:
        majority = Majority.decode(row["majority"])
        if row["status"] == VoteStatus.OPEN:
            voted, not_voted = await self._roll(row["id"], row["meeting_id"])
        else:
            voted = tuple(json.loads(row["voted"] or "[]"))
            not_voted = tuple(json.loads(row["not_voted"] or "[]"))
        return Vote(
            id=row["id"],
            meeting_id=row["meeting_id"],
            item_id=row["item_id"],
            item_number=row["item_number"],
            majority=majority,
            secret=bool(row["secret"]),
            opened_by=row["opened_by"],
            opened_at=rows.dt(row["opened_at"]),
            deadline=rows.opt_dt(row["deadline"]),
            status=VoteStatus(row["status"]),
            closed_at=rows.opt_dt(row["closed_at"]),
            closed_by=row["closed_by"],
            result=_result(row, majority),
            voted=voted,
            not_voted=not_voted,
        )

    async def _roll(self, vote_id: int, meeting_id: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The counted delegations (the meeting's participant delegations still registered)
        with a current ballot, and those without, by name."""
        fetched = await self._conn.fetchall(
            "SELECT d.name, EXISTS (SELECT 1 FROM ballots WHERE ballots.vote_id = %s"
            " AND ballots.delegation_id = d.id AND ballots.replaced_at IS NULL) AS voted"
            " FROM delegations d WHERE d.meeting_id = %s AND d.role = 'participant'"
            " AND d.removed_at IS NULL ORDER BY d.name",
            (vote_id, meeting_id),
        )
        return (
            tuple(r["name"] for r in fetched if r["voted"]),
            tuple(r["name"] for r in fetched if not r["voted"]),
        )

    async def cast(
        self,
        vote_id: int,
        delegation_id: int,
        user_id: str,
        choice: Ballot,
        explanation: str,
        now: datetime,
    ) -> bool:
        """Record the delegation's ballot, replacing its current one (kept in the history);
        True when it replaced one."""
        ended = await self._conn.execute(
            "UPDATE ballots SET replaced_at = %s"
            " WHERE vote_id = %s AND delegation_id = %s AND replaced_at IS NULL",
            (now, vote_id, delegation_id),
        )
        row = await self._conn.fetchone(
            "INSERT INTO ballots (vote_id, delegation_id, user_id, choice, explanation,"
            " cast_at) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id",
            (vote_id, delegation_id, user_id, choice.value, explanation, now),
        )
        if row is None:
            raise Duplicate("Your delegation's ballot changed at the same moment; try again.")
        return ended > 0

    async def current_ballot(self, vote_id: int, delegation_id: int) -> CastBallot | None:
        fetched = await self._conn.fetchall(
            "SELECT ballots.*, delegations.name AS delegation FROM ballots"
            " JOIN delegations ON delegations.id = ballots.delegation_id"
            " WHERE vote_id = %s AND delegation_id = %s AND replaced_at IS NULL",
            (vote_id, delegation_id),
        )
        row = next(iter(fetched), None)
        return _ballot(row) if row else None

    async def ballots(self, vote_id: int) -> list[CastBallot]:
        """Every ballot of the vote, replaced ones included, in the order they were cast."""
        fetched = await self._conn.fetchall(
            "SELECT ballots.*, delegations.name AS delegation FROM ballots"
            " JOIN delegations ON delegations.id = ballots.delegation_id"
            " WHERE vote_id = %s ORDER BY ballots.id",
            (vote_id,),
        )
        return [_ballot(r) for r in fetched]

    async def count(self, vote_id: int) -> Count:
        """The current ballots of the counted delegations, those present (registered present
        or voting), and all counted delegations."""
        fetched = await self._conn.fetchall(
            "SELECT"
            " count(CASE WHEN b.choice = 'yes' THEN 1 END) AS yes,"
            " count(CASE WHEN b.choice = 'no' THEN 1 END) AS no,"
            " count(CASE WHEN b.choice = 'abstain' THEN 1 END) AS abstain,"
            " count(CASE WHEN b.id IS NOT NULL OR a.delegation_id IS NOT NULL THEN 1 END)"
            " AS present,"
            " count(*) AS members"
            " FROM votes v JOIN delegations d ON d.meeting_id = v.meeting_id"
            " AND d.role = 'participant' AND d.removed_at IS NULL"
            " LEFT JOIN ballots b ON b.vote_id = v.id AND b.delegation_id = d.id"
            " AND b.replaced_at IS NULL"
            " LEFT JOIN attendance a ON a.meeting_id = v.meeting_id AND a.delegation_id = d.id"
            " WHERE v.id = %s",
            (vote_id,),
        )
        row = fetched[0]
        return Count(row["yes"], row["no"], row["abstain"], row["present"], row["members"])

    async def close(
        self,
        vote_id: int,
        result: VoteResult,
        closed_by: str,
        now: datetime,
        *,
        erase_choices: bool,
    ) -> bool:
        """Freeze the result and who voted; False when the vote was no longer open (closed
        exactly once). ``erase_choices`` (a secret vote): every ballot keeps who cast it and
        when, and loses how."""
        voted, not_voted = await self._roll(vote_id, await self._meeting_of(vote_id))
        count = result.count
        closed = await self._conn.execute(
            "UPDATE votes SET status = 'closed', closed_at = %s, closed_by = %s, yes = %s, no = %s,"
            " abstain = %s, present = %s, members = %s, outcome = %s, needed = %s, base_size = %s,"
            " quorum = %s, voted = %s, not_voted = %s WHERE id = %s AND status = 'open'",
            (
                now,
                closed_by,
                count.yes,
                count.no,
                count.abstain,
                count.present,
                count.members,
                result.outcome.value,
                result.needed,
                result.base_size,
                result.quorum,
                json.dumps(voted),
                json.dumps(not_voted),
                vote_id,
            ),
        )
        if closed != 1:
            return False
        if erase_choices:
            await self._conn.execute(
                "UPDATE ballots SET choice = NULL, explanation = '' WHERE vote_id = %s",
                (vote_id,),
            )
        return True

    async def cancel(self, vote_id: int, cancelled_by: str, now: datetime) -> bool:
        """Discard an open vote (kept on record as cancelled); False when it was not open.
        Its ballots were never counted: a secret vote's are erased as at a close."""
        cancelled = await self._conn.execute(
            "UPDATE votes SET status = 'cancelled', closed_at = %s, closed_by = %s"
            " WHERE id = %s AND status = 'open'",
            (now, cancelled_by, vote_id),
        )
        if cancelled != 1:
            return False
        await self._conn.execute(
            "UPDATE ballots SET choice = NULL, explanation = '' WHERE vote_id = %s"
            " AND (SELECT secret FROM votes WHERE id = %s)",
            (vote_id, vote_id),
        )
        return True

    async def set_card(self, vote_id: int, notice_id: int) -> None:
        """The notice that shows the vote in the channel (edited as ballots come in)."""
        await self._conn.execute(
            "UPDATE votes SET card_notice_id = %s WHERE id = %s", (notice_id, vote_id)
        )

    async def card(self, vote_id: int) -> int | None:
        fetched = await self._conn.fetchall(
            "SELECT card_notice_id FROM votes WHERE id = %s", (vote_id,)
        )
        row = next(iter(fetched), None)
        return int(row[0]) if row and row[0] is not None else None

    async def due(self, now: datetime) -> list[int]:
        fetched = await self._conn.fetchall(
            "SELECT id FROM votes WHERE status = 'open' AND deadline IS NOT NULL"
            " AND deadline <= %s ORDER BY deadline, id",
            (now,),
        )
        return [r["id"] for r in fetched]

    async def planned(self) -> list[tuple[int, datetime]]:
        fetched = await self._conn.fetchall(
            "SELECT id, deadline FROM votes WHERE status = 'open' AND deadline IS NOT NULL"
        )
        return [(r["id"], rows.dt(r["deadline"])) for r in fetched]

    async def _meeting_of(self, vote_id: int) -> int:
        fetched = await self._conn.fetchall(
            "SELECT meeting_id FROM votes WHERE id = %s", (vote_id,)
        )
        return int(fetched[0]["meeting_id"]) if fetched else 0


def _ballot(row: Row) -> CastBallot:
    return CastBallot(
        delegation=row["delegation"],
        choice=Ballot(row["choice"]) if row["choice"] is not None else None,
        explanation=row["explanation"],
        user_id=row["user_id"],
        cast_at=rows.dt(row["cast_at"]),
        replaced_at=rows.opt_dt(row["replaced_at"]),
    )
