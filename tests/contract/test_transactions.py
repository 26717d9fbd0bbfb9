"""A unit of work is all or nothing, and concurrent units neither lose nor mix their changes."""

from __future__ import annotations

import asyncio

import pytest

from bot.domain.errors import Duplicate
from bot.domain.model import Item, NoticeKind
from bot.domain.rules import PositionKind
from bot.ports.store import Store, UnitOfWork
from tests.contract.given import NOW, Rollback, new_delegation, new_meeting


async def test_a_unit_that_raises_leaves_none_of_its_changes(store: Store) -> None:
    async def a_whole_meeting_then_fail(uow: UnitOfWork) -> None:
        meeting_id = await new_meeting(uow)
        botswana = await new_delegation(uow, meeting_id, "Botswana")
        await uow.meetings.add_member(meeting_id, botswana, "UCHAIR", NOW)
        item = await uow.items.create(meeting_id, botswana, "Exclude Russia", "UCHAIR", NOW)
        await uow.items.add_position(item.id, botswana, PositionKind.SUPPORT, "", "UCHAIR", NOW)
        await uow.notices.add(meeting_id, item.id, NoticeKind.ITEM_CARD, NOW)
        raise Rollback

    with pytest.raises(Rollback):
        await store.transact(a_whole_meeting_then_fail)

    async def start_afresh(uow: UnitOfWork) -> tuple[bool, int]:
        absent = await uow.meetings.find("T0KP", "C0KASANE") is None
        return absent, await new_meeting(uow)

    absent, meeting_id = await store.transact(start_afresh)  # the store is free again
    assert absent

    async def everything(uow: UnitOfWork) -> tuple[object, ...]:
        return (
            await uow.meetings.delegations(meeting_id),
            await uow.meetings.delegation_of(meeting_id, "UCHAIR"),
            await uow.items.all(meeting_id),
            await uow.notices.pending(NOW, 10),
        )

    assert await store.query(everything) == ([], None, [], [])


async def test_a_refused_statement_undoes_the_statements_of_its_unit_before_it(
    store: Store,
) -> None:
    meeting_id = await store.transact(new_meeting)

    async def register_mali_then_start_the_meeting_again(uow: UnitOfWork) -> None:
        await new_delegation(uow, meeting_id, "Mali")
        await new_meeting(uow)  # the same channel again: a channel holds one meeting

    with pytest.raises(Duplicate, match="a channel holds one meeting"):
        await store.transact(register_mali_then_start_the_meeting_again)

    async def delegations(uow: UnitOfWork) -> list[str]:
        return [d.name for d in await uow.meetings.delegations(meeting_id)]

    assert await store.query(delegations) == []


async def test_concurrent_units_lose_nothing_and_mix_nothing(store: Store) -> None:
    async def set_up(uow: UnitOfWork) -> tuple[int, int, list[int]]:
        meeting_id = await new_meeting(uow)
        chair = await new_delegation(uow, meeting_id, "Botswana")
        shared = await uow.items.create(meeting_id, chair, "Exclude Russia", "UCHAIR", NOW)
        delegations = [await new_delegation(uow, meeting_id, f"D{i:03d}") for i in range(120)]
        return meeting_id, shared.id, delegations

    meeting_id, shared_id, delegations = await store.transact(set_up)

    async def object_and_table(index: int, delegation_id: int, *, fail: bool) -> int:
        async def unit(uow: UnitOfWork) -> int:
            await uow.items.add_position(
                shared_id,
                delegation_id,
                PositionKind.OBJECTION,
                f"reason of D{index:03d}",
                f"U{index:03d}",
                NOW,
            )
            own = await uow.items.create(
                meeting_id, delegation_id, f"motion of D{index:03d}", f"U{index:03d}", NOW
            )
            await uow.notices.add(meeting_id, own.id, NoticeKind.ITEM_CARD, NOW)
            if fail:
                raise Rollback(index)
            return own.number

        return await store.transact(unit)

    failing = set(range(0, 120, 6))
    results = await asyncio.gather(
        *(object_and_table(i, d, fail=i in failing) for i, d in enumerate(delegations)),
        return_exceptions=True,
    )

    assert [i for i, r in enumerate(results) if isinstance(r, Rollback)] == sorted(failing)
    numbers = sorted(r for r in results if isinstance(r, int))
    assert numbers == list(range(2, 2 + 120 - len(failing)))  # no gaps left by rollbacks

    async def outcome(uow: UnitOfWork) -> tuple[list[Item], Item | None, int]:
        return (
            await uow.items.all(meeting_id),
            await uow.items.get(shared_id),
            await uow.notices.count_pending(),
        )

    items, objected, pending = await store.query(outcome)
    assert objected is not None
    stated = {p.delegation: p.statement for p in objected.positions}
    expected = {f"D{i:03d}" for i in range(120) if i not in failing}
    assert set(stated) == expected
    assert all(statement == f"reason of {name}" for name, statement in stated.items())
    assert {i.sponsor for i in items[1:]} == expected
    assert all(i.text == f"motion of {i.sponsor}" for i in items[1:])
    assert all(i.tabled_by == "U" + i.sponsor[1:] for i in items[1:])
    assert pending == len(expected)
