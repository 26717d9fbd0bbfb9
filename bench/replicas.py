"""Scenario 7: the objection burst on PostgreSQL with one and with two replicas, beside SQLite.

The same burst as scenario 1 (200 signed ``/object`` requests, 50 in flight) goes to

- one ``serve`` process on SQLite (the default),
- one ``serve`` process on PostgreSQL,
- two ``serve`` processes on one PostgreSQL schema, the requests dealt to them in turn as a
  round-robin load balancer would,

each burst objecting to a fresh item of one meeting; and, to show what the meeting's row
lock costs, the PostgreSQL settings again with the burst spread over four meetings (50
objections to each). Beside them runs the durable floor on PostgreSQL (``bench.floor_app
--postgres``: signature, parse, one transaction on a pool of the product's size that locks
the meeting's row, inserts the objection and commits, then the ack), on one meeting and
spread, and in 2 round trips and in 1 statement on one meeting: the least the goal's
setting must do.
Every setting runs at once and takes turns in a rotating order, one
burst each per pass and PASSES passes per round, so a slow spell of the shared machine lands
on all of them alike; ratios are medians of per-round ratios. After each round the outboxes
are let settle and every item's objections are counted in its database.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.burst import PASSES, WARMUP, burst_record, joined_bursts
from bench.common import (
    POSITION_ROWS,
    SIGNING_SECRET,
    STANDING_OBJECTIONS,
    Bench,
    count,
    objection_requests,
    run_burst,
    running,
    settle,
    setup_meeting,
    signer_for,
    table_items,
)
from bench.fake import BenchSlack
from bench.floor_app import STORED as FLOOR_STORED
from bench.load import Burst, burst, median
from bench.populate import member_id
from bench.postgres import Counts, PostgresServer, schema, server
from bench.processes import Server, bot_server, floor_server
from bench.report import FAIL, PASS, Figure, verdict
from bot.demo.signing import SignedRequest, SlackRequestFactory

S7 = "7 replicas"
ROUNDS_MIN = 6
ONE = "C0REPLICA"  # the meeting every burst of the one-meeting settings objects in
SPREAD = 4  # meetings the spread settings' bursts are dealt over
SPREAD_CHANNELS = tuple(f"C0SPREAD{k}" for k in range(SPREAD))
ONE_PREFIX = "UR"
P99_GOAL_MS = 100.0


@dataclass
class _Database:
    """One database and the serve processes on it, with its own fake Slack (none for a
    floor: it posts nothing)."""

    key: str
    fake: BenchSlack | None
    signer: SlackRequestFactory
    store: Path | Counts
    servers: list[Server]

    @property
    def urls(self) -> list[str]:
        return [s.url for s in self.servers]

    def cpu_seconds(self) -> float:
        return sum(s.cpu_seconds() for s in self.servers)


@dataclass
class _Setting:
    key: str
    name: str
    database: _Database
    spread: bool
    postgres: PostgresServer | None = None  # its server's CPU counts too, when known
    floor: bool = False  # the durable floor: its rows are counted with FLOOR_STORED

    def counted(self) -> tuple[str, str]:
        """The SQL counting an item's standing objections and all its rows."""
        if self.floor:
            return FLOOR_STORED, FLOOR_STORED
        return STANDING_OBJECTIONS, POSITION_ROWS


def _spread_members(bench: Bench) -> list[list[str]]:
    per = bench.objections // SPREAD
    return [[member_id(f"US{k}", i) for i in range(per)] for k in range(SPREAD)]


def _requests(bench: Bench, setting: _Setting, number: int) -> list[SignedRequest]:
    """The burst for item ``number``: one objection per member of the meeting, or, spread,
    per member of each of the four meetings, dealt so consecutive requests differ."""
    signer = setting.database.signer
    if not setting.spread:
        members = [member_id(ONE_PREFIX, i) for i in range(bench.objections)]
        return objection_requests(signer, channel=ONE, number=number, members=members)
    per_meeting = [
        objection_requests(signer, channel=channel, number=number, members=members)
        for channel, members in zip(SPREAD_CHANNELS, _spread_members(bench), strict=True)
    ]
    return [request for dealt in zip(*per_meeting, strict=True) for request in dealt]


