"""The floor in the real process: killed with SIGKILL in the middle of a turn, the bot comes
back with the list intact and tells the speaker of their time, and shows its end, once each.

The process keeps real time, so the test moves the turn back in time in the database between
runs instead of waiting (what a long outage would have done)."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from datetime import datetime, timedelta
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
SPEAKER = "U0SPEAK"
NEXT = "U0NEXT"


def move_turn_back(database: Path, by: timedelta) -> None:
    """As if ``by`` had passed since the turn began."""
    with sqlite3.connect(database) as conn:
        for turn_id, *times in conn.execute(
            "SELECT id, started_at, warn_at, ends_at FROM floor_turns"
        ).fetchall():
            moved = [
                (datetime.fromisoformat(t) - by).isoformat(timespec="microseconds") for t in times
            ]
            conn.execute(
                "UPDATE floor_turns SET started_at = ?, warn_at = ?, ends_at = ? WHERE id = ?",
                (*moved, turn_id),
            )


def waiting(database: Path) -> list[str]:
    with sqlite3.connect(database) as conn:
        return [
            row[0]
            for row in conn.execute(
                "SELECT d.name FROM floor_requests r JOIN delegations d"
                " ON d.id = r.delegation_id WHERE r.settled_at IS NULL ORDER BY r.id"
            )
        ]


def seen(slack: FakeSlack, method: str, text: str) -> asyncio.Event:
    """Set once the bot calls ``method`` with ``text`` in its message."""
    event = asyncio.Event()

    def observe(call: ApiCall) -> None:
        if call.method == method and text in str(call.params.get("text", "")):
            event.set()

    slack.observe(observe)
    return event


async def test_sigkill_mid_turn_keeps_the_list_and_tells_each_time_once(tmp_path: Path) -> None:
    database = tmp_path / "p.sqlite3"
    signer = SlackRequestFactory(SIGNING_SECRET)
    async with FakeSlack(bot_token=BOT_TOKEN) as slack, aiohttp.ClientSession() as session:

        async def command(bot: BotProcess, name: str, text: str, user: str) -> str:
            status, body = await post(
                session, bot.url + "/slack/events", signer.slash_command(name, text, user_id=user)
            )
            assert status == 200
            assert ":warning:" not in body, body
            return body

        async with BotProcess(database, slack.api_url) as first:
            await command(first, "/meeting", "start Kasane", CHAIR)
            await command(
                first, "/meeting", f"delegation add Ukraine participant <@{SPEAKER}>", CHAIR
            )
            await command(first, "/meeting", f"delegation add Mali participant <@{NEXT}>", CHAIR)
            await command(first, "/table-motion", "Discuss Russian diamonds", SPEAKER)
            await command(first, "/meeting", "discuss 1", CHAIR)
            await command(first, "/meeting", "set speaking-time 3m", CHAIR)
            await command(first, "/floor", "", SPEAKER)
            await command(first, "/floor", "", NEXT)
            await command(first, "/meeting", "floor next", CHAIR)
            first.send_signal(signal.SIGKILL)
            assert await first.wait() == -signal.SIGKILL
        assert waiting(database) == ["Mali"]

        move_turn_back(database, timedelta(minutes=2, seconds=40))  # 20 s left: warn now
        warned = seen(slack, "chat.postEphemeral", "30 seconds left")
        async with BotProcess(database, slack.api_url) as second:
            await asyncio.wait_for(warned.wait(), timeout=60)
            second.send_signal(signal.SIGKILL)
            assert await second.wait() == -signal.SIGKILL
        assert waiting(database) == ["Mali"]

        move_turn_back(database, timedelta(minutes=1))  # now well past its end
        up = seen(slack, "chat.update", "time is up")
        async with BotProcess(database, slack.api_url) as third:
            await asyncio.wait_for(up.wait(), timeout=60)
            third.send_signal(signal.SIGKILL)
            assert await third.wait() == -signal.SIGKILL

        async with BotProcess(database, slack.api_url) as fourth:
            listed = await command(fourth, "/floor", "list", SPEAKER)
            assert "Time is up" in listed
            assert "1. *Mali*" in listed
        assert waiting(database) == ["Mali"]
        warnings = slack.calls_to("chat.postEphemeral")
        assert [c.params["user"] for c in warnings] == [SPEAKER]
        # "Time is up" is shown once: on the one list message, never posted anew. The third
        # process may be killed after Slack took its edit but before it recorded it; the next
        # start then repeats that edit to the same message, which a reader cannot tell apart.
        time_up = [c for c in slack.calls_to("chat.update") if "time is up" in c.params["text"]]
        assert time_up
        assert len({c.params["ts"] for c in time_up}) == 1
        assert len({c.params["text"] for c in time_up}) == 1
        posts = [c for c in slack.calls_to("chat.postMessage") if "ime is up" in c.params["text"]]
        assert posts == []
