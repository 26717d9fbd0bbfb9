"""Work that falls due with time: deadlines, reminders, digests and agenda proposals, each
due once its moment has come and planned while it is still ahead."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from bot.domain.errors import Duplicate
from bot.domain.model import AgendaProposal, Decision, Session
from bot.domain.rules import CONSENSUS, ItemStatus, Outcome
from bot.ports.store import Store, UnitOfWork
from tests.contract.given import NOW, new_delegation, new_meeting

HOUR = timedelta(hours=1)
NINETY_MINUTES = timedelta(minutes=90)


async def test_open_items_fall_due_at_their_deadline_in_deadline_order(store: Store) -> None:
    async def four_items(uow: UnitOfWork) -> list[int]:
        meeting_id = await new_meeting(uow)
        mali = await new_delegation(uow, meeting_id, "Mali")
        late = await uow.items.create(meeting_id, mali, "late", "U1", NOW, deadline=NOW + 2 * HOUR)
        soon = await uow.items.create(meeting_id, mali, "soon", "U1", NOW, deadline=NOW + HOUR)
        await uow.items.create(meeting_id, mali, "no deadline", "U1", NOW)
        decided = await uow.items.create(meeting_id, mali, "done", "U1", NOW, deadline=NOW + HOUR)
        await uow.items.set_status(decided.id, ItemStatus.ADOPTED, NOW)
        return [soon.id, late.id]

    soon, late = await store.transact(four_items)

    async def due(uow: UnitOfWork) -> tuple[list[int], ...]:
        return (
            await uow.items.deadlines_due(NOW),
            await uow.items.deadlines_due(NOW + HOUR),
            await uow.items.deadlines_due(NOW + 3 * HOUR),
        )

    assert await store.query(due) == ([], [soon], [soon, late])

    async def planned(uow: UnitOfWork) -> list[tuple[int, object]]:
        return sorted(await uow.items.planned_deadlines())

    assert await store.query(planned) == sorted([(soon, NOW + HOUR), (late, NOW + 2 * HOUR)])


async def test_a_deadline_moved_or_cleared_is_planned_anew(store: Store) -> None:
    async def item_with_deadline(uow: UnitOfWork) -> int:
        meeting_id = await new_meeting(uow)
        mali = await new_delegation(uow, meeting_id, "Mali")
        item = await uow.items.create(meeting_id, mali, "text", "U1", NOW, deadline=NOW + HOUR)
        return item.id

    item_id = await store.transact(item_with_deadline)

    async def move_then_due(uow: UnitOfWork) -> tuple[object, ...]:
        await uow.items.set_deadline(item_id, NOW + 5 * HOUR)
        moved = (await uow.items.planned_deadlines(), await uow.items.deadlines_due(NOW + HOUR))
        await uow.items.set_deadline(item_id, None)
        return (*moved, await uow.items.planned_deadlines())

    assert await store.transact(move_then_due) == ([(item_id, NOW + 5 * HOUR)], [], [])


async def test_a_decided_item_is_no_longer_due_and_its_decision_is_recorded_once(
    store: Store,
) -> None:
    async def item_due(uow: UnitOfWork) -> tuple[int, int]:
        meeting_id = await new_meeting(uow)
        mali = await new_delegation(uow, meeting_id, "Mali")
        item = await uow.items.create(meeting_id, mali, "text", "U1", NOW, deadline=NOW)
        return meeting_id, item.id

    meeting_id, item_id = await store.transact(item_due)
    decision = Decision(
        item_id=item_id,
        outcome=Outcome.ADOPTED,
        rule=CONSENSUS,
        participants=1,
        objections=(),
        decided_at=NOW,
        decided_by="deadline",
        late=False,
    )

    async def decide(uow: UnitOfWork) -> tuple[object, ...]:
        await uow.items.set_status(item_id, ItemStatus.ADOPTED, NOW)
        await uow.items.record_decision(decision)
        return (
            await uow.items.deadlines_due(NOW),
            await uow.items.decision(item_id),
            await uow.items.decisions(meeting_id),
        )

    assert await store.transact(decide) == ([], decision, {item_id: decision})

    async def decide_again(uow: UnitOfWork) -> None:
        await uow.items.record_decision(decision)

    with pytest.raises(Duplicate, match="already decided"):
        await store.transact(decide_again)


async def test_a_session_reminder_falls_due_once_and_a_removed_session_never(
    store: Store,
) -> None:
    async def three_sessions(uow: UnitOfWork) -> list[Session]:
        meeting_id = await new_meeting(uow)
        starts = NOW + 2 * HOUR
        opening = await uow.sessions.add(meeting_id, "Opening", starts, NOW + HOUR, NOW)
        closing = await uow.sessions.add(meeting_id, "Closing", starts, NOW + 3 * HOUR, NOW)
        dropped = await uow.sessions.add(meeting_id, "Dropped", starts, NOW + HOUR, NOW)
        await uow.sessions.remove(dropped.id, NOW)
        return [opening, closing]

    opening, closing = await store.transact(three_sessions)

    async def due(uow: UnitOfWork) -> tuple[list[int], ...]:
        return (
            [s.id for s in await uow.sessions.reminders_due(NOW)],
            [s.id for s in await uow.sessions.reminders_due(NOW + HOUR)],
            [s.id for s in await uow.sessions.reminders_due(NOW + 4 * HOUR)],
        )

    assert await store.query(due) == ([], [opening.id], [opening.id, closing.id])

    async def remind(uow: UnitOfWork) -> tuple[object, ...]:
        return (
            await uow.sessions.mark_reminded(opening.id, NOW + HOUR),
            await uow.sessions.mark_reminded(opening.id, NOW + HOUR),
            [s.id for s in await uow.sessions.reminders_due(NOW + 4 * HOUR)],
            await uow.sessions.planned_reminders(),
        )

    assert await store.transact(remind) == (
        True,
        False,  # claimed already: a reminder is sent once
        [closing.id],
        [(closing.id, NOW + 3 * HOUR)],
    )


async def test_a_moved_reminder_falls_due_at_its_new_time(store: Store) -> None:
    async def session(uow: UnitOfWork) -> int:
        meeting_id = await new_meeting(uow)
        added = await uow.sessions.add(meeting_id, "Opening", NOW + 2 * HOUR, NOW + HOUR, NOW)
        await uow.sessions.set_remind_at(added.id, NOW + NINETY_MINUTES)
        return added.id

    session_id = await store.transact(session)

    async def due(uow: UnitOfWork) -> tuple[object, ...]:
        return (
            await uow.sessions.reminders_due(NOW + HOUR),
            await uow.sessions.planned_reminders(),
        )

    assert await store.query(due) == ([], [(session_id, NOW + NINETY_MINUTES)])


async def test_a_digest_falls_due_at_its_next_run_and_only_meetings_with_one_are_planned(
    store: Store,
) -> None:
    async def two_meetings(uow: UnitOfWork) -> int:
        kasane = await new_meeting(uow, channel="C0KASANE")
        await new_meeting(uow, channel="C0DUBAI")  # no digest
        await uow.meetings.set_digest(kasane, time(9, 30), NOW + 2 * HOUR)
        return kasane

    kasane = await store.transact(two_meetings)

    async def due(uow: UnitOfWork) -> tuple[object, ...]:
        return (
            [m.id for m in await uow.meetings.digests_due(NOW + HOUR)],
            [m.id for m in await uow.meetings.digests_due(NOW + 2 * HOUR)],
            await uow.meetings.planned_digests(),
        )

    assert await store.query(due) == ([], [kasane], [(kasane, NOW + 2 * HOUR)])

    async def sent(uow: UnitOfWork) -> tuple[object, ...]:
        await uow.meetings.advance_digest(kasane, NOW + 26 * HOUR, since=NOW + 2 * HOUR)
        return (
            await uow.meetings.digests_due(NOW + 3 * HOUR),
            await uow.meetings.planned_digests(),
        )

    assert await store.transact(sent) == ([], [(kasane, NOW + 26 * HOUR)])


async def test_an_agenda_proposal_falls_due_at_its_deadline_and_is_adopted_once(
    store: Store,
) -> None:
    async def propose(uow: UnitOfWork) -> AgendaProposal:
        meeting_id = await new_meeting(uow)
        mali = await new_delegation(uow, meeting_id, "Mali")
        items = [await uow.items.create(meeting_id, mali, t, "U1", NOW) for t in ("a", "b")]
        return await uow.agendas.propose(
            meeting_id, "UCHAIR", NOW, NOW + HOUR, [i.id for i in items]
        )

    proposal = await store.transact(propose)
    assert (proposal.proposed_by, proposal.deadline, proposal.adopted_at) == (
        "UCHAIR",
        NOW + HOUR,
        None,
    )

    async def due(uow: UnitOfWork) -> tuple[object, ...]:
        return (
            await uow.agendas.due(NOW),
            [p.id for p in await uow.agendas.due(NOW + HOUR)],
            await uow.agendas.planned(),
            await uow.agendas.pending(proposal.meeting_id),
        )

    assert await store.query(due) == ([], [proposal.id], [(proposal.id, NOW + HOUR)], proposal)

    async def adopt(uow: UnitOfWork) -> tuple[object, ...]:
        adopted = await uow.agendas.mark_adopted(proposal.id, NOW + HOUR)
        again = await uow.agendas.mark_adopted(proposal.id, NOW + HOUR)
        stored = await uow.agendas.get(proposal.id)
        return (
            adopted,
            again,
            stored.adopted_at if stored else None,
            stored.items if stored else None,
            await uow.agendas.due(NOW + 2 * HOUR),
            await uow.agendas.planned(),
            await uow.agendas.pending(proposal.meeting_id),
        )

    assert await store.transact(adopt) == (
        True,
        False,
        NOW + HOUR,
        proposal.items,
        [],
        [],
        None,
    )
