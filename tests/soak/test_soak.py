"""Heavier fault runs than `make test` affords: repeated SIGKILLs in bursts, a long Slack
outage under load. Run with `make soak`."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

import aiohttp

from bot.demo.fake_slack.server import FakeSlack
from bot.demo.rig import BOT_TOKEN, SIGNING_SECRET
from bot.demo.signing import SlackRequestFactory, post
from tests.support.bot_process import BotProcess, until

CHAIR = "U0CHAIR"
CHANNEL = "C0MEETING"


async def send(
    session: aiohttp.ClientSession,
    bot: BotProcess,
    signer: SlackRequestFactory,
    name: str,
    text: str,
    user: str,
) -> tuple[int, str]:
    return await post(
        session, bot.url + "/slack/events", signer.slash_command(name, text, user_id=user)
    )


async def test_five_sigkills_in_bursts_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    database = tmp_path / "soak.sqlite3"
    signer = SlackRequestFactory(SIGNING_SECRET)
    users = [f"U0S{i:03d}" for i in range(200)]
    acknowledged: set[tuple[int, str]] = set()
    async with FakeSlack(bot_token=BOT_TOKEN) as slack, aiohttp.ClientSession() as session:
        async with BotProcess(database, slack.api_url) as bot:
            await send(session, bot, signer, "/meeting", "start Soak", CHAIR)
            for i, user in enumerate(users):
                await send(
                    session,
                    bot,
                    signer,
                    "/meeting",
                    f"delegation add C{i} participant <@{user}>",
                    CHAIR,
                )
            bot.send_signal(signal.SIGTERM)
            assert await bot.wait() == 0
        for cycle in range(1, 6):
            async with BotProcess(database, slack.api_url) as bot:
                status, body = await send(
                    session, bot, signer, "/table-motion", f"Item {cycle}", users[0]
                )
                assert status == 200, body
                done = 0

                async def object_as(user: str, cycle: int = cycle) -> None:
                    nonlocal done
                    try:
                        status, body = await send(
                            session, bot, signer, "/object", f"{cycle} no", user
                        )
                    except aiohttp.ClientError:
                        return
                    if status == 200 and "Recorded" in body:
                        acknowledged.add((cycle, user))
                        done += 1
                        if done == 100:
                            bot.send_signal(signal.SIGKILL)

                await asyncio.gather(*(object_as(u) for u in users))
                await bot.wait()
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {
            (number, user)
            for number, user in conn.execute(
                "SELECT items.number, members.user_id FROM positions"
                " JOIN items ON items.id = positions.item_id"
                " JOIN members ON members.delegation_id = positions.delegation_id"
                " WHERE positions.ended_at IS NULL"
            )
        }
        per_pair = conn.execute(
            "SELECT max(n) FROM (SELECT count(*) AS n FROM positions WHERE ended_at IS NULL"
            " GROUP BY item_id, delegation_id)"
        ).fetchone()[0]
    assert acknowledged <= stored
    assert per_pair == 1


async def test_a_long_outage_under_load_delivers_every_announcement_once(tmp_path: Path) -> None:
    database = tmp_path / "outage.sqlite3"
    signer = SlackRequestFactory(SIGNING_SECRET)
    async with (
        FakeSlack(bot_token=BOT_TOKEN) as slack,
        aiohttp.ClientSession() as session,
        BotProcess(database, slack.api_url) as bot,
    ):
        await send(session, bot, signer, "/meeting", "start Outage", CHAIR)
        await send(
            session,
            bot,
            signer,
            "/meeting",
            f"delegation add Host participant <@{CHAIR}>",
            CHAIR,
        )
        slack.down = True
        for i in range(30):
            status, _ = await send(session, bot, signer, "/table-motion", f"Motion {i}", CHAIR)
            assert status == 200
        slack.down = False
        # The outbox retries with backoff (1 s, 2 s, 4 s …): until every card is posted
        # (each delivery is logged once recorded).

        async def every_card_posted() -> bool:
            cards = [m for m in slack.channel_messages(CHANNEL) if " tabled by " in m.text]
            return len(cards) >= 30

        await until([bot], every_card_posted)
        texts = [m.text for m in slack.channel_messages(CHANNEL) if " tabled by " in m.text]
        assert len(texts) == 30
        assert len(set(texts)) == 30
        bot.send_signal(signal.SIGTERM)
        assert await bot.wait() == 0
