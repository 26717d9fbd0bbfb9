"""Three `serve` processes on one PostgreSQL while 450 deadlines, reminders and digests fall
due at one instant (150 meetings, each with one of each; tests/support/due_at_once.py), set up
through slash commands spread over the replicas and the channels. The processes keep the
system's time and a minute is the finest time the commands take, so the instant is the first
whole minute after the set-up: the test waits for it, as the replicas' own timers do. Each
item is decided once, each reminder and digest queued once, and each notice posted once
(counted by the notice id in its metadata). Needs PLENARY_TEST_POSTGRES_URL; run with
`make soak` (the wait for the minute alone is up to 70 s)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from bot.demo.fake_slack.server import FakeSlack
from bot.demo.rig import BOT_TOKEN
from storage.postgres.database import Database
from tests.postgres.test_replicas import LEASE_ENV, REPLICAS, settled
from tests.support.bot_process import BotProcess, until
from tests.support.due_at_once import (
    DUE,
    all_due_at,
    assert_each_handled_once,
    decisions_and_notices,
    due_instants,
    handled,
    in_every_channel,
    meetings_started,
    posts_by_channel,
    posts_by_notice,
)
from tests.support.postgres import scratch_schema

MEETINGS = 150  # 450 due things
# The least time from naming the instant to its coming: the rest of the set-up runs meanwhile.
LEAD = timedelta(seconds=10)


@pytest.fixture
async def conninfo() -> AsyncIterator[str]:
    async with scratch_schema() as url:
        yield url


def first_whole_minute_after(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0) + timedelta(minutes=1)


async def test_450_things_due_at_once_on_three_serve_processes_are_each_handled_and_posted_once(
    conninfo: str,
) -> None:
    channels = [f"C0AT{m:03d}" for m in range(MEETINGS)]
    bots: list[BotProcess] = []
    db = await Database.open(conninfo, min_size=1, max_size=2)
    async with FakeSlack(bot_token=BOT_TOKEN) as slack, aiohttp.ClientSession() as session:
        try:
            async with contextlib.AsyncExitStack() as stack:
                bots = [BotProcess(conninfo, slack.api_url, LEASE_ENV) for _ in range(REPLICAS)]
                for bot in bots:  # one after another: the first migrates
                    await stack.enter_async_context(bot)
                urls = [bot.url for bot in bots]
                started = time.monotonic()
                await in_every_channel(session, urls, channels, meetings_started())
                # Named now, far enough ahead for the rest of the set-up (as many requests as
                # the first half took) to be done before it comes.
                took = timedelta(seconds=time.monotonic() - started)
                due = first_whole_minute_after(datetime.now(UTC) + max(2 * took, LEAD))
                await in_every_channel(session, urls, channels, all_due_at(due))
                assert await db.query(due_instants) == {due}  # all set up before it came
                await settled(db, bots)
                before = len(slack.calls)

                async def all_handled() -> bool:
                    decided, reminded, digests, pending = await db.query(handled)
                    return min(decided, reminded, digests) >= MEETINGS and pending == 0

                await until(bots, all_handled)  # each replica's timers fire at `due`
                at_once = slack.calls[before:]
                decided, notices = await db.query(decisions_and_notices)
        finally:
            await db.close()

    assert_each_handled_once(
        decided, notices, [entry for bot in bots for entry in bot.log], slack.calls, MEETINGS
    )
    # At the instant each channel got its outcome, reminder and digest, one post each.
    assert posts_by_channel(at_once) == Counter({(c, kind): 1 for c in channels for kind in DUE})


async def test_a_deadline_tabled_through_a_replica_that_then_dies_is_decided_once_by_another(
    conninfo: str,
) -> None:
    db = await Database.open(conninfo, min_size=1, max_size=2)
    async with FakeSlack(bot_token=BOT_TOKEN) as slack, aiohttp.ClientSession() as session:
        try:
            async with contextlib.AsyncExitStack() as stack:
                bots = [BotProcess(conninfo, slack.api_url, LEASE_ENV) for _ in range(REPLICAS)]
                for bot in bots:
                    await stack.enter_async_context(bot)
                await in_every_channel(session, [bots[1].url], ["C0ONE"], meetings_started())
                due = first_whole_minute_after(datetime.now(UTC) + LEAD)
                (motion, *_) = all_due_at(due)
                await in_every_channel(session, [bots[0].url], ["C0ONE"], [motion])
                await settled(db, bots)
                bots[0].send_signal(signal.SIGKILL)
                assert await bots[0].wait() == -signal.SIGKILL

                async def decided() -> bool:
                    return (await db.query(handled))[0] == 1

                # Generous, for a hang to fail: the survivors heard of its timer (a hint), and
                # sweep from the database every PLENARY_SWEEP_SECONDS anyway.
                patience = (due - datetime.now(UTC)).total_seconds() + 60
                async with asyncio.timeout(patience):
                    await until(bots, decided)
                await settled(db, bots)
                decisions, notices = await db.query(decisions_and_notices)
        finally:
            await db.close()
    assert list(decisions.values()) == [1]
    closed = [bot for bot in bots for e in bot.log if e.get("event") == "deadline closed item"]
    assert len(closed) == 1
    assert closed[0] is not bots[0]  # by a survivor
    posted = posts_by_notice(slack.calls)
    assert [n for (n, kind) in posted if kind == "outcome"] == list(notices["outcome"])
    assert set(posted.values()) == {1}
