"""Three real `serve` processes on one PostgreSQL, requests spread across them: a burst of 200
objections stores each once and announces the block once (then edits it), each notice is
posted once (counted by the notice id in its metadata), a replica killed with SIGKILL in the
middle of a burst leaves its notices to another, still once, and replicas starting at once on
an empty database migrate it once."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections import Counter
from collections.abc import AsyncIterator

import aiohttp
import psycopg
import pytest

from bot.demo.fake_slack.objects import Message
from bot.demo.fake_slack.server import ApiCall, FakeSlack
from bot.demo.rig import BOT_TOKEN, SIGNING_SECRET
from bot.demo.signing import SlackRequestFactory
from storage.postgres.database import Database, Statements
from storage.postgres.migrations import MIGRATIONS
from tests.e2e.test_process import CHAIR, command
from tests.support.bot_process import BotProcess, last_deliverer, until
from tests.support.due_at_once import posts_by_notice
from tests.support.postgres import scratch_schema

REPLICAS = 3
OBJECTORS = 200  # the burst's size, as issue 15 sets it
CHANNEL = "C0MEETING"  # where `command` sends
IN_FLIGHT = 8  # objections in flight at once while a replica is killed
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
        bots = [BotProcess(conninfo, slack.api_url, LEASE_ENV) for _ in range(REPLICAS)]
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


async def _objections(statements: Statements) -> Counter[str]:
    """How many objection rows each objector's delegation has, withdrawn or standing."""
    fetched = await statements.fetchall(
        "SELECT members.user_id, count(*) FROM positions JOIN members"
        " ON members.delegation_id = positions.delegation_id"
        " WHERE positions.kind = 'objection' GROUP BY members.user_id"
    )
    return Counter({row[0]: int(row[1]) for row in fetched})


def blocked_message(slack: FakeSlack) -> Message:
    """The channel's announcement that #1 is blocked, as it stands now."""
    (found,) = [
        m
        for m in slack.channel_messages(CHANNEL)
        if m.metadata and m.metadata["event_payload"]["kind"] == "blocked"
    ]
    return found


def objecting(message: Message) -> str:
    return str(message.blocks[0]["text"]["text"])


def announced(n: int) -> str:
    return f":no_entry: *#1 is blocked.* {n} participant delegations object."


async def set_up(
    session: aiohttp.ClientSession, bots: list[BotProcess], signer: SlackRequestFactory
) -> list[str]:
    """A meeting of OBJECTORS participant delegations (registered through every replica at
    once) and an item, #1, to object to."""
    users = [f"U0R{i:03d}" for i in range(OBJECTORS)]
    answer = await command(session, bots[0], signer, "start Replicas", CHAIR)
    assert "now meets in this channel" in answer[1]
    gate = asyncio.Semaphore(16)

    async def register(i: int, user: str) -> None:
        text = f"delegation add Country {i} participant <@{user}>"
        async with gate:
            status, body = await command(session, bots[i % len(bots)], signer, text, CHAIR)
        assert status == 200
        assert "Registered" in body, body

    await asyncio.gather(*(register(i, user) for i, user in enumerate(users)))
    _, body = await command(session, bots[1], signer, "Contested", users[0], "/table-motion")
    assert "Tabled as *#1*" in body
    return users


