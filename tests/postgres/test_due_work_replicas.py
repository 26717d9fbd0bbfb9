"""Due work handled by several replicas sharing one PostgreSQL: each replica's timekeeper sweeps
whenever its own timer fires, all at once, and every deadline, reminder and digest is still
handled once (the claim is the unit that changes its state, after the meeting's row lock)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta

import pytest

from bot.domain.model import NoticeKind
from bot.ports.clock import ManualClock
from bot.ports.store import UnitOfWork
from bot.services.timekeeper import Sweep, Timekeeper
from storage.postgres.database import Database, Statements
from storage.postgres.store import PostgresStore
from tests.contract.given import NOW, new_delegation, new_meeting
from tests.support.postgres import scratch_schema

REPLICAS = 3
MEETINGS = 20
ITEMS_PER_MEETING = 3
HOUR = timedelta(hours=1)


class Timers:
    def plan(self, job_id: str, at: datetime) -> None:
        pass

    def cancel(self, job_id: str) -> None:
        pass


@pytest.fixture
async def replicas() -> AsyncIterator[list[PostgresStore]]:
    """Three stores, each with its own pool on one database: what three `serve` processes hold."""
    async with scratch_schema() as conninfo:
        databases = [await Database.open(conninfo, min_size=2, max_size=8) for _ in range(REPLICAS)]
        try:
            yield [PostgresStore(db) for db in databases]
        finally:
            for db in databases:
                await db.close()


async def _due_work(uow: UnitOfWork) -> tuple[set[int], set[int], set[int]]:
    """Meetings whose deadlines, reminders and digests all fall due by NOW + 1 h."""
    items: set[int] = set()
    sessions: set[int] = set()
    meetings: set[int] = set()
    for m in range(MEETINGS):
        meeting_id = await new_meeting(uow, channel=f"C{m:04d}")
        mali = await new_delegation(uow, meeting_id, "Mali")
        for i in range(ITEMS_PER_MEETING):
            item = await uow.items.create(
                meeting_id, mali, f"motion {i}", "U1", NOW, deadline=NOW + HOUR
            )
            items.add(item.id)
        session = await uow.sessions.add(meeting_id, "Plenary", NOW + 2 * HOUR, NOW + HOUR, NOW)
        sessions.add(session.id)
        await uow.meetings.set_digest(meeting_id, time(8, 30), NOW + HOUR)
        meetings.add(meeting_id)
    return items, sessions, meetings


async def _notices_by_kind(statements: Statements) -> Counter[str]:
    fetched = await statements.fetchall("SELECT kind, count(*) FROM notices GROUP BY kind")
    return Counter({row[0]: int(row[1]) for row in fetched})


async def test_replicas_sweeping_at_once_handle_each_deadline_reminder_and_digest_once(
    replicas: list[PostgresStore],
) -> None:
    items, sessions, meetings = await replicas[0].transact(_due_work)
    clock = ManualClock(NOW + HOUR)
    keepers = [Timekeeper(store, clock, Timers(), notify=lambda: None) for store in replicas]

    # Each replica's timer fires twice for the same instant (two jobs due together).
    sweeps: list[Sweep] = await asyncio.gather(*(k.run_due() for k in keepers * 2))

    decided = [item for sweep in sweeps for item in sweep.decided]
    reminded = [session for sweep in sweeps for session in sweep.reminded]
    digests = [meeting for sweep in sweeps for meeting in sweep.digests]
    assert sorted(decided) == sorted(items)  # each once, none missed
    assert sorted(reminded) == sorted(sessions)
    assert sorted(digests) == sorted(meetings)
    assert sum(1 for sweep in sweeps if sweep.decided) >= 1
    notices = await replicas[1].db.query(_notices_by_kind)
    assert notices[NoticeKind.OUTCOME.value] == len(items)
    assert notices[NoticeKind.REMINDER.value] == len(sessions)
    assert notices[NoticeKind.DIGEST.value] == len(meetings)

    # Nothing is left for a later sweep on any replica.
    again = await asyncio.gather(*(k.run_due() for k in keepers))
    assert all(not s.decided and not s.reminded and not s.digests for s in again)
