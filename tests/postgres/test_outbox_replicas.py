"""Two announcers of two replicas on one PostgreSQL: a meeting's notices go out from one at a
time, and the channel's pacing is handed over with the meeting's lease."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery.announcer import Announcer
from bot.delivery.workspace_clients import OneWorkspace
from bot.demo.fake_slack.server import FakeSlack
from bot.demo.rig import BOT_TOKEN
from bot.domain.model import NoticeKind
from bot.ports.clock import ManualClock
from bot.ports.store import UnitOfWork
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
