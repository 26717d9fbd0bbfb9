"""Scenario 1a: the objection's service path in-process, without HTTP or Bolt.

Its time as the item's objections accumulate, its SQL statements, and the cost of one
aiosqlite round trip and of one committed (fsynced) write transaction on this disk.
"""

from __future__ import annotations

import time
from statistics import mean, median
from typing import Any

from bench.common import Bench, in_process_bot
from bench.populate import TEAM_ID, member_id
from bench.report import Figure
from bot.services.lookups import Caller
from storage.sqlite.database import Database
from storage.sqlite.units import Statements

S1A = "1a objection anatomy"
CHANNEL = "C0ANATOMY"
PREFIX = "UA"
PROBES = 500
EDGE = 20  # objections averaged at each end of the burst


async def anatomy(bench: Bench) -> None:
    plenary = await in_process_bot(bench, "anatomy", CHANNEL, PREFIX, items=bench.runs + 1)
    db = plenary.db
    assert isinstance(db, Database), "the anatomy measures SQLite's round trips"
    statements = 0

    def trace(_: str) -> None:
        nonlocal statements
        statements += 1

    try:
        firsts: list[float] = []
        lasts: list[float] = []
        alls: list[float] = []
        for number in range(1, bench.runs + 1):
            times: list[float] = []
            for i in range(bench.objections):
                caller = Caller(TEAM_ID, CHANNEL, member_id(PREFIX, i))
                started = time.perf_counter()
                await plenary.positions.object(caller, number, f"Reason {i} for objecting")
                times.append(time.perf_counter() - started)
            firsts.append(mean(times[:EDGE]))
            lasts.append(mean(times[-EDGE:]))
            alls.append(mean(times))

        started = time.perf_counter()
        for _ in range(PROBES):
            await db.trip(lambda raw: raw.execute("SELECT 1").fetchall())
        round_trip = (time.perf_counter() - started) / PROBES

        async def touch(conn: Statements) -> None:
            await conn.execute("UPDATE meetings SET title = title WHERE channel_id = ?", (CHANNEL,))

        started = time.perf_counter()
        for _ in range(PROBES // 5):
            await db.transact(touch)
        commit = (time.perf_counter() - started) / (PROBES // 5)

        await db.trip(lambda raw: raw.set_trace_callback(trace))
        statements = 0
        trips = db.trips
        for i in range(EDGE):
            caller = Caller(TEAM_ID, CHANNEL, member_id(PREFIX, i))
            await plenary.positions.object(caller, bench.runs + 1, "x")
        per_objection = statements / EDGE
        trips_per_objection = (db.trips - trips) / EDGE
    finally:
        await plenary.close()

    raw: dict[str, Any] = {
        "first_ms": round(1000 * median(firsts), 3),
        "last_ms": round(1000 * median(lasts), 3),
        "all_ms": round(1000 * median(alls), 3),
        "statements_per_objection": per_objection,
        "trips_per_objection": trips_per_objection,
        "round_trip_us": round(1e6 * round_trip, 1),
        "write_transaction_ms": round(1000 * commit, 3),
    }
    bench.report.raw["anatomy"] = raw
    add = bench.report.add
    add(
        Figure(
            S1A,
            f"service time per objection: 1st-{EDGE}th / last {EDGE} of {bench.objections}",
            f"{raw['first_ms']:.2f} / {raw['last_ms']:.2f}",
            "ms",
            bench.runs,
        )
    )
    add(Figure(S1A, "SQL statements per objection (with BEGIN/COMMIT)", per_objection, "", 1))
    add(
        Figure(
            S1A,
            "round trips to the database thread per objection (with BEGIN/COMMIT)",
            trips_per_objection,
            "",
            1,
        )
    )
    add(Figure(S1A, "one aiosqlite round trip (SELECT 1)", raw["round_trip_us"], "us", 1))
    add(
        Figure(
            S1A,
            "one-row write transaction (BEGIN IMMEDIATE, UPDATE, COMMIT + fsync)",
            raw["write_transaction_ms"],
            "ms",
            1,
        )
    )
