"""What the scenarios share: the run's settings, setup over HTTP, settling and DB queries."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from bench.fake import BenchSlack
from bench.load import Burst, burst
from bench.populate import CHAIR, TEAM_ID, MeetingPlan, populate
from bench.postgres import Counts
from bench.processes import BenchError, Server
from bench.report import Report
from bot.app import Plenary, build
from bot.config import Settings
from bot.demo.signing import SignedRequest, SlackRequestFactory, post

SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-fake"
SETTLE_QUIET = 2.0  # seconds without a new chat.* call (and an empty outbox) = settled
SETTLE_LIMIT = 60.0

PENDING_NOTICES = "SELECT count(*) FROM notices WHERE delivered_revision < revision"
_ITEM_POSITIONS = (
    "SELECT count(*) FROM positions JOIN items ON items.id = positions.item_id"
    " JOIN meetings ON meetings.id = items.meeting_id"
    " WHERE meetings.channel_id = ? AND items.number = ?"
)
STANDING_OBJECTIONS = _ITEM_POSITIONS + (
    " AND positions.kind = 'objection' AND positions.ended_at IS NULL"
)
POSITION_ROWS = _ITEM_POSITIONS


@dataclass
class Bench:
    """Settings and shared resources of one benchmark run."""

    workdir: Path
    session: aiohttp.ClientSession
    report: Report
    runs: int = 3
    objections: int = 200
    in_flight: int = 50
    digest_limit: int = 10
    profile_seconds: float = 0.0
    profile_bursts: int = 10
    # CPU-seconds the current scenario's own processes used outside this process's children
    # (a PostgreSQL cluster): not counted as other processes' load.
    own_cpu_elsewhere: float = 0.0


def signer_for(fake: BenchSlack) -> SlackRequestFactory:
    return SlackRequestFactory(SIGNING_SECRET, team_id=TEAM_ID, response_url_for=fake.response_url)


@asynccontextmanager
async def running(server: Server, session: aiohttp.ClientSession) -> AsyncIterator[Server]:
    await server.start(session)
    try:
        yield server
    finally:
        await server.stop()


async def command(
    session: aiohttp.ClientSession,
    signer: SlackRequestFactory,
    url: str,
    name: str,
    text: str,
    *,
    user: str,
    channel: str,
) -> str:
    """One setup command; anything but a plain success stops the benchmark."""
    request = signer.slash_command(name, text, user_id=user, channel_id=channel)
    status, body = await post(session, url + "/slack/events", request)
    if status != 200 or ":warning:" in body:
        raise BenchError(f"setup command {name} {text!r} failed: {status} {body[:300]}")
    return body


async def setup_meeting(
    session: aiohttp.ClientSession,
    signer: SlackRequestFactory,
    url: str,
    *,
    channel: str,
    members: Sequence[str],
) -> None:
    """Start a meeting and register one participant delegation per member, over HTTP."""
    await command(
        session, signer, url, "/meeting", "start Benchmark plenary", user=CHAIR, channel=channel
    )
    gate = asyncio.Semaphore(8)

    async def add(index: int, user: str) -> None:
        async with gate:
            await command(
                session,
                signer,
                url,
                "/meeting",
                f"delegation add Delegation {index:03d} participant <@{user}>",
                user=CHAIR,
                channel=channel,
            )

    await asyncio.gather(*(add(i, u) for i, u in enumerate(members)))


async def table_items(
    session: aiohttp.ClientSession,
    signer: SlackRequestFactory,
    url: str,
    *,
    channel: str,
    user: str,
    count: int,
) -> None:
    for n in range(count):
        await command(
            session,
            signer,
            url,
            "/table-motion",
            f"That the meeting adopts the benchmark text number {n + 1} as circulated.",
            user=user,
            channel=channel,
        )


def objection_requests(
    signer: SlackRequestFactory, *, channel: str, number: int, members: Sequence[str]
) -> list[SignedRequest]:
    """One ``/object <number> <reason>`` per member, signed in advance."""
    return [
        signer.slash_command(
            "/object",
            f"{number} Delegation {i:03d} cannot accept paragraph {i % 7 + 1} as drafted",
            user_id=user,
            channel_id=channel,
        )
        for i, user in enumerate(members)
    ]


def recorded(status: int, body: str) -> bool:
    return status == 200 and "Recorded" in body


def acknowledged(status: int, _: str) -> bool:
    return status == 200


async def run_burst(
    bench: Bench, url: str | Sequence[str], requests: Sequence[SignedRequest], *, plenary: bool
) -> Burst:
    """``url``: one app, or several replicas of it, sent the requests in turn."""
    return await burst(
        bench.session,
        url,
        requests,
        in_flight=bench.in_flight,
        expect=recorded if plenary else acknowledged,
    )


def _count(database: Path, sql: str, args: tuple[object, ...]) -> int:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
    try:
        row = conn.execute(sql, args).fetchone()
    finally:
        conn.close()
    return int(row[0]) if row else 0


async def count(database: Path | Counts, sql: str, *args: object) -> int:
    """A read-only count from the bot's SQLite file (WAL lets it read beside the bot), or
    from its PostgreSQL schema."""
    if isinstance(database, Counts):
        counts: Counts = database
        return await counts.count(sql, *args)
    return await asyncio.to_thread(_count, database, sql, args)


async def settle(fake: BenchSlack, database: Path | Counts) -> float:
    """Wait until the outbox is empty and no chat.* call came for SETTLE_QUIET seconds."""
    start = last_change = time.monotonic()
    seen = fake.chat_calls()
    while time.monotonic() - start < SETTLE_LIMIT:
        await asyncio.sleep(0.1)
        now = time.monotonic()
        calls = fake.chat_calls()
        if calls != seen:
            seen, last_change = calls, now
            continue
        if now - last_change >= SETTLE_QUIET and await count(database, PENDING_NOTICES) == 0:
            return now - start
    raise BenchError(f"the announcer did not settle within {SETTLE_LIMIT:.0f} s")


async def in_process_bot(
    bench: Bench, name: str, channel: str, prefix: str, *, items: int
) -> Plenary:
    """The product assembled in this process on a meeting written straight into a fresh
    file: ``bench.objections`` participant delegations of one member each, ``items`` open
    items. The announcer is not started, so no Web API call is ever made."""
    database = bench.workdir / f"{name}.sqlite3"
    plan = MeetingPlan(
        channel_id=channel, member_prefix=prefix, delegations=bench.objections, items=items
    )
    await populate(database, [plan], datetime.now(UTC))
    settings = Settings(
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        api_url="http://127.0.0.1:9/api/",  # never called
        database_url=f"sqlite:///{database}",
    )
    return await build(settings)
