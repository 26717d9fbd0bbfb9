"""Positions on items: one current position per delegation, ended ones kept on record."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.errors import Duplicate
from bot.domain.model import Item, RecordedPosition
from bot.domain.rules import PositionKind
from bot.ports.store import Store, UnitOfWork
from tests.contract.given import NOW, new_delegation, new_meeting


async def test_a_delegation_holds_one_current_position_per_item_and_ended_ones_stay_on_record(
    store: Store,
) -> None:
    async def mali_objects(uow: UnitOfWork) -> tuple[int, int, int]:
        meeting_id = await new_meeting(uow)
        mali = await new_delegation(uow, meeting_id, "Mali")
        item = await uow.items.create(meeting_id, mali, "Exclude Russia", "UMALI", NOW)
        await uow.items.add_position(item.id, mali, PositionKind.OBJECTION, "No", "UMALI", NOW)
        return meeting_id, mali, item.id

    meeting_id, mali, item_id = await store.transact(mali_objects)

    async def support_as_well(uow: UnitOfWork) -> None:
        await uow.items.add_position(item_id, mali, PositionKind.SUPPORT, "", "UMALI2", NOW)

    with pytest.raises(Duplicate):
        await store.transact(support_as_well)

    later = NOW + timedelta(minutes=5)

    async def withdraw_and_object_again(uow: UnitOfWork) -> tuple[bool, bool, Item | None]:
        ended = await uow.items.end_position(item_id, mali, "UMALI", later)
        ended_again = await uow.items.end_position(item_id, mali, "UMALI", later)
        await uow.items.add_position(item_id, mali, PositionKind.OBJECTION, "Still no", "U2", later)
        return ended, ended_again, await uow.items.get(item_id)

    ended, ended_again, current = await store.transact(withdraw_and_object_again)
    assert ended
    assert not ended_again
    assert current is not None
    assert [(p.delegation, p.statement) for p in current.positions] == [("Mali", "Still no")]

    async def history(uow: UnitOfWork) -> list[RecordedPosition]:
        return await uow.items.position_history(meeting_id)

    recorded = await store.query(history)
    assert [(p.statement, p.end_reason) for p in recorded] == [  # the ended one stays on record
        ("No", "withdrawn"),
        ("Still no", None),
    ]
    assert recorded[0].ended_at == later


async def test_the_position_state_of_an_item_names_the_delegations_current_position_and_counts(
    store: Store,
) -> None:
    async def two_objections(uow: UnitOfWork) -> tuple[int, int, int]:
        meeting_id = await new_meeting(uow)
        mali = await new_delegation(uow, meeting_id, "Mali")
        niger = await new_delegation(uow, meeting_id, "Niger")
        await new_delegation(uow, meeting_id, "Chad")
        item = await uow.items.create(meeting_id, mali, "Exclude Russia", "UMALI", NOW)
        await uow.items.add_position(item.id, mali, PositionKind.OBJECTION, "No", "UMALI", NOW)
        await uow.items.add_position(item.id, niger, PositionKind.OBJECTION, "", "UNIGER", NOW)
        return meeting_id, mali, item.number

    meeting_id, mali, number = await store.transact(two_objections)

    async def state(uow: UnitOfWork) -> tuple[object, ...]:
        found = await uow.items.position_state(meeting_id, number, mali)
        missing = await uow.items.position_state(meeting_id, number + 1, mali)
        assert found is not None
        assert found.current is not None
        return (
            found.item.number,
            found.current.statement,
            found.standing,
            found.participants,
            missing,
        )

    assert await store.query(state) == (number, "No", 2, 3, None)
