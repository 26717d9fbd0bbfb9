"""A vote in the real process: killed with SIGKILL while ballots arrive, the bot comes back
with every acknowledged ballot, and the vote's deadline closes it once after the restart.
The process keeps real time, so the test moves the deadline back in the database between
runs instead of waiting (what a long outage would have done)."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from datetime import UTC, datetime, timedelta
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


def move_deadline_back(database: Path) -> None:
    """As if the vote's deadline had passed while the bot was down."""
    past = (datetime.now(UTC) - timedelta(minutes=5)).isoformat(timespec="microseconds")
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE votes SET deadline = ? WHERE status = 'open'", (past,))


def voters(database: Path) -> list[str]:
    """Members of the delegations with a current ballot, as the file holds them."""
    with sqlite3.connect(database) as conn:
        return [
            row[0]
            for row in conn.execute(
                "SELECT members.user_id FROM ballots JOIN members"
                " ON members.delegation_id = ballots.delegation_id"
                " WHERE ballots.replaced_at IS NULL"
            )
        ]


def closings(database: Path) -> tuple[list[tuple[str, str | None]], int]:
    """Each vote's status and who closed it; and how many results were queued."""
    with sqlite3.connect(database) as conn:
        votes = [(r[0], r[1]) for r in conn.execute("SELECT status, closed_by FROM votes")]
        results = conn.execute("SELECT count(*) FROM notices WHERE kind = 'vote-result'")
        return votes, int(results.fetchone()[0])


def kind_of(call: ApiCall) -> str:
    """Which notice a post carries, from the metadata the bot attaches to each."""
    return str(call.params.get("metadata", {}).get("event_payload", {}).get("kind", ""))


def result_posted(slack: FakeSlack) -> asyncio.Event:
    """Set once the bot posts a vote's result."""
    event = asyncio.Event()

    def observe(call: ApiCall) -> None:
        if call.method == "chat.postMessage" and kind_of(call) == "vote-result":
            event.set()

    slack.observe(observe)
    return event


async def test_sigkill_with_a_vote_open_keeps_every_acknowledged_ballot_and_closes_it_once(
    tmp_path: Path,
) -> None:
    database = tmp_path / "p.sqlite3"
    signer = SlackRequestFactory(SIGNING_SECRET)
    async with FakeSlack(bot_token=BOT_TOKEN) as slack, aiohttp.ClientSession() as session:

        async def command(bot: BotProcess, name: str, text: str, user: str) -> tuple[int, str]:
            return await post(
                session, bot.url + "/slack/events", signer.slash_command(name, text, user_id=user)
            )

        users = [f"U0P{i:03d}" for i in range(40)]
        acknowledged: list[str] = []
        async with BotProcess(database, slack.api_url) as first:
            assert (await command(first, "/meeting", "start Durability", CHAIR))[0] == 200
            for i, user in enumerate(users):
                added = f"delegation add Country {i} participant <@{user}>"
                assert (await command(first, "/meeting", added, CHAIR))[0] == 200
            assert "#1" in (await command(first, "/table-motion", "Exclude", users[0]))[1]
            opened = await command(first, "/meeting", "vote 1 deadline: in 3d", CHAIR)
            assert "is open" in opened[1]
            killed = asyncio.Event()

            async def vote_as(user: str) -> None:
                try:
                    status, body = await command(first, "/vote", "1 yes", user)
                except aiohttp.ClientError:
                    return  # the process died before answering: not acknowledged
                if status == 200 and "votes yes" in body:
                    acknowledged.append(user)
                    if len(acknowledged) == 15 and not killed.is_set():
                        killed.set()
                        first.send_signal(signal.SIGKILL)

            await asyncio.gather(*(vote_as(u) for u in users))
            assert killed.is_set()
            assert await first.wait() == -signal.SIGKILL
        assert set(acknowledged) <= set(voters(database))
        assert closings(database) == ([("open", None)], 0)

        move_deadline_back(database)
        slack.reset_calls()
        result = result_posted(slack)
        async with BotProcess(database, slack.api_url) as second:
            await asyncio.wait_for(result.wait(), timeout=60)
            # Stopped cleanly: a kill here could come after Slack took the post and before
            # the outbox recorded it, and the post would then be repeated (the outbox's
            # at-least-once, not a second close).
            second.send_signal(signal.SIGTERM)
            assert await second.wait() == 0
        assert closings(database) == ([("closed", "deadline")], 1)

        async with BotProcess(database, slack.api_url) as third:
            status, _ = await command(third, "/meeting", "agenda", CHAIR)
            assert status == 200
        assert closings(database) == ([("closed", "deadline")], 1)
        results = [c for c in slack.calls_to("chat.postMessage") if kind_of(c) == "vote-result"]
        assert len(results) == 1
        assert set(acknowledged) <= set(voters(database))
