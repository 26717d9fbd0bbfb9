"""Three `serve` processes on one PostgreSQL, five SIGKILLs: in each round a stream of 200
objections to a new item flows over the live replicas (as a balancer spreads it, a few in
flight at a time), and halfway through it the replica that last delivered the meeting's
notices is killed, with requests of the stream in flight on it, then started again. In the
end every acknowledged objection is stored, none twice, each notice posted once (by its
notice id), and each item's announcement counts its objections. Needs
PLENARY_TEST_POSTGRES_URL; run with `make soak`."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import signal
from collections import Counter
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.demo.fake_slack.server import FakeSlack
from bot.demo.rig import BOT_TOKEN, SIGNING_SECRET
from bot.demo.signing import SlackRequestFactory
from storage.postgres.database import Database, Statements
from tests.e2e.test_process import command
from tests.postgres.test_replicas import (
    CHANNEL,
    LEASE_ENV,
    OBJECTORS,
    REPLICAS,
    set_up,
    settled,
)
from tests.support.bot_process import BotProcess, last_deliverer
from tests.support.due_at_once import posts_by_notice
from tests.support.postgres import scratch_schema

ROUNDS = 5
IN_FLIGHT = 8


@pytest.fixture
async def conninfo() -> AsyncIterator[str]:
    async with scratch_schema() as url:
        yield url


async def _objections(statements: Statements) -> Counter[tuple[int, str]]:
    """How many objection rows each (item number, objector) has."""
    fetched = await statements.fetchall(
        "SELECT items.number, members.user_id, count(*) FROM positions"
        " JOIN items ON items.id = positions.item_id JOIN members"
        " ON members.delegation_id = positions.delegation_id"
        " WHERE positions.kind = 'objection' GROUP BY items.number, members.user_id"
    )
    return Counter({(int(row[0]), row[1]): int(row[2]) for row in fetched})


async def stream_with_a_kill(
    session: aiohttp.ClientSession,
    signer: SlackRequestFactory,
    conninfo: str,
    bots: list[BotProcess],
    users: list[str],
    number: int,
    acknowledged: set[tuple[int, str]],
) -> BotProcess:
    """Every user objects to item ``number``, a few at a time over the live replicas; the
    last deliverer is killed as the stream is half sent. Returns the replica killed."""
    turn = itertools.count()
    victims: list[BotProcess] = []

    async def object_as(user: str) -> None:
        live = [b for b in bots if b.process and b.process.returncode is None]
        bot = live[next(turn) % len(live)]
        try:
            status, body = await command(session, bot, signer, f"{number} no", user, "/object")
        except aiohttp.ClientError:
            return  # its replica died before answering: not acknowledged
        if status == 200 and "Recorded" in body:
            acknowledged.add((number, user))

    stream = iter(enumerate(users))

    async def keep_objecting() -> None:
        for i, user in stream:
            if i == OBJECTORS // 2:
                victims.append(last_deliverer(conninfo, bots))
                victims[0].send_signal(signal.SIGKILL)
            await object_as(user)

    await asyncio.gather(*(keep_objecting() for _ in range(IN_FLIGHT)))
    return victims[0]


async def test_five_sigkills_of_the_delivering_replica_mid_stream_lose_and_repeat_nothing(
    conninfo: str,
) -> None:
    signer = SlackRequestFactory(SIGNING_SECRET)
    db = await Database.open(conninfo, min_size=1, max_size=2)
    acknowledged: set[tuple[int, str]] = set()
    killed: list[BotProcess] = []
    async with (
        FakeSlack(bot_token=BOT_TOKEN) as slack,
        aiohttp.ClientSession() as session,
        contextlib.AsyncExitStack() as stack,
    ):
        try:
            bots = [BotProcess(conninfo, slack.api_url, LEASE_ENV) for _ in range(REPLICAS)]
            for bot in bots:
                await stack.enter_async_context(bot)
            users = await set_up(session, bots, signer)  # item #1
            for number in range(2, ROUNDS + 2):  # items #2 to #6, a round each
                _, body = await command(
                    session, bots[0], signer, f"Item {number}", users[0], "/table-motion"
                )
                assert f"Tabled as *#{number}*" in body
                await settled(db, bots)
                victim = await stream_with_a_kill(
                    session, signer, conninfo, bots, users, number, acknowledged
                )
                killed.append(victim)
                assert await victim.wait() == -signal.SIGKILL
                again = BotProcess(conninfo, slack.api_url, LEASE_ENV)
                await stack.enter_async_context(again)  # started again, on a new port
                bots[bots.index(victim)] = again
            await settled(db, bots)
            objections = await db.query(_objections)
        finally:
            await db.close()
    assert len(killed) == ROUNDS
    assert acknowledged <= set(objections)  # no acknowledged objection lost
    assert set(objections.values()) == {1}  # none stored twice
    assert len(acknowledged) >= ROUNDS * OBJECTORS * 3 // 4  # most were answered
    assert set(posts_by_notice(slack.calls).values()) == {1}  # each notice posted once
    per_item = Counter(number for number, _ in objections)
    shown = {
        m.blocks[0]["text"]["text"]
        for m in slack.channel_messages(CHANNEL)
        if m.metadata and m.metadata["event_payload"]["kind"] == "blocked"
    }
    assert shown == {
        f":no_entry: *#{number} is blocked.* {n} participant delegations object."
        for number, n in per_item.items()
    }
