"""Three real `serve` processes on one PostgreSQL, requests spread across them: each objection
is stored once, each notice is posted once (counted by the notice id in its metadata), and a
replica killed with SIGKILL while it delivers leaves its notices to another, still once."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections import Counter
from collections.abc import AsyncIterator

import aiohttp
import psycopg
import pytest

from bot.demo.fake_slack.server import ApiCall, FakeSlack
from bot.demo.rig import BOT_TOKEN, SIGNING_SECRET
from bot.demo.signing import SlackRequestFactory
from storage.postgres.database import Database, Statements
from tests.e2e.test_process import CHAIR, command
from tests.support.bot_process import BotProcess, until
from tests.support.postgres import scratch_schema

REPLICAS = 3
OBJECTORS = 30
# Short, so the notices of a replica that died are taken over within the test's patience.
LEASE_SECONDS = "2"
LEASE_ENV = {"PLENARY_DELIVERY_LEASE_SECONDS": LEASE_SECONDS}


@pytest.fixture
async def conninfo() -> AsyncIterator[str]:
    async with scratch_schema() as url:
        yield url


@contextlib.asynccontextmanager
async def replicas(conninfo: str, slack: FakeSlack) -> AsyncIterator[list[BotProcess]]:
    async with contextlib.AsyncExitStack() as stack:
        bots = [
            BotProcess(conninfo, slack.api_url, {"PLENARY_DELIVERY_LEASE_SECONDS": LEASE_SECONDS})
            for _ in range(REPLICAS)
        ]
        for bot in bots:  # one after another: the first migrates, the others find it done
            await stack.enter_async_context(bot)
        yield bots


async def _pending(statements: Statements) -> int:
    row = await statements.fetchone(
        "SELECT count(*) FROM notices WHERE delivered_revision < revision"
    )
    return int(row[0]) if row else 0


async def settled(db: Database, bots: list[BotProcess]) -> None:
    """Until no notice is pending (a delivery is logged after it is recorded)."""

    async def nothing_pending() -> bool:
        return await db.query(_pending) == 0

    await until(bots, nothing_pending)


async def _standing(statements: Statements) -> list[tuple[str, int]]:
    fetched = await statements.fetchall(
        "SELECT members.user_id, count(*) FROM positions JOIN members"
        " ON members.delegation_id = positions.delegation_id"
        " WHERE positions.ended_at IS NULL AND positions.kind = 'objection'"
        " GROUP BY members.user_id"
    )
    return [(row[0], int(row[1])) for row in fetched]


def posts_by_notice(calls: list[ApiCall]) -> Counter[tuple[int, str]]:
    """How many times Slack accepted a post of each notice (id, kind)."""
    posted: Counter[tuple[int, str]] = Counter()
    for call in calls:
        if call.method == "chat.postMessage" and call.response.get("ok"):
            payload = call.response["message"]["metadata"]["event_payload"]
            posted[(payload["notice_id"], payload["kind"])] += 1
    return posted


async def set_up(
    session: aiohttp.ClientSession, bots: list[BotProcess], signer: SlackRequestFactory
) -> list[str]:
    users = [f"U0R{i:03d}" for i in range(OBJECTORS)]
    first = bots[0]
    assert (await command(session, first, signer, "start Replicas", CHAIR))[0] == 200
    for i, user in enumerate(users):
        bot = bots[i % len(bots)]
        text = f"delegation add Country {i} participant <@{user}>"
        assert (await command(session, bot, signer, text, CHAIR))[0] == 200
    _, body = await command(session, bots[1], signer, "Contested", users[0], "/table-motion")
    assert "#1" in body
    return users


async def test_a_burst_over_three_replicas_stores_each_objection_once_and_posts_each_notice_once(
    conninfo: str,
) -> None:
    signer = SlackRequestFactory(SIGNING_SECRET)
    db = await Database.open(conninfo, min_size=1, max_size=2)
    async with FakeSlack(bot_token=BOT_TOKEN) as slack, aiohttp.ClientSession() as session:
        try:
            async with replicas(conninfo, slack) as bots:
                users = await set_up(session, bots, signer)
                await settled(db, bots)
                before = len(slack.calls)
                answers = await asyncio.gather(
                    *(
                        command(session, bots[i % REPLICAS], signer, "1 no", user, "/object")
                        for i, user in enumerate(users)
                    )
                )
                assert all(status == 200 and "Recorded" in body for status, body in answers)
                await settled(db, bots)
                burst = slack.calls[before:]
                standing = await db.query(_standing)
        finally:
            await db.close()
    assert sorted(standing) == sorted((user, 1) for user in users)  # each stored once
    posted = posts_by_notice(slack.calls)
    assert set(posted.values()) == {1}  # every notice posted once
    assert [kind for (_, kind) in posts_by_notice(burst)] == ["blocked"]  # once, then edited
    chat = [c for c in burst if c.method in ("chat.postMessage", "chat.update")]
    assert len(chat) <= 5


async def test_a_replica_killed_delivering_loses_no_acknowledged_objection_and_none_is_posted_twice(
    conninfo: str,
) -> None:
    signer = SlackRequestFactory(SIGNING_SECRET)
    db = await Database.open(conninfo, min_size=1, max_size=2)
    killed: list[int] = []
    died = asyncio.Event()
    async with FakeSlack(bot_token=BOT_TOKEN) as slack, aiohttp.ClientSession() as session:
        try:
            async with replicas(conninfo, slack) as bots:
                users = await set_up(session, bots, signer)
                await settled(db, bots)
                by_pid = {b.process.pid: b for b in bots if b.process is not None}

                def kill_the_deliverer(call: ApiCall) -> None:
                    # The moment Slack stores the "blocked" post: the replica holding the
                    # meeting's lease (it renewed it just before calling) dies unanswered.
                    if killed or call.method != "chat.postMessage" or not call.response.get("ok"):
                        return
                    with psycopg.connect(conninfo) as conn:
                        row = conn.execute(
                            "SELECT owner FROM delivery_leases ORDER BY expires_at DESC LIMIT 1"
                        ).fetchone()
                    assert row is not None
                    pid = int(str(row[0]).split(":")[1])
                    killed.append(pid)
                    by_pid[pid].send_signal(signal.SIGKILL)
                    died.set()

                slack.observe(kill_the_deliverer)
                acknowledged: list[str] = []

                async def object_as(i: int, user: str) -> None:
                    try:
                        status, body = await command(
                            session, bots[i % REPLICAS], signer, "1 no", user, "/object"
                        )
                    except aiohttp.ClientError:
                        return  # its replica died before answering: not acknowledged
                    if status == 200 and "Recorded" in body:
                        acknowledged.append(user)

                half = OBJECTORS // 2
                await asyncio.gather(*(object_as(i, u) for i, u in enumerate(users[:half])))
                await died.wait()  # killed as it posted "blocked"; the burst goes on
                await asyncio.gather(*(object_as(i, u) for i, u in enumerate(users) if i >= half))
                assert await by_pid[killed[0]].wait() == -signal.SIGKILL
                await settled(db, bots)  # the survivors deliver what it left pending
                standing = dict(await db.query(_standing))
                survivors = [b for b in bots if b.process and b.process.pid != killed[0]]
        finally:
            await db.close()
    assert set(acknowledged) <= set(standing)
    assert set(standing.values()) == {1}
    assert set(posts_by_notice(slack.calls).values()) == {1}  # its post found, not repeated
    found = [
        entry
        for bot in survivors
        for entry in bot.log
        if entry.get("event") == "found an unconfirmed post in the channel"
    ]
    assert len(found) == 1  # a survivor took the lease over and found the post Slack kept
