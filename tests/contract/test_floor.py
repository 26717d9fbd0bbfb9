"""The floor's storage: one debate per meeting, one pending request per delegation and kind,
one turn under way, and each turn's warning and end claimed once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.errors import Duplicate
from bot.domain.floor import RequestKind
from bot.ports.store import Store, UnitOfWork
from tests.contract.given import NOW, new_delegation, new_meeting

MINUTE = timedelta(minutes=1)


async def debate(uow: UnitOfWork) -> tuple[int, int, int, int]:
    """(meeting, floor, mali, belarus): an item under discussion."""
    meeting_id = await new_meeting(uow)
    mali = await new_delegation(uow, meeting_id, "Mali")
    belarus = await new_delegation(uow, meeting_id, "Belarus")
    item = await uow.items.create(meeting_id, mali, "Diamonds", "U1", NOW)
    floor_id = await uow.floor.open(meeting_id, item.id, "UCHAIR", NOW)
    return meeting_id, floor_id, mali, belarus


async def test_the_queue_is_read_back_in_order_without_removed_delegations(store: Store) -> None:
    async def unit(uow: UnitOfWork) -> list[tuple[str, RequestKind]]:
        meeting_id, floor_id, mali, belarus = await debate(uow)
        ukraine = await new_delegation(uow, meeting_id, "Ukraine")
        await uow.floor.add_request(floor_id, mali, RequestKind.REPLY, "U1", NOW)
        await uow.floor.add_request(floor_id, belarus, RequestKind.SPEAK, "U2", NOW)
        await uow.floor.add_request(floor_id, ukraine, RequestKind.ORDER, "U3", NOW)
        await uow.floor.add_request(floor_id, mali, RequestKind.SPEAK, "U1", NOW)
        await uow.meetings.remove_delegation(belarus, NOW)
        floor = await uow.floor.current(meeting_id)
        assert floor is not None
        return [(r.delegation, r.kind) for r in floor.queue]

    assert await store.transact(unit) == [
        ("Ukraine", RequestKind.ORDER),
        ("Mali", RequestKind.SPEAK),
        ("Mali", RequestKind.REPLY),
    ]


async def test_a_second_pending_request_of_one_kind_or_a_second_debate_is_a_duplicate(
    store: Store,
) -> None:
    meeting_id, floor_id, mali, _ = await store.transact(debate)

    async def again(uow: UnitOfWork) -> None:
        await uow.floor.add_request(floor_id, mali, RequestKind.SPEAK, "U1", NOW)
        await uow.floor.add_request(floor_id, mali, RequestKind.SPEAK, "U1", NOW)

    with pytest.raises(Duplicate):
        await store.transact(again)

    async def second_debate(uow: UnitOfWork) -> None:
        floor = await uow.floor.get(floor_id)
        assert floor is not None
        await uow.floor.open(meeting_id, floor.item_id, "UCHAIR", NOW)

    with pytest.raises(Duplicate):
        await store.transact(second_debate)


async def test_a_heard_request_leaves_the_queue_and_a_withdrawn_reply_does_not_count(
    store: Store,
) -> None:
    _, floor_id, mali, belarus = await store.transact(debate)

    async def unit(uow: UnitOfWork) -> tuple[int, int, int]:
        heard = await uow.floor.add_request(floor_id, mali, RequestKind.REPLY, "U1", NOW)
        await uow.floor.start_turn(
            floor_id,
            mali,
            RequestKind.REPLY,
            "UCHAIR",
            NOW,
            warn_at=None,
            ends_at=None,
            request_id=heard,
        )
        await uow.floor.add_request(floor_id, mali, RequestKind.REPLY, "U1", NOW)
        await uow.floor.withdraw(floor_id, mali, NOW)
        floor = await uow.floor.get(floor_id)
        assert floor is not None
        return (
            len(floor.queue),
            await uow.floor.replies_taken(floor.item_id, mali),
            (await uow.floor.replies_taken(floor.item_id, belarus)),
        )

    assert await store.transact(unit) == (0, 1, 0)


async def test_one_turn_is_under_way_at_a_time(store: Store) -> None:
    _, floor_id, mali, belarus = await store.transact(debate)

    async def two_turns(uow: UnitOfWork) -> None:
        for delegation in (mali, belarus):
            await uow.floor.start_turn(
                floor_id, delegation, RequestKind.SPEAK, "UC", NOW, warn_at=None, ends_at=None
            )

    with pytest.raises(Duplicate):
        await store.transact(two_turns)


async def test_a_turns_warning_and_end_fall_due_once_and_not_after_it_ended(
    store: Store,
) -> None:
    _, floor_id, mali, belarus = await store.transact(debate)

    async def timed_turn(uow: UnitOfWork) -> int:
        turn = await uow.floor.start_turn(
            floor_id,
            mali,
            RequestKind.SPEAK,
            "UC",
            NOW,
            warn_at=NOW + 2 * MINUTE,
            ends_at=NOW + 3 * MINUTE,
        )
        return turn.id

    turn_id = await store.transact(timed_turn)

    async def due(uow: UnitOfWork) -> tuple[object, ...]:
        return (
            await uow.floor.warnings_due(NOW + MINUTE),
            await uow.floor.warnings_due(NOW + 2 * MINUTE),
            await uow.floor.expiries_due(NOW + 3 * MINUTE),
            sorted(await uow.floor.planned()),
        )

    assert await store.query(due) == (
        [],
        [turn_id],
        [turn_id],
        [("time", turn_id, NOW + 3 * MINUTE), ("warning", turn_id, NOW + 2 * MINUTE)],
    )

    async def claim(uow: UnitOfWork) -> tuple[bool, ...]:
        later = NOW + 3 * MINUTE
        return (
            await uow.floor.mark_warned(turn_id, later),
            await uow.floor.mark_warned(turn_id, later),
            await uow.floor.mark_expired(turn_id, later),
            await uow.floor.mark_expired(turn_id, later),
        )

    assert await store.transact(claim) == (True, False, True, False)

    async def ended_early(uow: UnitOfWork) -> tuple[object, ...]:
        await uow.floor.end_turn(floor_id, NOW)
        turn = await uow.floor.start_turn(
            floor_id,
            belarus,
            RequestKind.SPEAK,
            "UC",
            NOW,
            warn_at=NOW + MINUTE,
            ends_at=NOW + 2 * MINUTE,
        )
        await uow.floor.end_turn(floor_id, NOW + MINUTE / 2)
        return (
            await uow.floor.warnings_due(NOW + 5 * MINUTE),
            await uow.floor.expiries_due(NOW + 5 * MINUTE),
            await uow.floor.mark_warned(turn.id, NOW + MINUTE),
            await uow.floor.planned(),
        )

    assert await store.transact(ended_early) == ([], [], False, [])


async def test_the_history_keeps_every_turn_with_its_item_and_whether_out_of_order(
    store: Store,
) -> None:
    meeting_id, floor_id, mali, belarus = await store.transact(debate)

    async def unit(uow: UnitOfWork) -> list[tuple[str, bool, timedelta]]:
        await uow.floor.start_turn(
            floor_id, mali, RequestKind.SPEAK, "UC", NOW, warn_at=None, ends_at=None
        )
        await uow.floor.end_turn(floor_id, NOW + MINUTE)
        await uow.floor.start_turn(
            floor_id,
            belarus,
            RequestKind.SPEAK,
            "UC",
            NOW + MINUTE,
            warn_at=None,
            ends_at=None,
            out_of_order=True,
        )
        await uow.floor.end(floor_id, NOW + 3 * MINUTE)
        return [
            (t.delegation, t.out_of_order, t.duration(NOW))
            for _, t in await uow.floor.history(meeting_id)
        ]

    assert await store.transact(unit) == [
        ("Mali", False, MINUTE),
        ("Belarus", True, 2 * MINUTE),
    ]


async def test_the_speaking_time_is_kept_per_meeting(store: Store) -> None:
    meeting_id, *_ = await store.transact(debate)

    async def unit(uow: UnitOfWork) -> tuple[object, object]:
        await uow.floor.set_speaking_time(meeting_id, timedelta(seconds=90))
        first = await uow.floor.speaking_time(meeting_id)
        await uow.floor.set_speaking_time(meeting_id, None)
        return first, await uow.floor.speaking_time(meeting_id)

    assert await store.transact(unit) == (timedelta(seconds=90), None)
