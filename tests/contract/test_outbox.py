"""The notice outbox: what is pending, at which revision, and what delivery receipts do."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.model import Notice, NoticeKind
from bot.ports.store import Store, UnitOfWork
from tests.contract.given import NOW, new_delegation, new_meeting


@pytest.fixture
async def notice_id(store: Store) -> int:
    async def started(uow: UnitOfWork) -> int:
        meeting_id = await new_meeting(uow)
        return await uow.notices.add(meeting_id, None, NoticeKind.MEETING_STARTED, NOW)

    return await store.transact(started)


async def pending_now(uow: UnitOfWork) -> list[Notice]:
    return await uow.notices.pending(NOW, 10)


async def test_a_new_notice_is_pending_at_its_first_revision(store: Store, notice_id: int) -> None:
    pending = await store.query(pending_now)
    assert [(n.id, n.revision, n.message_ts, n.channel_id) for n in pending] == [
        (notice_id, 1, None, "C0KASANE")
    ]


async def test_touching_a_pending_notice_twice_leaves_one_pending_revision(
    store: Store, notice_id: int
) -> None:
    async def touch_twice(uow: UnitOfWork) -> tuple[list[Notice], int]:
        await uow.notices.touch(notice_id)
        await uow.notices.touch(notice_id)
        return await uow.notices.pending(NOW, 10), await uow.notices.count_pending()

    pending, waiting = await store.transact(touch_twice)
    assert [(n.id, n.revision) for n in pending] == [(notice_id, 3)]
    assert waiting == 1


async def test_a_notice_delivered_at_its_latest_revision_is_no_longer_pending(
    store: Store, notice_id: int
) -> None:
    async def deliver(uow: UnitOfWork) -> tuple[list[Notice], Notice | None]:
        await uow.notices.touch(notice_id)
        (due,) = await uow.notices.pending(NOW, 10)
        await uow.notices.mark_delivered(due.id, due.revision, "1718695800.000100")
        return await uow.notices.pending(NOW, 10), await uow.notices.get(notice_id)

    pending, delivered = await store.transact(deliver)
    assert pending == []
    assert delivered is not None
    assert delivered.message_ts == "1718695800.000100"


async def test_a_notice_touched_during_delivery_stays_pending_to_be_edited(
    store: Store, notice_id: int
) -> None:
    (due,) = await store.query(pending_now)

    async def touch(uow: UnitOfWork) -> None:  # a change lands while the post is in flight
        await uow.notices.touch(notice_id)

    await store.transact(touch)

    async def delivered(uow: UnitOfWork) -> list[Notice]:
        await uow.notices.mark_delivered(due.id, due.revision, "1718695800.000100")
        return await uow.notices.pending(NOW, 10)

    pending = await store.transact(delivered)
    assert [(n.id, n.revision, n.message_ts) for n in pending] == [
        (notice_id, 2, "1718695800.000100")
    ]


async def test_a_late_delivery_receipt_never_undoes_a_newer_one(
    store: Store, notice_id: int
) -> None:
    async def receipts_out_of_order(uow: UnitOfWork) -> int:
        await uow.notices.touch(notice_id)
        await uow.notices.mark_delivered(notice_id, 2, "1.2")
        await uow.notices.mark_delivered(notice_id, 1, "1.2")
        return await uow.notices.count_pending()

    assert await store.transact(receipts_out_of_order) == 0


async def test_a_closed_notice_stays_closed_when_touched_again(
    store: Store, notice_id: int
) -> None:
    async def close_then_touch(uow: UnitOfWork) -> Notice | None:
        await uow.notices.touch(notice_id, close=True)
        await uow.notices.touch(notice_id)
        return await uow.notices.get(notice_id)

    notice = await store.transact(close_then_touch)
    assert notice is not None
    assert notice.closed


async def test_a_failed_notice_waits_for_its_retry_time_and_a_touch_retries_it_now(
    store: Store, notice_id: int
) -> None:
    retry_at = NOW + timedelta(seconds=8)

    async def fail_then_touch(uow: UnitOfWork) -> tuple[object, ...]:
        await uow.notices.mark_failed(notice_id, "ratelimited", retry_at, 1, failed_at=NOW)
        before_retry = await uow.notices.pending(NOW, 10)
        next_retry = await uow.notices.next_retry_at()
        (due,) = await uow.notices.pending(retry_at, 10)
        await uow.notices.touch(notice_id)
        (again,) = await uow.notices.pending(NOW, 10)
        return before_retry, next_retry, due.attempts, (again.revision, again.attempts)

    assert await store.transact(fail_then_touch) == ([], retry_at, 1, (2, 0))


async def test_a_postponed_notice_waits_without_counting_a_failure(
    store: Store, notice_id: int
) -> None:
    until = NOW + timedelta(seconds=30)

    async def postpone(uow: UnitOfWork) -> tuple[object, ...]:
        await uow.notices.postpone(notice_id, until)
        before = await uow.notices.pending(NOW, 10)
        next_retry = await uow.notices.next_retry_at()
        (due,) = await uow.notices.pending(until, 10)
        failures = await uow.notices.count_failed(NOW)
        return before, next_retry, (due.attempts, due.last_error), failures

    assert await store.transact(postpone) == ([], until, (0, None), 0)


async def test_a_notice_given_up_on_is_no_longer_pending(store: Store, notice_id: int) -> None:
    async def give_up(uow: UnitOfWork) -> tuple[int, object]:
        await uow.notices.mark_failed(notice_id, "channel_not_found", None, 1, failed_at=NOW)
        return await uow.notices.count_pending(), await uow.notices.next_retry_at()

    assert await store.transact(give_up) == (0, None)


async def test_failed_notices_are_listed_newest_first_with_their_error_until_delivered(
    store: Store, notice_id: int
) -> None:
    later = NOW + timedelta(minutes=1)

    async def two_failures(uow: UnitOfWork) -> int:
        first = await uow.notices.get(notice_id)
        assert first is not None
        other_id = await uow.notices.add(first.meeting_id, None, NoticeKind.RECORD, NOW)
        await uow.notices.mark_failed(
            notice_id, "ratelimited", later + timedelta(seconds=2), 1, failed_at=NOW
        )
        await uow.notices.mark_failed(other_id, "TypeError: no files", None, 1, failed_at=later)
        return other_id

    other_id = await store.transact(two_failures)

    async def listed(uow: UnitOfWork) -> tuple[list[Notice], list[Notice], int]:
        return (
            await uow.notices.failed(None, 10),
            await uow.notices.failed(later, 10),
            await uow.notices.count_failed(NOW),
        )

    failed, since_later, counted = await store.query(listed)
    assert [(n.id, n.last_error, n.attempts) for n in failed] == [
        (other_id, "TypeError: no files", 1),
        (notice_id, "ratelimited", 1),
    ]
    assert (failed[0].failed_at, failed[0].next_attempt_at) == (later, None)
    assert failed[1].next_attempt_at == later + timedelta(seconds=2)
    assert [n.id for n in since_later] == [other_id]
    assert counted == 2

    async def delivered(uow: UnitOfWork) -> tuple[list[int], int]:
        await uow.notices.mark_delivered(notice_id, 1, "1.2")
        return [n.id for n in await uow.notices.failed(None, 10)], await uow.notices.count_failed(
            NOW
        )

    assert await store.transact(delivered) == ([other_id], 1)


async def test_a_notice_with_nothing_left_to_announce_is_skipped_without_an_error(
    store: Store, notice_id: int
) -> None:
    async def skip(uow: UnitOfWork) -> tuple[int, list[Notice]]:
        await uow.notices.skip(notice_id, 1)
        return await uow.notices.count_pending(), await uow.notices.failed(None, 10)

    assert await store.transact(skip) == (0, [])


async def test_pending_notices_come_oldest_first_up_to_the_limit(store: Store) -> None:
    async def five(uow: UnitOfWork) -> tuple[list[int], list[Notice]]:
        meeting_id = await new_meeting(uow)
        ids = [
            await uow.notices.add(meeting_id, None, NoticeKind.MEETING_STARTED, NOW)
            for _ in range(5)
        ]
        return ids, await uow.notices.pending(NOW, 3)

    ids, pending = await store.transact(five)
    assert [n.id for n in pending] == ids[:3]


async def test_forgetting_a_deleted_message_makes_the_next_delivery_post_afresh(
    store: Store, notice_id: int
) -> None:
    async def forget(uow: UnitOfWork) -> Notice | None:
        await uow.notices.mark_delivered(notice_id, 1, "1.2")
        await uow.notices.forget_message(notice_id)
        return await uow.notices.get(notice_id)

    notice = await store.transact(forget)
    assert notice is not None
    assert notice.message_ts is None


async def test_an_event_id_counts_as_a_first_delivery_once(store: Store) -> None:
    async def twice(uow: UnitOfWork) -> list[bool]:
        return [
            await uow.notices.first_delivery("Ev0KASANE", NOW),
            await uow.notices.first_delivery("Ev0KASANE", NOW),
            await uow.notices.first_delivery("Ev0DUBAI", NOW),
        ]

    assert await store.transact(twice) == [True, False, True]


async def test_a_notice_carries_its_payload_back(store: Store) -> None:
    payload = {"since": None, "until": NOW.isoformat(), "late": False}

    async def digest(uow: UnitOfWork) -> Notice | None:
        meeting_id = await new_meeting(uow)
        notice_id = await uow.notices.add(meeting_id, None, NoticeKind.DIGEST, NOW, payload)
        return await uow.notices.get(notice_id)

    notice = await store.transact(digest)
    assert notice is not None
    assert (notice.kind, notice.payload) == (NoticeKind.DIGEST, payload)


async def test_an_item_shows_blocked_from_its_posted_block_notice_until_no_longer_blocked_goes_out(
    store: Store,
) -> None:
    async def blocked_twice(uow: UnitOfWork) -> tuple[int, int, int]:
        meeting_id = await new_meeting(uow)
        mali = await new_delegation(uow, meeting_id, "Mali")
        item = await uow.items.create(meeting_id, mali, "Exclude Russia", "UMALI", NOW)
        posted = await uow.notices.add(meeting_id, item.id, NoticeKind.BLOCKED, NOW)
        await uow.notices.mark_delivered(posted, 1, "1718695800.000100")
        stale = await uow.notices.add(meeting_id, item.id, NoticeKind.BLOCKED, NOW)
        return item.id, posted, stale

    item_id, posted, stale = await store.transact(blocked_twice)

    async def drop_the_stale_one(uow: UnitOfWork) -> tuple[bool, list[tuple[int, int]]]:
        await uow.notices.supersede(stale, 1)
        await uow.notices.touch_card(item_id, with_block_notice=True)
        pending = await uow.notices.pending(NOW, 10)
        return await uow.notices.shows_blocked(item_id), [(n.id, n.revision) for n in pending]

    shows, pending = await store.transact(drop_the_stale_one)
    assert shows is True
    assert pending == [(posted, 2)]  # the superseded one is neither pending nor touched again

    async def unblocked_went_out(uow: UnitOfWork) -> tuple[bool, Notice | None]:
        await uow.notices.end_shown_block(item_id)
        return await uow.notices.shows_blocked(item_id), await uow.notices.get(posted)

    shows, ended = await store.transact(unblocked_went_out)
    assert shows is False
    assert ended is not None
    assert ended.closed
    assert ended.revision == 2  # closing asks for no edit of its own


async def test_closing_an_items_block_notices_closes_each_open_one_and_asks_for_its_edit(
    store: Store,
) -> None:
    async def two_open(uow: UnitOfWork) -> list[tuple[int, bool, bool]]:
        meeting_id = await new_meeting(uow)
        mali = await new_delegation(uow, meeting_id, "Mali")
        item = await uow.items.create(meeting_id, mali, "Exclude Russia", "UMALI", NOW)
        first = await uow.notices.add(meeting_id, item.id, NoticeKind.BLOCKED, NOW)
        await uow.notices.mark_delivered(first, 1, "1718695800.000100")
        await uow.notices.add(meeting_id, item.id, NoticeKind.BLOCKED, NOW)
        await uow.notices.close_block_notices(item.id)
        pending = await uow.notices.pending(NOW, 10)
        return [(n.revision, n.message_ts is not None, n.closed) for n in pending]

    # The posted one is edited to say the item left the agenda; the other is dropped unposted.
    assert await store.transact(two_open) == [(2, True, True), (2, False, True)]


async def test_a_first_post_marked_uncertain_stays_so_until_its_answer_or_a_refusal_is_recorded(
    store: Store, notice_id: int
) -> None:
    async def mark_then_read(uow: UnitOfWork) -> Notice | None:
        await uow.notices.mark_uncertain(notice_id, NOW)
        await uow.notices.mark_uncertain(notice_id, NOW + timedelta(minutes=1))
        return await uow.notices.get(notice_id)

    async def clear_then_read(uow: UnitOfWork) -> Notice | None:
        await uow.notices.clear_uncertain(notice_id)
        return await uow.notices.get(notice_id)

    async def delivered_then_read(uow: UnitOfWork) -> Notice | None:
        await uow.notices.mark_uncertain(notice_id, NOW)
        await uow.notices.mark_delivered(notice_id, 1, "1718695800.000100")
        return await uow.notices.get(notice_id)

    marked = await store.transact(mark_then_read)
    assert marked is not None
    assert marked.uncertain_since == NOW  # the first mark holds
    cleared = await store.transact(clear_then_read)
    assert cleared is not None
    assert cleared.uncertain_since is None
    delivered = await store.transact(delivered_then_read)
    assert delivered is not None
    assert (delivered.uncertain_since, delivered.message_ts) == (None, "1718695800.000100")


async def test_the_pending_notices_of_workspaces_left_out_give_their_places_to_others(
    store: Store,
) -> None:
    async def two_workspaces(uow: UnitOfWork) -> tuple[list[int], int]:
        waiting = await new_meeting(uow, team="T0WAIT", channel="C0WAIT")
        other = await new_meeting(uow, team="T0OTHER", channel="C0OTHER")
        held = [await uow.notices.add(waiting, None, NoticeKind.RECORD, NOW) for _ in range(3)]
        return held, await uow.notices.add(other, None, NoticeKind.MEETING_STARTED, NOW)

    held, others = await store.transact(two_workspaces)

    async def pending(uow: UnitOfWork) -> tuple[list[int], list[int], list[int]]:
        return (
            [n.id for n in await uow.notices.pending(NOW, 3)],
            [n.id for n in await uow.notices.pending(NOW, 3, skip_teams=["T0WAIT"])],
            [n.id for n in await uow.notices.pending(NOW, 3, skip_teams=["T0WAIT", "T0OTHER"])],
        )

    assert await store.query(pending) == (held, [others], [])
