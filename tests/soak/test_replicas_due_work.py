"""Three real `serve` processes on one PostgreSQL start together while many deadlines and
reminders are due: each is decided or sent once, and each notice posted once (counted by the
notice id in its metadata). Needs PLENARY_TEST_POSTGRES_URL; run with `make soak`."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from bot.demo.fake_slack.server import FakeSlack
from bot.demo.rig import BOT_TOKEN, SIGNING_SECRET
from bot.demo.signing import SlackRequestFactory, post
from storage.postgres.database import Database, Statements
from tests.e2e.test_process import CHAIR
from tests.postgres.test_replicas import LEASE_ENV, REPLICAS, posts_by_notice, settled
from tests.support.bot_process import BotProcess
from tests.support.postgres import scratch_schema


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


MEETINGS = 10
DEADLINES_PER_MEETING = 15


async def test_deadlines_and_reminders_due_when_three_replicas_start_together_are_each_handled_once(
    conninfo: str,
) -> None:
    signer = SlackRequestFactory(SIGNING_SECRET)
    channels = [f"C0DUE{m:02d}" for m in range(MEETINGS)]
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d")
    db = await Database.open(conninfo, min_size=1, max_size=2)
    async with FakeSlack(bot_token=BOT_TOKEN) as slack, aiohttp.ClientSession() as session:
        try:
            async with BotProcess(conninfo, slack.api_url, LEASE_ENV) as first:
                for channel in channels:
                    for name, text in [
                        ("/meeting", "start Due work"),
                        ("/meeting", f"delegation add Mali participant <@{CHAIR}>"),
                    ] + [
                        ("/table-motion", f"Motion {n} deadline: in 1h")
                        for n in range(DEADLINES_PER_MEETING)
                    ]:
                        request = signer.slash_command(
                            name, text, user_id=CHAIR, channel_id=channel
                        )
                        assert (await post(session, first.url + "/slack/events", request))[0] == 200
                    request = signer.slash_command(
                        "/meeting",
                        f"session add {tomorrow} 09:00 Plenary",
                        user_id=CHAIR,
                        channel_id=channel,
                    )
                    assert (await post(session, first.url + "/slack/events", request))[0] == 200
                await settled(db, [first])
            # While no replica runs, every deadline and reminder falls due.
            await db.transact(_everything_due)
            bots = [BotProcess(conninfo, slack.api_url, LEASE_ENV) for _ in range(REPLICAS)]
            async with contextlib.AsyncExitStack() as stack:
                # All three start at once, and each catches up on what fell due.
                await asyncio.gather(*(stack.enter_async_context(bot) for bot in bots))
                for bot in bots:  # each caught up on what fell due (its first sweep)
                    await until_logged(bot, "timekeeping started")
                await settled(db, bots)
                decided, kinds = await db.query(_decided_and_notices)
        finally:
            await db.close()
    assert decided == MEETINGS * DEADLINES_PER_MEETING  # each item decided, once
    assert kinds["outcome"] == MEETINGS * DEADLINES_PER_MEETING
    assert kinds["reminder"] == MEETINGS
    posted = posts_by_notice(slack.calls)
    assert set(posted.values()) == {1}  # each notice posted once, by whichever replica
    assert Counter(kind for (_, kind) in posted)["outcome"] == kinds["outcome"]
    assert Counter(kind for (_, kind) in posted)["reminder"] == kinds["reminder"]


async def _everything_due(statements: Statements) -> None:
    await statements.execute(
        "UPDATE items SET deadline = now() - interval '1 minute' WHERE deadline IS NOT NULL"
    )
    await statements.execute("UPDATE sessions SET remind_at = now() - interval '1 minute'")


async def _decided_and_notices(statements: Statements) -> tuple[int, Counter[str]]:
    row = await statements.fetchone("SELECT count(*), count(DISTINCT item_id) FROM decisions")
    assert row is not None
    assert row[0] == row[1]  # no item decided twice
    fetched = await statements.fetchall("SELECT kind, count(*) FROM notices GROUP BY kind")
    return int(row[0]), Counter({r[0]: int(r[1]) for r in fetched})
