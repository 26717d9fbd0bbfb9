"""Meetings: one per channel, their chairs, and each setting read back as it was set."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from bot.domain.errors import Duplicate
from bot.domain.model import Meeting
from bot.domain.rules import CONSENSUS, Rule, RuleKind
from bot.ports.store import Store, UnitOfWork
from tests.contract.given import NOW, new_meeting


async def get(store: Store, meeting_id: int) -> Meeting:
    async def unit(uow: UnitOfWork) -> Meeting | None:
        return await uow.meetings.get(meeting_id)

    meeting = await store.query(unit)
    assert meeting is not None
    return meeting


async def test_a_channel_holds_one_meeting_and_a_second_is_a_duplicate(store: Store) -> None:
    meeting_id = await store.transact(new_meeting)
    with pytest.raises(Duplicate, match="a channel holds one meeting"):
        await store.transact(new_meeting)

    async def found(uow: UnitOfWork) -> Meeting | None:
        return await uow.meetings.find("T0KP", "C0KASANE")

    meeting = await store.query(found)
    assert meeting is not None
    assert (meeting.id, meeting.title, meeting.chairs) == (
        meeting_id,
        "KP Intersessional",
        ("UCHAIR",),
    )


async def test_a_new_meeting_starts_with_the_default_settings(store: Store) -> None:
    meeting = await get(store, await store.transact(new_meeting))
    assert meeting.timezone == "UTC"
    assert (meeting.rule, meeting.quorum, meeting.window, meeting.reminder_minutes) == (
        CONSENSUS,
        0,
        None,
        15,
    )
    assert (meeting.digest_time, meeting.next_digest_at, meeting.digest_since) == (None, None, None)


async def test_a_chair_is_added_once_and_listed_in_the_order_added(store: Store) -> None:
    meeting_id = await store.transact(new_meeting)

    async def add_chairs(uow: UnitOfWork) -> list[bool]:
        later = NOW + timedelta(minutes=1)
        return [
            await uow.meetings.add_chair(meeting_id, "UCOCHAIR", later),
            await uow.meetings.add_chair(meeting_id, "UCOCHAIR", later),
            await uow.meetings.add_chair(meeting_id, "UCHAIR", later),
        ]

    assert await store.transact(add_chairs) == [True, False, False]
    assert (await get(store, meeting_id)).chairs == ("UCHAIR", "UCOCHAIR")


async def test_the_rule_quorum_window_and_reminder_read_back_as_set(store: Store) -> None:
    meeting_id = await store.transact(new_meeting)
    rule = Rule(RuleKind.CONSENSUS_MINUS, minus=1)

    async def settle(uow: UnitOfWork) -> None:
        await uow.meetings.set_rule(meeting_id, rule)
        await uow.meetings.set_quorum(meeting_id, 5)
        await uow.meetings.set_window(meeting_id, timedelta(hours=48))
        await uow.meetings.set_reminder_minutes(meeting_id, 30)

    await store.transact(settle)
    meeting = await get(store, meeting_id)
    assert (meeting.rule, meeting.quorum, meeting.window, meeting.reminder_minutes) == (
        rule,
        5,
        timedelta(hours=48),
        30,
    )

    async def no_window(uow: UnitOfWork) -> None:
        await uow.meetings.set_window(meeting_id, None)

    await store.transact(no_window)
    assert (await get(store, meeting_id)).window is None


async def test_the_digest_time_and_next_run_are_set_together_and_turned_off_together(
    store: Store,
) -> None:
    meeting_id = await store.transact(new_meeting)
    next_run = NOW + timedelta(hours=10)

    async def daily_digest(uow: UnitOfWork) -> None:
        await uow.meetings.set_digest(meeting_id, time(17, 30), next_run)

    await store.transact(daily_digest)
    meeting = await get(store, meeting_id)
    assert (meeting.digest_time, meeting.next_digest_at) == (time(17, 30), next_run)

    async def off(uow: UnitOfWork) -> None:
        await uow.meetings.set_digest(meeting_id, None, None)

    await store.transact(off)
    meeting = await get(store, meeting_id)
    assert (meeting.digest_time, meeting.next_digest_at) == (None, None)


async def test_a_new_time_zone_moves_the_next_digest_with_it(store: Store) -> None:
    meeting_id = await store.transact(new_meeting)
    in_utc = NOW + timedelta(hours=10)
    in_gaborone = in_utc - timedelta(hours=2)

    async def move(uow: UnitOfWork) -> None:
        await uow.meetings.set_digest(meeting_id, time(17, 30), in_utc)
        await uow.meetings.set_timezone(meeting_id, "Africa/Gaborone", in_gaborone)

    await store.transact(move)
    meeting = await get(store, meeting_id)
    assert (meeting.timezone, meeting.digest_time, meeting.next_digest_at) == (
        "Africa/Gaborone",
        time(17, 30),
        in_gaborone,
    )


async def test_a_sent_digest_moves_its_window_start_and_a_skipped_one_keeps_it(
    store: Store,
) -> None:
    meeting_id = await store.transact(new_meeting)
    first, second, third = (NOW + timedelta(days=d) for d in (1, 2, 3))

    async def sent(uow: UnitOfWork) -> None:
        await uow.meetings.set_digest(meeting_id, time(7, 30), first)
        await uow.meetings.advance_digest(meeting_id, second, since=first)

    await store.transact(sent)
    meeting = await get(store, meeting_id)
    assert (meeting.next_digest_at, meeting.digest_since) == (second, first)

    async def skipped(uow: UnitOfWork) -> None:
        await uow.meetings.skip_digest(meeting_id, third)

    await store.transact(skipped)
    meeting = await get(store, meeting_id)
    assert (meeting.next_digest_at, meeting.digest_since) == (third, first)
    assert meeting.digest_time == time(7, 30)


async def test_a_meeting_is_locked_for_the_unit_and_a_missing_one_is_not(store: Store) -> None:
    meeting_id = await store.transact(new_meeting)

    async def lock(uow: UnitOfWork) -> tuple[bool, bool, bool]:
        return (
            await uow.meetings.lock(meeting_id),
            await uow.meetings.lock(meeting_id, wait=False),  # ours already: taken again
            await uow.meetings.lock(meeting_id + 1000, wait=False),
        )

    assert await store.transact(lock) == (True, True, False)
