"""Concurrent units of one meeting on PostgreSQL: each write unit locks the meeting's row when
it reads it, so objections arriving at once are counted one after another, as on SQLite."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime

import pytest

from bot.commands.meeting import AddDelegation
from bot.commands.motions import TableMotion
from bot.domain.model import NoticeKind
from bot.domain.rules import BlockChange, Role
from bot.ports.clock import ManualClock
from bot.ports.store import UnitOfWork
from bot.services.items import ItemService
from bot.services.lookups import Caller
from bot.services.positions import PositionService
from bot.services.setup import SetupService
from storage.postgres.store import PostgresStore
from tests.contract.given import NOW
from tests.support import cast
from tests.support.postgres import scratch_database

TEAM = "T0KP"
CHANNEL = "C0KASANE"
CHAIR = Caller(TEAM, CHANNEL, cast.CHAIR)
OBJECTORS = 30


class Timers:
    def plan(self, job_id: str, at: datetime) -> None:
        pass

    def cancel(self, job_id: str) -> None:
        pass


@pytest.fixture
async def store() -> AsyncIterator[PostgresStore]:
    async with scratch_database(connections=OBJECTORS) as db:  # all at once
        yield PostgresStore(db)


async def test_concurrent_objections_on_one_item_keep_its_counts_equal_to_its_history(
    store: PostgresStore,
) -> None:
    clock = ManualClock(cast.START)
    setup = SetupService(store, clock, notify=lambda: None, planner=Timers())
    items = ItemService(store, clock, notify=lambda: None, planner=Timers())
    positions = PositionService(store, clock, notify=lambda: None, planner=Timers())
    await setup.start(CHAIR, cast.TITLE)
    await setup.add_delegation(CHAIR, AddDelegation("Botswana", Role.PARTICIPANT, (cast.CHAIR,)))
    for i in range(OBJECTORS):
        await setup.add_delegation(
            CHAIR, AddDelegation(f"D{i:02d}", Role.PARTICIPANT, (f"U{i:02d}",))
        )
    item = await items.table(CHAIR, TableMotion("Exclude Russia"))

    changes = await asyncio.gather(
        *(
            positions.object(Caller(TEAM, CHANNEL, f"U{i:02d}"), item.number, f"reason {i}")
            for i in range(OBJECTORS)
        )
    )

    # Each objection saw the ones before it: exactly one found the item unblocked.
    assert sorted(c.change for c in changes) == sorted(
        [BlockChange.NOW_BLOCKED] + [BlockChange.STILL_BLOCKED] * (OBJECTORS - 1)
    )

    async def outcome(uow: UnitOfWork) -> tuple[int, int, list[str]]:
        meeting = await uow.meetings.find(TEAM, CHANNEL)
        assert meeting is not None
        history = await uow.items.position_history(meeting.id)
        state = await uow.items.position_state(meeting.id, item.number, 0)
        assert state is not None
        notices = [n.kind.value for n in await uow.notices.pending(clock.now(), 100)]
        return len(history), state.standing, notices

    recorded, standing, notices = await store.query(outcome)
    assert recorded == standing == OBJECTORS
    assert notices.count(NoticeKind.BLOCKED.value) == 1  # blocked once, by the first
    assert not any(change.replaced for change in changes)


async def test_a_meeting_another_transaction_holds_is_skipped_without_waiting_then_waited_for(
    store: PostgresStore,
) -> None:
    async def meeting(uow: UnitOfWork) -> int:
        found = await uow.meetings.create(TEAM, "C0LOCKED", "Locked", cast.CHAIR, NOW)
        return found.id

    meeting_id = await store.transact(meeting)
    held = asyncio.Event()
    release = asyncio.Event()

    async def holder(uow: UnitOfWork) -> None:
        assert await uow.meetings.lock(meeting_id)
        held.set()
        await release.wait()

    holding = asyncio.create_task(store.transact(holder))
    await held.wait()
    assert await store.transact(lambda uow: uow.meetings.lock(meeting_id, wait=False)) is False
    waiting = asyncio.create_task(store.transact(lambda uow: uow.meetings.lock(meeting_id)))
    release.set()
    await holding
    assert await waiting is True