async def _prepare(bench: Bench, database: _Database, items: int, *, spread: bool) -> None:
    """The meetings over HTTP (their delegations, ``items`` items each), settled."""
    url = database.urls[0]
    meetings = [(ONE, [member_id(ONE_PREFIX, i) for i in range(bench.objections)])]
    if spread:
        meetings += list(zip(SPREAD_CHANNELS, _spread_members(bench), strict=True))

    async def one(channel: str, members: list[str]) -> None:
        await setup_meeting(bench.session, database.signer, url, channel=channel, members=members)
        await table_items(
            bench.session,
            database.signer,
            url,
            channel=channel,
            user=members[0],
            count=items,
        )

    await asyncio.gather(*(one(channel, members) for channel, members in meetings))
    await _settle([database])


async def _warm_up(bench: Bench, setting: _Setting) -> None:
    """``/object help`` to every replica, then a small objection burst to item 1."""
    signer = setting.database.signer
    channel = SPREAD_CHANNELS[0] if setting.spread else ONE
    help_requests = [
        signer.slash_command("/object", "help", user_id=member_id("UW", i), channel_id=channel)
        for i in range(WARMUP)
    ]
    await burst(
        bench.session,
        setting.database.urls,
        help_requests,
        in_flight=10,
        expect=lambda s, _: s == 200,
    )
    warm = _requests(bench, setting, 1)[:WARMUP]
    await run_burst(bench, setting.database.urls, warm, plenary=True)


async def _settle(databases: list[_Database]) -> list[float]:
    return await asyncio.gather(*(settle(d.fake, d.store) for d in databases if d.fake is not None))


