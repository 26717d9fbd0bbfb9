"""Deadlines, reminders and digests due at one instant over three replicas on one PostgreSQL,
run in this test's process: each replica is the app `serve` builds (its own pool, announcer,
delivery leases, timekeeper and timers, answering HTTP on a port of its own), and they share
a hand-moved clock, so the instant comes when the test moves it and fires each replica's
timers. The set-up goes through slash commands spread over the replicas and the channels
(tests/support/due_at_once.py). The `make test` version of
tests/soak/test_replicas_due_at_once.py, whose three processes wait for a minute of the
system's time: each item decided once, each notice posted once (by its notice id)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from aiohttp import web

from bot.app import Plenary, build
from bot.config import Settings
from bot.demo.fake_slack.server import FakeSlack
from bot.demo.rig import BOT_TOKEN, SIGNING_SECRET
from bot.ports.clock import ManualClock
from bot.services.timekeeper import Sweep
from bot.serving import web_app
from storage.postgres.database import Database
from tests.postgres.test_replicas import REPLICAS
from tests.support.due_at_once import (
    DUE,
    all_due_at,
    decisions_and_notices,
    due_instants,
    handled,
    in_every_channel,
    meetings_started,
    posts_by_channel,
    posts_by_notice,
)
from tests.support.postgres import scratch_schema

MEETINGS = 150  # 450 due things
# Far ahead of the system's time: the replicas' APScheduler timers, which keep that time,
# never fire by themselves; the test fires them when it moves the clock.
START = datetime(2031, 3, 3, 8, 0, tzinfo=UTC)
INSTANT = START + timedelta(hours=1)


@pytest.fixture
async def conninfo() -> AsyncIterator[str]:
    async with scratch_schema() as url:
        yield url


@contextlib.asynccontextmanager
async def replicas(
    conninfo: str, slack: FakeSlack, clock: ManualClock
) -> AsyncIterator[list[tuple[Plenary, str]]]:
    """Each replica built and started as `serve` does it, with its URL."""
    settings = Settings(
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        api_url=slack.api_url,
        database_url=conninfo,
        # The periodic sweep keeps the system's time too: once an hour, not within the test.
        sweep_every=timedelta(hours=1),
    )
    async with contextlib.AsyncExitStack() as stack:
        served: list[tuple[Plenary, str]] = []
        for _ in range(REPLICAS):
            plenary = await build(settings, clock=clock, pace_seconds=0)
            stack.push_async_callback(plenary.close)
            runner = web.AppRunner(web_app(plenary), handle_signals=False)
            await runner.setup()
            stack.push_async_callback(runner.cleanup)
            await web.TCPSite(runner, host="127.0.0.1", port=0).start()
            await plenary.start()
            served.append((plenary, f"http://127.0.0.1:{runner.addresses[0][1]}"))
        yield served


async def delivered(db: Database, plenaries: list[Plenary]) -> None:
    """Until no notice is pending: each replica delivers what it can (the meetings whose
    lease it gets), again while any is left."""
    while (await db.query(handled))[3]:
        await asyncio.gather(*(plenary.announcer.drain() for plenary in plenaries))


async def test_450_deadlines_reminders_and_digests_due_at_once_are_each_handled_and_posted_once(
    conninfo: str,
) -> None:
    clock = ManualClock(START)
    channels = [f"C0AT{m:03d}" for m in range(MEETINGS)]
    db = await Database.open(conninfo, min_size=1, max_size=2)
    try:
        async with (
            FakeSlack(bot_token=BOT_TOKEN) as slack,
            aiohttp.ClientSession() as session,
            replicas(conninfo, slack, clock) as served,
        ):
            plenaries = [plenary for plenary, _ in served]
            urls = [url for _, url in served]
            await in_every_channel(session, urls, channels, meetings_started())
            await in_every_channel(session, urls, channels, all_due_at(INSTANT))
            assert await db.query(due_instants) == {INSTANT}
            await delivered(db, plenaries)
            before = len(slack.calls)

            clock.set(INSTANT)
            # Each replica's timers fire at the instant, its deadline, reminder and digest
            # jobs together (each of which runs the sweep).
            sweeps: list[Sweep] = await asyncio.gather(
                *(plenary.timekeeper.run_due() for plenary in plenaries * 2)
            )
            await delivered(db, plenaries)
            at_once = slack.calls[before:]
            decided, notices = await db.query(decisions_and_notices)
    finally:
        await db.close()

    assert sorted(i for sweep in sweeps for i in sweep.decided) == sorted(decided)  # each once
    assert set(decided.values()) == {1}  # one decision row each
    reminded = [session for sweep in sweeps for session in sweep.reminded]
    assert len(reminded) == len(set(reminded)) == MEETINGS  # each session reminded once
    digests = [meeting for sweep in sweeps for meeting in sweep.digests]
    assert len(digests) == len(set(digests)) == MEETINGS  # each meeting's digest once
    assert {kind: len(ids) for kind, ids in notices.items()} == dict.fromkeys(DUE, MEETINGS)
    posted = posts_by_notice(slack.calls)
    assert set(posted.values()) == {1}  # every notice posted once, whichever replica sent it
    for kind in DUE:
        assert {notice for (notice, k) in posted if k == kind} == notices[kind]
    assert posts_by_channel(at_once) == Counter({(c, kind): 1 for c in channels for kind in DUE})
