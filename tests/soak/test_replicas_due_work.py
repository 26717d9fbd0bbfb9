"""Three real `serve` processes on one PostgreSQL start together while 450 deadlines,
reminders and digests are due (150 meetings, each with one of each): each replica catches up
at start-up, and each due thing is handled once and each notice posted once (counted by the
notice id in its metadata). The meetings are set up through slash commands; the downtime
during which everything fell due is stood in for by writing the due times into their rows
while no replica runs, since the subject is the claiming by replicas catching up at once.
Needs PLENARY_TEST_POSTGRES_URL; run with `make soak`."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from bot.demo.fake_slack.server import FakeSlack
from bot.demo.rig import BOT_TOKEN
from storage.postgres.database import Database, Statements
from tests.postgres.test_replicas import LEASE_ENV, REPLICAS, settled
from tests.support.bot_process import BotProcess
from tests.support.due_at_once import (
    DUE,
    assert_each_handled_once,
    decisions_and_notices,
    in_every_channel,
    meetings_started,
    posts_by_channel,
)
from tests.support.postgres import scratch_schema

MEETINGS = 150  # 450 due things


@pytest.fixture
async def conninfo() -> AsyncIterator[str]:
    async with scratch_schema() as url:
        yield url


async def until_logged(bot: BotProcess, event: str) -> None:
    while not any(entry.get("event") == event for entry in bot.log):
        bot.logged.clear()
        if any(entry.get("event") == event for entry in bot.log):
            return
        await bot.logged.wait()


async def test_450_things_due_when_three_replicas_start_together_are_each_handled_once(
    conninfo: str,
) -> None:
    channels = [f"C0DUE{m:03d}" for m in range(MEETINGS)]
    now = datetime.now(UTC)
    # The digest's time of day a minute ago: once its row says it is due (below), today's
    # digest is due within the grace for a missed one, and is sent.
    digest_at = now - timedelta(minutes=1)
    tomorrow = now + timedelta(days=1)
    db = await Database.open(conninfo, min_size=1, max_size=2)
    async with FakeSlack(bot_token=BOT_TOKEN) as slack, aiohttp.ClientSession() as session:
        try:
            async with BotProcess(conninfo, slack.api_url, LEASE_ENV) as first:
                await in_every_channel(
                    session,
                    [first.url],
                    channels,
                    [
                        *meetings_started(),
                        ("/table-motion", "Motion deadline: in 1h", "Tabled as *#1*"),
                        (
                            "/meeting",
                            f"session add {tomorrow:%Y-%m-%d %H:%M} Plenary",
                            "Scheduled session 1",
                        ),
                        ("/meeting", f"set digest {digest_at:%H:%M}", "The daily digest goes out"),
                    ],
                )
                await settled(db, [first])
            # While no replica runs, every deadline, reminder and digest falls due.
            await db.transact(_everything_due)
            before = len(slack.calls)
            bots = [BotProcess(conninfo, slack.api_url, LEASE_ENV) for _ in range(REPLICAS)]
            async with contextlib.AsyncExitStack() as stack:
                # All three start at once, and each catches up on what fell due.
                await asyncio.gather(*(stack.enter_async_context(bot) for bot in bots))
                for bot in bots:  # each caught up on what fell due (its first sweep)
                    await until_logged(bot, "timekeeping started")
                await settled(db, bots)
                caught_up = slack.calls[before:]
                decided, notices = await db.query(decisions_and_notices)
        finally:
            await db.close()
    assert_each_handled_once(
        decided, notices, [entry for bot in bots for entry in bot.log], slack.calls, MEETINGS
    )
    assert posts_by_channel(caught_up) == Counter({(c, kind): 1 for c in channels for kind in DUE})


async def _everything_due(statements: Statements) -> None:
    await statements.execute("UPDATE items SET deadline = now() - interval '1 minute'")
    await statements.execute("UPDATE sessions SET remind_at = now() - interval '1 minute'")
    # Today's digest (its time of day a minute ago) instead of tomorrow's.
    await statements.execute(
        "UPDATE meetings SET next_digest_at = next_digest_at - interval '1 day'"
    )
