"""Many meetings whose deadline, session reminder and digest all fall due at one instant, set
up through slash commands spread over several replicas, and what to count afterwards.

Each meeting (one channel) gets an item whose deadline is the instant, a session starting a
minute later with its reminder a minute before, and a daily digest at the instant's time of
day: three due things per meeting. A minute is the finest time these commands take."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

import aiohttp

from bot.demo.fake_slack.server import ApiCall
from bot.demo.rig import SIGNING_SECRET
from bot.demo.signing import SlackRequestFactory, post
from storage.postgres.database import Statements

CHAIR = "U0CHAIR"
DUE = ("outcome", "reminder", "digest")  # the notice each due thing queues
IN_FLIGHT = 24  # requests sent at once, over every replica

Command = tuple[str, str, str]  # (slash command, text, what its answer says when it worked)


def meetings_started() -> list[Command]:
    """A meeting with one participant delegation, reminding a minute before each session."""
    return [
        ("/meeting", "start Due at once", "now meets in this channel"),
        ("/meeting", f"delegation add Mali participant <@{CHAIR}>", "Registered"),
        ("/meeting", "set reminder 1", "Session reminders go out 1 min"),
    ]


def all_due_at(due: datetime) -> list[Command]:
    """An item, a session's reminder and the digest, each due at ``due`` (a whole minute in
    UTC, the meetings' zone)."""
    starts = due + timedelta(minutes=1)
    return [
        ("/table-motion", f"Motion deadline: {due:%Y-%m-%d %H:%M}", "Tabled as *#1*"),
        ("/meeting", f"session add {starts:%Y-%m-%d %H:%M} Plenary", "Scheduled session 1"),
        ("/meeting", f"set digest {due:%H:%M}", "The daily digest goes out"),
    ]


async def in_every_channel(
    session: aiohttp.ClientSession,
    urls: Sequence[str],
    channels: Sequence[str],
    commands: list[Command],
) -> None:
    """Send each channel the commands in order, the channels side by side, each request to
    the next replica in turn (as a balancer would spread them)."""
    signer = SlackRequestFactory(SIGNING_SECRET)
    turn = itertools.count()
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one_channel(channel: str) -> None:
        for name, text, worked in commands:
            url = urls[next(turn) % len(urls)]
            request = signer.slash_command(name, text, user_id=CHAIR, channel_id=channel)
            async with gate:
                status, body = await post(session, url + "/slack/events", request)
            assert status == 200, body
            assert worked in body, body

    await asyncio.gather(*(one_channel(channel) for channel in channels))


async def due_instants(statements: Statements) -> set[datetime]:
    """When the items' deadlines, the sessions' reminders and the digests fall due."""
    fetched = await statements.fetchall(
        "SELECT deadline FROM items UNION SELECT remind_at FROM sessions"
        " UNION SELECT next_digest_at FROM meetings"
    )
    return {row[0] for row in fetched}


async def handled(statements: Statements) -> tuple[int, int, int, int]:
    """Decision rows, sessions reminded, digests queued, and notices not yet delivered."""
    row = await statements.fetchone(
        "SELECT (SELECT count(*) FROM decisions),"
        " (SELECT count(*) FROM sessions WHERE reminded_at IS NOT NULL),"
        " (SELECT count(*) FROM notices WHERE kind = 'digest'),"
        " (SELECT count(*) FROM notices WHERE delivered_revision < revision)"
    )
    assert row is not None
    decided, reminded, digests, pending = (int(n) for n in row)
    return decided, reminded, digests, pending


async def decisions_and_notices(statements: Statements) -> tuple[Counter[int], dict[str, set[int]]]:
    """How many decision rows each item has, and the ids of the due things' notices by kind."""
    fetched = await statements.fetchall(
        "SELECT items.id, count(decisions.item_id) FROM items"
        " LEFT JOIN decisions ON decisions.item_id = items.id GROUP BY items.id"
    )
    decided = Counter({int(item): int(n) for item, n in fetched})
    notices: dict[str, set[int]] = {kind: set() for kind in DUE}
    for kind, notice_id in await statements.fetchall(
        "SELECT kind, id FROM notices WHERE kind IN ('outcome', 'reminder', 'digest')"
    ):
        notices[kind].add(int(notice_id))
    return decided, notices


def posts_by_channel(calls: list[ApiCall]) -> Counter[tuple[str, str]]:
    """How many posts of each notice kind Slack accepted in each channel."""
    return Counter(
        (call.params["channel"], call.response["message"]["metadata"]["event_payload"]["kind"])
        for call in calls
        if call.method == "chat.postMessage" and call.response.get("ok")
    )


def posts_by_notice(calls: list[ApiCall]) -> Counter[tuple[int, str]]:
    """How many times Slack accepted a post of each notice (id, kind)."""
    posted: Counter[tuple[int, str]] = Counter()
    for call in calls:
        if call.method == "chat.postMessage" and call.response.get("ok"):
            payload = call.response["message"]["metadata"]["event_payload"]
            posted[(payload["notice_id"], payload["kind"])] += 1
    return posted


def assert_each_handled_once(
    decided: Counter[int],
    notices: dict[str, set[int]],
    logs: Iterable[dict[str, Any]],
    calls: list[ApiCall],
    meetings: int,
) -> None:
    """Each item decided once (its decision row), closed by one replica once (its log line),
    ``meetings`` notices of each kind due, each posted once by whichever replica sent it."""
    assert set(decided.values()) == {1}
    closed = Counter(
        entry["item_id"] for entry in logs if entry.get("event") == "deadline closed item"
    )
    assert closed == Counter(dict.fromkeys(decided, 1))
    assert {kind: len(ids) for kind, ids in notices.items()} == dict.fromkeys(DUE, meetings)
    posted = posts_by_notice(calls)
    assert set(posted.values()) == {1}
    for kind in DUE:
        assert {notice for (notice, k) in posted if k == kind} == notices[kind]
