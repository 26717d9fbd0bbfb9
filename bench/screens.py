"""Scenario 6: 200 room screens connected to one meeting during a burst of 200 objections.

The real bot (``python -m bot serve``) holds a meeting of 200 participant delegations with
one item under discussion; 200 Server-Sent Events streams follow its screen; 200 objections
arrive, 50 in flight. Measured: the ack latency under that load, and how long after the last
ack every screen shows the final state (all 200 objections)."""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass

import aiohttp

from bench.common import (
    SIGNING_SECRET,
    Bench,
    command,
    objection_requests,
    run_burst,
    running,
    setup_meeting,
    signer_for,
    table_items,
)
from bench.fake import BenchSlack
from bench.populate import CHAIR, member_id
from bench.processes import BenchError, bot_server
from bench.report import FAIL, Figure, verdict

S6 = "6 screens"
SCREENS = 200
FINAL_WITHIN_S = 2.0
ACK_P99_MS = 100.0
TOKEN = re.compile(r"/screen/([A-Za-z0-9_-]{20,})")
OBJECTION = '<li class="objection">'


@dataclass
class _Screen:
    """One screen's view: the last state it received, and when it first showed the final one."""

    objections: int = 0
    final_at: float | None = None


async def _follow(
    session: aiohttp.ClientSession, url: str, screen: _Screen, want: int, ready: asyncio.Event
) -> None:
    async with session.get(url) as response:
        if response.status != 200:
            raise BenchError(f"screen stream answered {response.status}")
        ready.set()
        async for raw in response.content:
            line = raw.decode()
            if not line.startswith("data: "):
                continue
            data = json.loads(line[6:])
            if "html" not in data:
                continue
            screen.objections = data["html"].count(OBJECTION)
            if screen.objections >= want and screen.final_at is None:
                screen.final_at = time.monotonic()
                return


async def screens(bench: Bench) -> None:
    channel = "C0SCREENS"
    members = [member_id("US", i) for i in range(bench.objections)]
    database = bench.workdir / "screens.sqlite3"
    async with BenchSlack() as fake:
        signer = signer_for(fake)
        server = bot_server(bench.workdir, "screens-bot", database, fake.api_url, SIGNING_SECRET)
        async with running(server, bench.session):
            url = server.url
            await setup_meeting(bench.session, signer, url, channel=channel, members=members)
            await table_items(bench.session, signer, url, channel=channel, user=members[0], count=1)
            await command(
                bench.session, signer, url, "/meeting", "discuss 1", user=CHAIR, channel=channel
            )
            answer = await command(
                bench.session, signer, url, "/meeting", "screen", user=CHAIR, channel=channel
            )
            found = TOKEN.search(answer)
            if found is None:
                raise BenchError(f"no screen link in {answer[:200]}")
            events = f"{url}/screen/{found.group(1)}/events"
            views = [_Screen() for _ in range(SCREENS)]
            readies = [asyncio.Event() for _ in range(SCREENS)]
            streams = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0),
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=10),
            )
            async with streams:
                followers = [
                    asyncio.create_task(_follow(streams, events, v, len(members), r))
                    for v, r in zip(views, readies, strict=True)
                ]
                await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 30)
                requests = objection_requests(signer, channel=channel, number=1, members=members)
                burst = await run_burst(bench, url, requests, plenary=True)
                last_ack = time.monotonic()
                done, pending = await asyncio.wait(followers, timeout=10)
                for task in pending:
                    task.cancel()
                for task in done:
                    if task.exception() is not None:
                        raise BenchError(f"a screen failed: {task.exception()!r}")
    lags = [v.final_at - last_ack for v in views if v.final_at is not None]
    shown = len(lags)
    worst = max(lags) if lags else float("nan")
    bench.report.raw["screens"] = {
        "screens": SCREENS,
        "objections": len(members),
        "ack_p50_ms": round(burst.latency_ms(0.50), 2),
        "ack_p99_ms": round(burst.latency_ms(0.99), 2),
        "failures": len(burst.failures),
        "screens_final": shown,
        "worst_final_after_last_ack_s": round(max(worst, 0.0), 3) if lags else None,
    }
    add = bench.report.add
    add(
        Figure(
            S6,
            f"{SCREENS} screens, {len(members)} objections: every screen final after last ack",
            max(worst, 0.0),
            "s",
            1,
            f"< {FINAL_WITHIN_S:.0f} s",
            verdict(shown == SCREENS and worst < FINAL_WITHIN_S) if shown == SCREENS else FAIL,
        )
    )
    add(
        Figure(
            S6,
            "  ack latency p50 / p99 with the screens connected",
            f"{burst.latency_ms(0.50):.1f} / {burst.latency_ms(0.99):.1f}",
            "ms",
            1,
            f"p99 < {ACK_P99_MS:.0f} ms",
            verdict(burst.latency_ms(0.99) < ACK_P99_MS) if not burst.failures else FAIL,
        )
    )