async def test_a_burst_of_200_objections_over_three_replicas_is_stored_once_and_announced_once(
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
                await settled(db, bots)
                burst = slack.calls[before:]
                objections = await db.query(_objections)
        finally:
            await db.close()
    assert all(status == 200 and "Recorded" in body for status, body in answers)
    assert objections == Counter(dict.fromkeys(users, 1))  # each stored once
    assert set(posts_by_notice(slack.calls).values()) == {1}  # every notice posted once
    assert [kind for (_, kind) in posts_by_notice(burst)] == ["blocked"]  # the one post
    chat = [c for c in burst if c.method in ("chat.postMessage", "chat.update")]
    assert len(chat) <= 5
    # It says all 200: as posted, if the burst was over by its turn, else by its edits.
    blocked = blocked_message(slack)
    (post,) = [c for c in chat if c.method == "chat.postMessage"]
    edits = [c for c in chat if c.method == "chat.update" and c.params["ts"] == blocked.ts]
    assert objecting(blocked) == announced(OBJECTORS)
    assert blocked.edits == len(edits)
    assert edits or post.params["blocks"][0]["text"]["text"] == announced(OBJECTORS)


async def test_a_replica_killed_mid_burst_loses_no_acknowledged_objection_and_notices_go_out_once(
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
                    deliverer = last_deliverer(conninfo, bots)
                    assert deliverer.process is not None
                    killed.append(deliverer.process.pid)
                    deliverer.send_signal(signal.SIGKILL)
                    died.set()

                slack.observe(kill_the_deliverer)
                acknowledged: list[str] = []
                sent_to: dict[str, BotProcess] = {}

                async def object_as(i: int, user: str) -> None:
                    sent_to[user] = bot = bots[i % REPLICAS]
                    try:
                        status, body = await command(session, bot, signer, "1 no", user, "/object")
                    except aiohttp.ClientError:
                        return  # its replica died before answering: not acknowledged
                    if status == 200 and "Recorded" in body:
                        acknowledged.append(user)

                # A stream of objections, a few in flight at a time, over every replica: the
                # first objection's "blocked" post kills its deliverer, at the latest when
                # half the stream is sent (the rest waits for it).
                stream = iter(enumerate(users))

                async def keep_objecting() -> None:
                    for i, user in stream:
                        if i >= OBJECTORS // 2:
                            await died.wait()
                        await object_as(i, user)

                await asyncio.gather(*(keep_objecting() for _ in range(IN_FLIGHT)))
                dead = by_pid[killed[0]]
                assert await dead.wait() == -signal.SIGKILL
                await settled(db, bots)  # the survivors deliver what it left pending
                objections = await db.query(_objections)
        finally:
            await db.close()
    assert set(acknowledged) <= set(objections)  # no acknowledged objection lost
    assert set(objections.values()) == {1}  # none stored twice
    survivors = [bot for bot in bots if bot is not dead]
    assert {u for u, bot in sent_to.items() if bot is not dead} <= set(acknowledged)
    assert set(posts_by_notice(slack.calls).values()) == {1}  # its post found, not repeated
    found = [
        entry
        for bot in survivors
        for entry in bot.log
        if entry.get("event") == "found an unconfirmed post in the channel"
    ]
    assert len(found) == 1  # a survivor took the lease over and found the post Slack kept
    # ...and edited it: it now counts every objection stored, the second half's too.
    blocked = blocked_message(slack)
    assert objecting(blocked) == announced(len(objections))
    assert blocked.edits >= 1


async def test_two_serve_processes_starting_at_once_on_an_empty_database_migrate_it_once(
    conninfo: str,
) -> None:
    async with FakeSlack(bot_token=BOT_TOKEN) as slack:
        bots = [BotProcess(conninfo, slack.api_url, LEASE_ENV) for _ in range(2)]
        async with contextlib.AsyncExitStack() as stack:
            await asyncio.gather(*(stack.enter_async_context(bot) for bot in bots))
            async with aiohttp.ClientSession() as session:
                for bot in bots:  # both serve, on the one schema
                    async with session.get(bot.url + "/healthz") as response:
                        assert response.status == 200
    migrated = [
        [e["schema_version"] for e in bot.log if e.get("event") == "migrated database"]
        for bot in bots
    ]
    assert sorted(migrated, key=len) == [[], list(range(1, len(MIGRATIONS) + 1))]
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
        cursor = await conn.execute("SELECT version FROM schema_migrations ORDER BY version")
        assert [row[0] for row in await cursor.fetchall()] == list(range(1, len(MIGRATIONS) + 1))
