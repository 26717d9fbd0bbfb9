"""Scenario 1b: the same objection bursts with HTTP left out.

The bare app, the durable floor (``bench.floor_app``) and Plenary get their signed requests
straight through ``AsyncApp.async_dispatch`` in this process, 50 in flight, so the figures
show what each app itself costs on top of Bolt, without aiohttp and the load generator, which
cost the same for all. Plenary runs as in production: real SQLite file, group commit, and its
one JSON log line per request written to a file; the floor writes one row per objection to
its own file with group commit. A fourth measurement turns Plenary's log line off, to show
its share. The apps take turns in a rotating order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from statistics import median
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bench.bare_app import bare_app
from bench.common import SIGNING_SECRET, Bench, in_process_bot
from bench.floor_app import GroupCommit, floor_app, open_database
from bench.populate import TEAM_ID, member_id
from bench.report import Figure
from bot.demo.signing import SignedRequest, SlackRequestFactory
from bot.logs import JsonFormatter
from bot.requestlog import RequestIdFilter
from bot.serving import reparse_misread_form

S1B = "1b dispatch, no HTTP"
CHANNEL = "C0DISPATCH"
PREFIX = "UD"
IN_FLIGHT = 50
ROUNDS = 5  # bursts per app per run, alternating


async def _burst(app: AsyncApp, requests: list[SignedRequest], *, plenary: bool) -> float:
    """Seconds per request for one burst."""
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one(request: SignedRequest) -> None:
        async with gate:
            headers: dict[str, str | Sequence[str]] = dict(request.headers)
            bolt_request = AsyncBoltRequest(body=request.body, headers=headers)
            if plenary:
                bolt_request = reparse_misread_form(bolt_request)
            response = await app.async_dispatch(bolt_request)
            if response.status != 200:
                raise RuntimeError(f"dispatch answered {response.status}: {response.body}")

    started = time.perf_counter()
    await asyncio.gather(*(one(r) for r in requests))
    return (time.perf_counter() - started) / len(requests)


async def dispatch(bench: Bench) -> None:
    rounds = ROUNDS * bench.runs
    apps = ("bare", "floor", "plenary", "no_log")
    bursts = len(apps) * rounds + 2  # two warm-ups
    plenary = await in_process_bot(bench, "dispatch", CHANNEL, PREFIX, items=bursts)
    bare = bare_app(SIGNING_SECRET)
    floor_conn = await open_database(bench.workdir / "dispatch-floor.sqlite3")
    writer = GroupCommit(floor_conn)
    writing = asyncio.create_task(writer.run())
    floor = floor_app(SIGNING_SECRET, writer)
    signer = SlackRequestFactory(SIGNING_SECRET, team_id=TEAM_ID)
    request_log = logging.getLogger("plenary.request")
    handler = logging.FileHandler(bench.workdir / "dispatch-requests.log")
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    saved = (request_log.level, request_log.propagate)
    request_log.addHandler(handler)
    request_log.propagate = False
    numbers = iter(range(1, bursts + 1))

    def requests() -> list[SignedRequest]:
        number = next(numbers)
        return [
            signer.slash_command(
                "/object",
                f"{number} Reason {i} for objecting",
                user_id=member_id(PREFIX, i),
                channel_id=CHANNEL,
            )
            for i in range(bench.objections)
        ]

    times: dict[str, list[float]] = {name: [] for name in apps}
    try:
        batch = requests()  # warm-up; the floor takes the same item's objections again
        await _burst(bare, batch, plenary=False)
        await _burst(floor, batch, plenary=False)
        await _burst(plenary.app, requests(), plenary=True)
        for r in range(rounds):
            for name in apps[r % len(apps) :] + apps[: r % len(apps)]:
                batch = requests()
                if name in ("bare", "floor"):
                    app = bare if name == "bare" else floor
                    times[name].append(await _burst(app, batch, plenary=False))
                    continue
                request_log.setLevel(logging.INFO if name == "plenary" else logging.WARNING)
                times[name].append(await _burst(plenary.app, batch, plenary=True))
    finally:
        request_log.removeHandler(handler)
        handler.close()
        request_log.setLevel(saved[0])
        request_log.propagate = saved[1]
        await plenary.close()
        writing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writing
        await floor_conn.close()

    us = {name: 1e6 * median(values) for name, values in times.items()}
    raw: dict[str, Any] = {
        "bare_us": round(us["bare"], 1),
        "floor_us": round(us["floor"], 1),
        "plenary_us": round(us["plenary"], 1),
        "plenary_without_log_us": round(us["no_log"], 1),
        "rounds": rounds,
    }
    bench.report.raw["dispatch"] = raw
    add = bench.report.add
    add(Figure(S1B, "bare Bolt: dispatch time per /object, 50 in flight", us["bare"], "us", rounds))
    add(
        Figure(
            S1B,
            "durable floor: dispatch time per objection (parse, group-committed INSERT)",
            us["floor"],
            "us",
            rounds,
        )
    )
    add(
        Figure(
            S1B,
            "Plenary: dispatch time per objection (unit of work, commit, log line)",
            us["plenary"],
            "us",
            rounds,
        )
    )
    add(
        Figure(
            S1B,
            "  Plenary without its request log line",
            us["no_log"],
            "us",
            rounds,
        )
    )
    add(
        Figure(
            S1B,
            "Plenary's own cost on top of Bolt per objection (Plenary - bare)",
            us["plenary"] - us["bare"],
            "us",
            rounds,
        )
    )
    add(
        Figure(
            S1B,
            "Plenary's cost beyond the durable floor per objection (Plenary - floor)",
            us["plenary"] - us["floor"],
            "us",
            rounds,
        )
    )
