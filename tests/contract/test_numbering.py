"""Items and sessions are numbered from one in each meeting."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.model import Item
from bot.ports.store import Store, UnitOfWork
from tests.contract.given import NOW, new_delegation, new_meeting


async def test_item_numbers_count_from_one_in_each_meeting(store: Store) -> None:
    places = [("T0KP", "C0KASANE"), ("T0KP", "C0GABORONE"), ("T0OTHER", "C0KASANE")]

    async def two_items_in_each(uow: UnitOfWork) -> dict[tuple[str, str], list[int]]:
        numbers: dict[tuple[str, str], list[int]] = {}
        for team, channel in places:
            meeting_id = await new_meeting(uow, team, channel)
            sponsor = await new_delegation(uow, meeting_id, "Botswana")
            for text in ("first", "second"):
                item = await uow.items.create(meeting_id, sponsor, text, "U1", NOW)
                numbers.setdefault((team, channel), []).append(item.number)
        return numbers

    assert await store.transact(two_items_in_each) == {place: [1, 2] for place in places}

    async def second_of_the_other_team(uow: UnitOfWork) -> Item | None:
        meeting = await uow.meetings.find("T0OTHER", "C0KASANE")
        assert meeting is not None
        return await uow.items.by_number(meeting.id, 2)

    second = await store.query(second_of_the_other_team)
    assert second is not None
    assert second.text == "second"


async def test_session_numbers_count_from_one_in_each_meeting_and_are_not_reused(
    store: Store,
) -> None:
    starts = NOW + timedelta(days=1)
    remind = starts - timedelta(minutes=15)

    async def sessions(uow: UnitOfWork) -> tuple[list[int], list[int]]:
        kasane = await new_meeting(uow, channel="C0KASANE")
        dubai = await new_meeting(uow, channel="C0DUBAI")
        first = await uow.sessions.add(kasane, "Plenary", starts, remind, NOW)
        await uow.sessions.add(kasane, "Working group", starts, remind, NOW)
        await uow.sessions.remove(first.id, NOW)
        third = await uow.sessions.add(kasane, "Closing", starts, remind, NOW)
        elsewhere = await uow.sessions.add(dubai, "Plenary", starts, remind, NOW)
        listed = [s.number for s in await uow.sessions.all(kasane)]
        return [first.number, third.number, elsewhere.number], listed

    numbers, listed = await store.transact(sessions)
    assert numbers == [1, 3, 1]
    assert listed == [2, 3]  # a removed session leaves the list, and its number unused
