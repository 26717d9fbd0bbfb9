"""A deadline set through one replica falls due on the others too: when the replica that planned
it has died, another finds it by reading the database periodically (PLENARY_SWEEP_SECONDS), and
decides it once."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.demo.fake_slack.server import FakeSlack
from bot.demo.rig import BOT_TOKEN, SIGNING_SECRET
from bot.demo.signing import SlackRequestFactory
from storage.postgres.database import Database, Statements
from tests.e2e.test_process import CHAIR, command
from tests.postgres.test_replicas import LEASE_ENV, settled
from tests.support.bot_process import BotProcess, until
from tests.support.due_at_once import posts_by_notice
from tests.support.postgres import scratch_schema

ENV = {**LEASE_ENV, "PLENARY_SWEEP_SECONDS": "1"}


@pytest.fixture
async def conninfo() -> AsyncIterator[str]:
    async with scratch_schema() as url:
        yield url


async def _due_now(statements: Statements) -> None:
    await statements.execute(
        "UPDATE items SET deadline = now() - interval '1 second' WHERE deadline IS NOT NULL"
    )


async def _decisions(statements: Statements) -> int:
    row = await statements.fetchone("SELECT count(*) FROM decisions")
    return int(row[0]) if row else 0


async def test_a_deadline_planned_by_a_replica_that_died_is_decided_once_by_another(
    conninfo: str,
) -> None:
    signer = SlackRequestFactory(SIGNING_SECRET)
    db = await Database.open(conninfo, min_size=1, max_size=2)

    async def decided_once() -> bool:
        return await db.query(_decisions) == 1

    async with FakeSlack(bot_token=BOT_TOKEN) as slack, aiohttp.ClientSession() as session:
        try:
            async with (
                BotProcess(conninfo, slack.api_url, ENV) as first,
                BotProcess(conninfo, slack.api_url, ENV) as second,
            ):
                for text, name in [
                    ("start Timekeeping", "/meeting"),
                    (f"delegation add Mali participant <@{CHAIR}>", "/meeting"),
                    ("Extend the mandate deadline: in 1h", "/table-motion"),
                ]:
                    status, body = await command(session, first, signer, text, CHAIR, name)
                    assert status == 200, body
                await settled(db, [first, second])
                # The replica whose timer would fire dies; then the deadline passes.
                assert first.process is not None
                first.process.send_signal(signal.SIGKILL)
                assert await first.wait() == -signal.SIGKILL
                await db.transact(_due_now)
                # Patience for a hang to fail, not a time limit: the sweep is every second.
                await asyncio.wait_for(until([second], decided_once), 120)
                await settled(db, [second])
                decided = await db.query(_decisions)
        finally:
            await db.close()
    assert decided == 1
    outcomes = [key for key in posts_by_notice(slack.calls) if key[1] == "outcome"]
    assert len(outcomes) == 1
