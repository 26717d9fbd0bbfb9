"""Two announcers of two replicas on one PostgreSQL: a meeting's notices go out from one at a
time, and the channel's pacing is handed over with the meeting's lease."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery.announcer import Announcer
from bot.delivery.leasing import Leasing
from bot.delivery.workspace_clients import OneWorkspace
from bot.demo.fake_slack.server import FakeSlack
from bot.demo.rig import BOT_TOKEN
from bot.domain.model import NoticeKind
from bot.ports.clock import ManualClock
from bot.ports.store import LeaseLost, UnitOfWork
from storage.postgres.database import Database
from storage.postgres.leases import PostgresDeliveryLeases
from storage.postgres.store import PostgresStore
from tests.contract.given import NOW, new_meeting
from tests.support.postgres import scratch_schema


@pytest.fixture
async def databases() -> AsyncIterator[tuple[Database, Database]]:
    async with scratch_schema() as conninfo:
        first = await Database.open(conninfo, min_size=1, max_size=4)
        second = await Database.open(conninfo, min_size=1, max_size=4)
        try:
            yield first, second
        finally:
            await first.close()
            await second.close()


async def test_a_replica_taking_a_meetings_lease_keeps_the_pacing_of_the_one_that_spoke_last(
    databases: tuple[Database, Database],
) -> None:
    clock = ManualClock(NOW)
    ticks = [100.0]  # one monotonic clock for both processes' view of time passing
    waits: dict[str, list[float]] = {"a": [], "b": []}

    def replica(db: Database, name: str, client: AsyncWebClient) -> Announcer:
        async def sleep(seconds: float) -> None:
            waits[name].append(seconds)

        return Announcer(
            PostgresStore(db),
            OneWorkspace(client),
            clock,
            pace_seconds=1.0,
            monotonic=lambda: ticks[0],
            sleep=sleep,
            leases=PostgresDeliveryLeases(db),
        )

    async def started(uow: UnitOfWork) -> int:
        meeting_id = await new_meeting(uow)
        return await uow.notices.add(meeting_id, None, NoticeKind.MEETING_STARTED, NOW)

    async with FakeSlack(bot_token=BOT_TOKEN) as slack:
        client = AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url)
        a, b = replica(databases[0], "a", client), replica(databases[1], "b", client)
        notice_id = await PostgresStore(databases[0]).transact(started)
        assert await a.deliver_due() == 1  # posted by a, which then gives the lease up

        clock.advance(timedelta(milliseconds=300))
        ticks[0] += 0.3
        await PostgresStore(databases[1]).transact(lambda uow: uow.notices.touch(notice_id))
        assert await b.deliver_due() == 1  # edited by b, a second after a's post

    assert waits["a"] == []
    assert waits["b"] == [pytest.approx(0.7)]
    chat = [c.method for c in slack.calls if c.method.startswith("chat.")]
    assert chat == ["chat.postMessage", "chat.update"]


async def test_a_rate_limited_replica_gives_the_meeting_up_at_once_and_another_posts_after_the_wait(
    databases: tuple[Database, Database],
) -> None:
    clock = ManualClock(NOW)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    def replica(db: Database, client: AsyncWebClient) -> Announcer:
        return Announcer(
            PostgresStore(db),
            OneWorkspace(client),
            clock,
            sleep=sleep,
            leases=PostgresDeliveryLeases(db),
        )

    async def started(uow: UnitOfWork) -> tuple[int, int]:
        meeting_id = await new_meeting(uow)
        notice_id = await uow.notices.add(meeting_id, None, NoticeKind.MEETING_STARTED, NOW)
        return meeting_id, notice_id

    async with FakeSlack(bot_token=BOT_TOKEN) as slack:
        client = AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url)
        a, b = replica(databases[0], client), replica(databases[1], client)
        meeting_id, notice_id = await PostgresStore(databases[0]).transact(started)
        slack.fail_next("chat.postMessage", status=429, retry_after=30)
        assert await a.deliver_due() == 0
        # a slept nothing and holds nothing: the meeting's lease is free at once.
        assert slept == []
        leases = PostgresDeliveryLeases(databases[1])
        assert await leases.hold(meeting_id, "c", NOW, NOW + timedelta(seconds=1)) is not None
        await leases.release(meeting_id, "c", NOW, None)
        notice = await PostgresStore(databases[1]).query(lambda uow: uow.notices.get(notice_id))
        assert notice is not None
        assert (notice.attempts, notice.last_error) == (0, None)  # a wait, not a failure

        assert await b.deliver_due() == 0  # not before Slack's Retry-After
        clock.advance(timedelta(seconds=30))
        assert await b.deliver_due() == 1

    statuses = [c.status for c in slack.calls_to("chat.postMessage")]
    assert statuses == [429, 200]


async def test_a_replica_whose_lease_changed_hands_writes_nothing_about_the_meetings_notices(
    databases: tuple[Database, Database],
) -> None:
    clock = ManualClock(NOW)
    lease = timedelta(seconds=30)
    first, second = PostgresStore(databases[0]), PostgresStore(databases[1])
    a = Leasing(first, clock, PostgresDeliveryLeases(databases[0]), lease, owner="a")
    b = Leasing(second, clock, PostgresDeliveryLeases(databases[1]), lease, owner="b")

    async def started(uow: UnitOfWork) -> tuple[int, int]:
        meeting_id = await new_meeting(uow)
        notice_id = await uow.notices.add(meeting_id, None, NoticeKind.MEETING_STARTED, NOW)
        return meeting_id, notice_id

    meeting_id, notice_id = await first.transact(started)
    a.begin_pass()
    assert list(await a.take([meeting_id])) == [meeting_id]
    # a pauses past its lease (a long GC pause, a frozen VM); b takes the meeting over and
    # marks the notice's first post as uncertain before posting it.
    clock.advance(lease + timedelta(seconds=1))
    b.begin_pass()
    assert list(await b.take([meeting_id])) == [meeting_id]
    await b.write(meeting_id, lambda uow: uow.notices.mark_uncertain(notice_id, clock.now()))

    # a wakes with Slack's late refusal of its own post and would clear the mark: fenced.
    with pytest.raises(LeaseLost):
        await a.write(meeting_id, lambda uow: uow.notices.clear_uncertain(notice_id))
    assert not a.holds(meeting_id)
    assert a.refused
    notice = await second.query(lambda uow: uow.notices.get(notice_id))
    assert notice is not None
    assert notice.uncertain_since == clock.now()  # b's mark stands: nothing is posted twice


async def test_a_pass_paced_through_a_busy_channel_keeps_the_leases_of_meetings_it_has_yet_to_reach(
    databases: tuple[Database, Database],
) -> None:
    clock = ManualClock(NOW)
    ticks = [100.0]
    lease = timedelta(seconds=2)
    other = PostgresDeliveryLeases(databases[1])
    taken_by_other: list[bool] = []

    async def started(uow: UnitOfWork) -> tuple[int, int]:
        busy = await new_meeting(uow, channel="C0BUSY")
        for _ in range(6):  # six posts to one channel: five pacing waits of a second
            await uow.notices.add(busy, None, NoticeKind.MEETING_STARTED, NOW)
        quiet = await new_meeting(uow, channel="C0QUIET")
        await uow.notices.add(quiet, None, NoticeKind.MEETING_STARTED, NOW)
        return busy, quiet

    _, quiet = await PostgresStore(databases[0]).transact(started)

    async def sleep(seconds: float) -> None:
        # Time passes while the pass waits for the busy channel's turn; meanwhile another
        # replica asks for the quiet meeting, which this pass has yet to reach.
        clock.advance(timedelta(seconds=seconds))
        ticks[0] += seconds
        now = clock.now()
        taken_by_other.append(await other.hold(quiet, "other", now, now + lease) is not None)

    async with FakeSlack(bot_token=BOT_TOKEN) as slack:
        client = AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url)
        announcer = Announcer(
            PostgresStore(databases[0]),
            OneWorkspace(client),
            clock,
            pace_seconds=1.0,
            monotonic=lambda: ticks[0],
            sleep=sleep,
            leases=PostgresDeliveryLeases(databases[0]),
            lease=lease,
        )
        assert await announcer.deliver_due() == 7

    assert taken_by_other == [False] * 5  # never free for the other replica to take
    posted = [c.params["channel"] for c in slack.calls_to("chat.postMessage")]
    assert posted.count("C0QUIET") == 1