def _expected(bench: Bench, setting: _Setting) -> list[tuple[str, int]]:
    """(channel, objections each item of it should hold after one burst)."""
    if setting.spread:
        return [(channel, bench.objections // SPREAD) for channel in SPREAD_CHANNELS]
    return [(ONE, bench.objections)]


async def replicas(bench: Bench) -> None:
    """Scenario 7 (see the module's docstring)."""
    rounds = max(bench.runs, ROUNDS_MIN)
    items = 1 + rounds * PASSES  # item 1 for the warm-up
    runs: list[dict[str, Any]] = []
    async with contextlib.AsyncExitStack() as stack:
        pg = await stack.enter_async_context(server())
        pg_cpu_before = pg.cpu_seconds()
        started = time.monotonic()
        databases: list[_Database] = []
        for key, replicas_count in (("sqlite", 1), ("pg1", 1), ("pg2", 2)):
            fake = await stack.enter_async_context(BenchSlack())
            store: Path | Counts
            if key == "sqlite":
                store = bench.workdir / "replicas.sqlite3"
                target: Path | str = store
            else:
                target = await stack.enter_async_context(schema(pg.url, key))
                store = await stack.enter_async_context(Counts.open(target))
            servers = [
                bot_server(bench.workdir, f"{key}-{n}", target, fake.api_url, SIGNING_SECRET)
                for n in range(replicas_count)
            ]
            for process in servers:  # one after another: the first migrates
                await stack.enter_async_context(running(process, bench.session))
            databases.append(_Database(key, fake, signer_for(fake), store, servers))
        for key, trips in (("floor", 4), ("floor2", 2), ("floor1", 1)):
            target = await stack.enter_async_context(schema(pg.url, key))
            store = await stack.enter_async_context(Counts.open(target))
            process = floor_server(bench.workdir, f"{key}-pg", target, SIGNING_SECRET, trips=trips)
            await stack.enter_async_context(running(process, bench.session))
            databases.append(_Database(key, None, databases[0].signer, store, [process]))
        sqlite, pg1, pg2, floor, floor2, floor1 = databases
        await asyncio.gather(
            _prepare(bench, sqlite, items, spread=False),
            _prepare(bench, pg1, items, spread=True),
            _prepare(bench, pg2, items, spread=True),
        )
        setup_s = time.monotonic() - started
        settings = [
            _Setting("sqlite", "SQLite, 1 process", sqlite, spread=False),
            _Setting("pg1", "PostgreSQL, 1 replica", pg1, spread=False, postgres=pg),
            _Setting("pg2", "PostgreSQL, 2 replicas", pg2, spread=False, postgres=pg),
            _Setting(
                "pg1-spread", "PostgreSQL, 1 replica, 4 meetings", pg1, spread=True, postgres=pg
            ),
            _Setting(
                "pg2-spread", "PostgreSQL, 2 replicas, 4 meetings", pg2, spread=True, postgres=pg
            ),
            _Setting(
                "floor",
                "PostgreSQL floor, 4 round trips",
                floor,
                spread=False,
                postgres=pg,
                floor=True,
            ),
            _Setting(
                "floor-spread",
                "PostgreSQL floor, 4 meetings",
                floor,
                spread=True,
                postgres=pg,
                floor=True,
            ),
            _Setting(
                "floor2",
                "PostgreSQL floor, 2 round trips",
                floor2,
                spread=False,
                postgres=pg,
                floor=True,
            ),
            _Setting(
                "floor1",
                "PostgreSQL floor, 1 statement",
                floor1,
                spread=False,
                postgres=pg,
                floor=True,
            ),
        ]
        for setting in settings:
            await _warm_up(bench, setting)
        await _settle(databases)
        for r in range(rounds):
            runs.append(await _round(bench, settings, databases, r))
        bench.own_cpu_elsewhere += pg.cpu_seconds() - pg_cpu_before
    bench.report.raw["replicas"] = {
        "postgres": pg.describe(),
        "setup_s": round(setup_s, 2),
        "runs": runs,
    }
    _figures(bench, pg, settings, runs)


async def _round(
    bench: Bench, settings: list[_Setting], databases: list[_Database], r: int
) -> dict[str, Any]:
    """PASSES passes of one burst per setting, the order rotating at every pass, each burst
    on a fresh item; then the outboxes settle and every burst's objections are counted."""
    numbers = [2 + r * PASSES + k for k in range(PASSES)]
    bursts: dict[str, list[Burst]] = {s.key: [] for s in settings}
    cpu = dict.fromkeys(bursts, 0.0)
    db_cpu = dict.fromkeys(bursts, 0.0)
    orders: list[list[str]] = []
    for k, number in enumerate(numbers):
        turn = (r * PASSES + k) % len(settings)
        order = settings[turn:] + settings[:turn]
        orders.append([s.key for s in order])
        for setting in order:
            requests = _requests(bench, setting, number)
            before = setting.database.cpu_seconds()
            db_before = setting.postgres.cpu_seconds() if setting.postgres else 0.0
            bursts[setting.key].append(
                await run_burst(bench, setting.database.urls, requests, plenary=True)
            )
            cpu[setting.key] += setting.database.cpu_seconds() - before
            if setting.postgres:
                db_cpu[setting.key] += setting.postgres.cpu_seconds() - db_before
    settled = await _settle(databases)
    record: dict[str, Any] = {
        "items": numbers,
        "orders": orders,
        "settle_s": [round(s, 2) for s in settled],
    }
    for setting in settings:
        joined = joined_bursts(bursts[setting.key])
        entry = burst_record(joined)
        entry["bot_cpu_per_objection_ms"] = round(1000 * cpu[setting.key] / joined.count, 4)
        entry["postgres_cpu_per_objection_ms"] = round(1000 * db_cpu[setting.key] / joined.count, 4)
        entry["burst_throughputs_rps"] = [round(b.throughput, 1) for b in bursts[setting.key]]
        store = setting.database.store
        standing, every = setting.counted()
        entry["expected"] = [[channel, expected] for channel, expected in _expected(bench, setting)]
        entry["standing_objections"] = [
            await count(store, standing, channel, n)
            for n in numbers
            for channel, _ in _expected(bench, setting)
        ]
        entry["position_rows"] = [
            await count(store, every, channel, n)
            for n in numbers
            for channel, _ in _expected(bench, setting)
        ]
        record[setting.key] = entry
    return record


def _figures(
    bench: Bench, pg: PostgresServer, settings: list[_Setting], runs: list[dict[str, Any]]
) -> None:
    n = len(runs)
    add = bench.report.add

    def mid(key: str, field_name: str) -> float:
        return median([float(r[key][field_name]) for r in runs])

    def paired(upper: str, lower: str) -> float:
        """Median over rounds of one setting's throughput over another's in that round."""
        return median([r[upper]["throughput_rps"] / r[lower]["throughput_rps"] for r in runs])

    add(
        Figure(
            S7,
            "databases: SQLite WAL synchronous=FULL; " + pg.describe(),
            "like with like" if pg.durable else "PostgreSQL does not sync",
            "",
            n,
            "both sync each commit",
            "" if pg.durable else "MISS",
        )
    )
    if not pg.durable:
        bench.report.notes.append(
            f"WARNING: scenario 7's PostgreSQL runs with fsync={pg.fsync},"
            f" synchronous_commit={pg.synchronous_commit}: its commits do not wait for the"
            " disk, SQLite's do; the ratios flatter PostgreSQL."
        )
    load = f"{bench.objections} objections, {bench.in_flight} in flight"
    for setting in settings:
        key = setting.key
        add(
            Figure(
                S7, f"{setting.name}: throughput ({load})", mid(key, "throughput_rps"), "req/s", n
            )
        )
        if key != "sqlite":
            add(
                Figure(
                    S7,
                    f"  {setting.name} / SQLite (median of per-round ratios)",
                    paired(key, "sqlite"),
                    "x",
                    n,
                )
            )
        p99 = mid(key, "p99_ms")
        postgres_goal = key in ("pg1", "pg2", "floor", "floor2", "floor1")
        add(
            Figure(
                S7,
                f"  {setting.name}: ack latency p50 / p99",
                f"{mid(key, 'p50_ms'):.1f} / {p99:.1f}",
                "ms",
                n,
                "p99 < 100 ms" if postgres_goal else "",
                verdict(p99 < P99_GOAL_MS) if postgres_goal else "",
            )
        )
        cpu = f"{mid(key, 'bot_cpu_per_objection_ms'):.3f}"
        if setting.postgres is not None and setting.postgres.postmaster is not None:
            cpu += f" / {mid(key, 'postgres_cpu_per_objection_ms'):.3f}"
            what = "bot (all replicas) / PostgreSQL server"
        else:
            what = "bot" if setting.postgres is None else "bot (PostgreSQL's is elsewhere)"
        add(Figure(S7, f"  {setting.name}: CPU per objection, {what}", cpu, "ms", n))
    for upper, lower, what in (
        ("pg1", "floor", "1 replica / floor, one meeting"),
        ("pg2", "floor", "2 replicas / floor, one meeting"),
        ("pg1-spread", "floor-spread", "1 replica / floor, 4 meetings"),
        ("pg1", "floor2", "1 replica / floor in 2 round trips, one meeting"),
        ("floor2", "floor", "floor: 2 round trips / 4"),
        ("floor1", "floor", "floor: 1 statement / 4 round trips"),
    ):
        add(Figure(S7, f"{what} (median of per-round ratios)", paired(upper, lower), "x", n))
    add(Figure(S7, "2 replicas / 1 replica, one meeting", paired("pg2", "pg1"), "x", n))
    add(
        Figure(S7, "2 replicas / 1 replica, 4 meetings", paired("pg2-spread", "pg1-spread"), "x", n)
    )
    add(Figure(S7, "1 replica: 4 meetings / one meeting", paired("pg1-spread", "pg1"), "x", n))
    add(Figure(S7, "2 replicas: 4 meetings / one meeting", paired("pg2-spread", "pg2"), "x", n))
    wrong: list[str] = []
    failures = 0
    for setting in settings:
        for r in runs:
            entry = r[setting.key]
            failures += int(entry["failures"])
            each = [expected for _, expected in entry["expected"]] * PASSES
            if entry["standing_objections"] != each or entry["position_rows"] != each:
                wrong.append(
                    f"{setting.key} items {r['items']}: standing {entry['standing_objections']},"
                    f" rows {entry['position_rows']}, expected {each}"
                )
    ok = not wrong and failures == 0
    add(
        Figure(
            S7,
            "objections stored / position rows per item, every setting and burst",
            "all, none twice" if ok else "wrong",
            "",
            n,
            "all, none twice",
            PASS if ok else FAIL,
        )
    )
    if not ok:
        bench.report.notes.append(
            f"FAIL: scenario 7 stored the wrong objections ({'; '.join(wrong[:5])}) or"
            f" answered {failures} requests unexpectedly."
        )
