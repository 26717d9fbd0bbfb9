"""The real process: killed mid-burst it loses no acknowledged objection; told to stop it
finishes what is in flight and closes the database cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sqlite3
from pathlib import Path

import aiohttp
import pytest

from bot.demo.fake_slack.server import ApiCall, FakeSlack
from bot.demo.rig import BOT_TOKEN, SIGNING_SECRET
from bot.demo.signing import SlackRequestFactory, post
from tests.support.bot_process import BotProcess

# Killed and restarted on a SQLite file, whose rows the test reads (and moves back in time)
# directly; a kill on PostgreSQL is tests/postgres/test_replicas.py's.
pytestmark = pytest.mark.sqlite_only(reason="a process killed on a SQLite file it reads")

CHAIR = "U0CHAIR"


async def command(
    session: aiohttp.ClientSession,
    bot: BotProcess,
    signer: SlackRequestFactory,
    text: str,
    user: str,
    name: str = "/meeting",
) -> tuple[int, str]:
    return await post(
        session, bot.url + "/slack/events", signer.slash_command(name, text, user_id=user)
    )


async def set_up(
    session: aiohttp.ClientSession, bot: BotProcess, signer: SlackRequestFactory, n: int
) -> list[str]:
    users = [f"U0P{i:03d}" for i in range(n)]
    assert (await command(session, bot, signer, "start Durability", CHAIR))[0] == 200
    for i, user in enumerate(users):
        status, _ = await command(
            session, bot, signer, f"delegation add Country {i} participant <@{user}>", CHAIR
        )
        assert status == 200
    status, body = await command(session, bot, signer, "Contested", users[0], "/table-motion")
    assert "#1" in body
    return users


def wal_size(database: Path) -> int:
    """Bytes left in the write-ahead log (0 when a clean close checkpointed and removed it)."""
    wal = Path(f"{database}-wal")
    return wal.stat().st_size if wal.exists() else 0


def integrity(database: Path) -> str:
    # The file is the subject: is it whole after the process died or stopped?
    with sqlite3.connect(database) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


async def test_sigkill_in_a_burst_loses_no_acknowledged_objection_and_duplicates_none(
    tmp_path: Path,
) -> None:
    database = tmp_path / "p.sqlite3"
    signer = SlackRequestFactory(SIGNING_SECRET)
    async with FakeSlack(bot_token=BOT_TOKEN) as slack, aiohttp.ClientSession() as session:
        acknowledged: list[str] = []
        async with BotProcess(database, slack.api_url) as bot:
            users = await set_up(session, bot, signer, 60)
            killed = asyncio.Event()

            async def object_as(user: str) -> None:
                try:
                    status, body = await command(session, bot, signer, "1 no", user, "/object")
                except aiohttp.ClientError:
                    return  # the process died before answering: not acknowledged
                if status == 200 and "Recorded" in body:
                    acknowledged.append(user)
                    if len(acknowledged) == 25 and not killed.is_set():
                        killed.set()
                        bot.send_signal(signal.SIGKILL)

            await asyncio.gather(*(object_as(u) for u in users))
            assert killed.is_set()
            assert await bot.wait() == -signal.SIGKILL
        assert integrity(database) == "ok"
        async with BotProcess(database, slack.api_url) as again:
            status, _ = await command(session, again, signer, "agenda", CHAIR)
            assert status == 200
        # Read from the file the killed process left: what it acknowledged must be on disk.
        with sqlite3.connect(database) as conn:
            standing = {
                row[0]
                for row in conn.execute(
                    "SELECT members.user_id FROM positions JOIN members"
                    " ON members.delegation_id = positions.delegation_id"
                    " WHERE positions.ended_at IS NULL"
                )
            }
            duplicates = conn.execute(
                "SELECT count(*) FROM (SELECT item_id, delegation_id FROM positions"
                " WHERE ended_at IS NULL GROUP BY item_id, delegation_id HAVING count(*) > 1)"
            ).fetchone()[0]
        assert set(acknowledged) <= standing
        assert duplicates == 0
        assert integrity(database) == "ok"


async def test_sigterm_finishes_requests_in_flight_and_closes_the_database_cleanly(
    tmp_path: Path,
) -> None:
    database = tmp_path / "p.sqlite3"
    signer = SlackRequestFactory(SIGNING_SECRET)
    async with FakeSlack(bot_token=BOT_TOKEN) as slack, aiohttp.ClientSession() as session:
        async with BotProcess(database, slack.api_url) as bot:
            users = await set_up(session, bot, signer, 10)
            tasks = [
                asyncio.create_task(command(session, bot, signer, "1 no", u, "/object"))
                for u in users
            ]
            await asyncio.sleep(0)  # let the requests leave before the signal
            bot.send_signal(signal.SIGTERM)
            results = await asyncio.gather(*tasks, return_exceptions=True)
            assert await bot.wait() == 0
        answered = [r for r in results if isinstance(r, tuple)]
        assert all(status == 200 for status, _ in answered)
        events = [entry.get("event") for entry in bot.log]
        assert events[-1] == "stopped"
        listening = next(entry for entry in bot.log if entry.get("event") == "listening")
        assert listening["host"] == "127.0.0.1"  # HOST: this test's bot is on loopback only
        assert not any(entry.get("level") == "error" for entry in bot.log)
        assert all("xoxb-fake" not in str(entry) for entry in bot.log)
        assert integrity(database) == "ok"
        # The file is the subject: still in WAL mode, its log checkpointed by the clean close.
        with sqlite3.connect(database) as conn:
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"
        assert wal_size(database) == 0


async def test_a_post_slack_accepted_just_before_a_kill_is_found_after_restart_not_posted_twice(
    tmp_path: Path,
) -> None:
    database = tmp_path / "p.sqlite3"
    signer = SlackRequestFactory(SIGNING_SECRET)
    async with FakeSlack(bot_token=BOT_TOKEN) as slack, aiohttp.ClientSession() as session:
        posts: list[tuple[int, str]] = []  # (notice id, ts) of each post Slack accepted
        edits: list[str] = []
        settled = asyncio.Event()
        first = BotProcess(database, slack.api_url)

        def watch(call: ApiCall) -> None:
            if call.method == "chat.postMessage" and call.response.get("ok"):
                message = call.response["message"]
                posts.append((message["metadata"]["event_payload"]["notice_id"], message["ts"]))
                if len(posts) == 1:
                    # Slack stored the post; the process dies before reading the answer.
                    first.send_signal(signal.SIGKILL)
                else:
                    settled.set()
            elif call.method == "chat.update" and call.response.get("ok"):
                edits.append(call.params["ts"])
                settled.set()

        slack.observe(watch)
        async with first:
            with contextlib.suppress(aiohttp.ClientError):
                await command(session, first, signer, "start Durability", CHAIR)
            assert await first.wait() == -signal.SIGKILL
        assert len(posts) == 1
        async with BotProcess(database, slack.api_url) as again:
            await settled.wait()  # the restarted process delivered the notice again
        (notice_id, ts), *again_posted = posts
        assert again_posted == []  # found in the channel by its metadata, not posted twice
        assert edits == [ts]  # the post found is brought up to date in place
        assert any(
            entry.get("event") == "found an unconfirmed post in the channel"
            and entry.get("notice_id") == notice_id
            for entry in again.log
        )
