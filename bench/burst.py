"""Scenarios 1 and 2: objection bursts beside a bare Bolt app, and against large meetings.

Scenario 1 sends 200 objections to one item, 50 in flight, to the bot and to a bare Bolt app;
scenario 2 sends the same burst to meetings that already hold 10, 1,000 and 10,000 items.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
from bench.load import Burst, burst, median
from bench.populate import MeetingPlan, member_id, populate
from bench.processes import Server, bare_server, bot_server
from bench.profiling import Profiler
from bench.report import FAIL, PASS, Figure, verdict
from bot.demo.signing import SlackRequestFactory

S1 = "1 objection burst"
S2 = "2 growth"
GROWTH_ITEMS = (10, 1_000, 10_000)
POSITIONS_PER_ITEM = 10  # so the 10,000-item meeting holds 100,000 positions
GROWTH_MIN_RUNS = 9  # a burst is ~0.1 s: on a shared machine the 20% band needs many
GROWTH_CHANNEL = "C0GROWTH"
GROWTH_PREFIX = "UG"
WARMUP = 20


def _burst_record(b: Burst) -> dict[str, Any]:
    return {
        "requests": b.count,
        "wall_s": round(b.wall, 4),
        "throughput_rps": round(b.throughput, 1),
        "per_objection_ms": round(b.per_request_ms, 3),
        "p50_ms": round(b.latency_ms(0.50), 2),
        "p99_ms": round(b.latency_ms(0.99), 2),
        "max_ms": round(b.max_ms, 2),
        "failures": len(b.failures),
        "first_failures": list(b.failures[:3]),
    }


async def _warm_up(bench: Bench, signer: SlackRequestFactory, url: str, channel: str) -> None:
    """Exercise the dispatch path once before timing (``/object help`` writes nothing)."""
    requests = [
        signer.slash_command("/object", "help", user_id=member_id("UB", i), channel_id=channel)
        for i in range(WARMUP)
    ]
    await burst(bench.session, url, requests, in_flight=10, expect=lambda s, _: s == 200)


async def objection_burst(bench: Bench) -> None:
    """Scenario 1: the same load against the real bot and against a bare Bolt app."""
    channel = "C0BURST"
    members = [member_id("UB", i) for i in range(bench.objections)]
    database = bench.workdir / "burst.sqlite3"
    runs: list[dict[str, Any]] = []
    async with BenchSlack() as fake:
        signer = signer_for(fake)
        bot = bot_server(bench.workdir, "burst-bot", database, fake.api_url, SIGNING_SECRET)
        bare = bare_server(bench.workdir, "bare-bolt", SIGNING_SECRET)
        async with running(bot, bench.session), running(bare, bench.session):
            started = time.monotonic()
            await setup_meeting(bench.session, signer, bot.url, channel=channel, members=members)
            await table_items(
                bench.session, signer, bot.url, channel=channel, user=members[0], count=bench.runs
            )
            await settle(fake, database)
            setup_s = time.monotonic() - started
            await _warm_up(bench, signer, bot.url, channel)
            await _warm_up(bench, signer, bare.url, channel)
            for r in range(bench.runs):
                number = r + 1
                ours = objection_requests(signer, channel=channel, number=number, members=members)
                floor = objection_requests(signer, channel=channel, number=number, members=members)
                bare_first = r % 2 == 0  # alternate, so neither side always runs second
                if bare_first:
                    floor_burst = await run_burst(bench, bare.url, floor, plenary=False)
                chat_before = fake.chat_calls()
                plenary = await run_burst(bench, bot.url, ours, plenary=True)
                settled_s = await settle(fake, database)
                chat = fake.chat_calls() - chat_before
                if not bare_first:
                    floor_burst = await run_burst(bench, bare.url, floor, plenary=False)
                runs.append(
                    {
                        "item": number,
                        "plenary": _burst_record(plenary),
                        "bare": _burst_record(floor_burst),
                        "chat_calls": chat,
                        "settle_s": round(settled_s, 2),
                        "standing_objections": await count(
                            database, STANDING_OBJECTIONS, channel, number
                        ),
                        "position_rows": await count(database, POSITION_ROWS, channel, number),
                    }
                )
            if bench.profile_seconds > 0:
                await _profile(bench, signer, bot.pid, bot.url, channel, members, fake, database)
    bench.report.raw["objection_burst"] = {"setup_s": round(setup_s, 2), "runs": runs}
    _burst_figures(bench, runs)


def _burst_figures(bench: Bench, runs: list[dict[str, Any]]) -> None:
    n = len(runs)

    def mid(side: str, key: str) -> float:
        return median([float(r[side][key]) for r in runs])

    ours, floor = mid("plenary", "throughput_rps"), mid("bare", "throughput_rps")
    # Paired by run: each Plenary burst against the bare burst next to it.
    ratio = median([r["plenary"]["throughput_rps"] / r["bare"]["throughput_rps"] for r in runs])
    add = bench.report.add
    load = f"{bench.objections} objections, {bench.in_flight} in flight"
    add(Figure(S1, f"Plenary throughput ({load})", ours, "req/s", n))
    add(Figure(S1, "bare Bolt throughput, same load", floor, "req/s", n))
    add(
        Figure(
            S1,
            "throughput ratio to bare Bolt (median of runs)",
            ratio,
            "x",
            n,
            ">= 0.80",
            verdict(ratio >= 0.8),
        )
    )
    p99 = mid("plenary", "p99_ms")
    add(Figure(S1, "ack latency p50", mid("plenary", "p50_ms"), "ms", n))
    add(Figure(S1, "ack latency p99", p99, "ms", n, "< 100 ms", verdict(p99 < 100)))
    add(Figure(S1, "ack latency max", mid("plenary", "max_ms"), "ms", n))
    add(
        Figure(
            S1,
            "bare Bolt ack latency p50 / p99",
            f"{mid('bare', 'p50_ms'):.1f} / {mid('bare', 'p99_ms'):.1f}",
            "ms",
            n,
        )
    )
    chat = [int(r["chat_calls"]) for r in runs]
    add(
        Figure(
            S1,
            "chat.* calls per burst (median; max)",
            f"{median(chat):g}; {max(chat)}",
            "",
            n,
            "<= 5",
            verdict(max(chat) <= 5),
        )
    )
    stored = [int(r["standing_objections"]) for r in runs]
    rows = [int(r["position_rows"]) for r in runs]
    failures = sum(int(r["plenary"]["failures"]) for r in runs)
    exact = all(s == bench.objections for s in stored) and all(x == bench.objections for x in rows)
    ok = exact and failures == 0
    add(
        Figure(
            S1,
            "objections stored / position rows (min over runs)",
            f"{min(stored)} / {min(rows)} of {bench.objections}",
            "",
            n,
            "all, none twice",
            PASS if ok else FAIL,
        )
    )
    if not ok:
        bench.report.notes.append(
            f"FAIL: objections stored per run {stored}, position rows {rows}, unexpected"
            f" answers {failures} (expected {bench.objections} each and no failure)."
        )


async def _profile(
    bench: Bench,
    signer: SlackRequestFactory,
    pid: int,
    url: str,
    channel: str,
    members: list[str],
    fake: BenchSlack,
    database: Path,
) -> None:
    """Repeat bursts on fresh items while py-spy samples the bot (``--profile``)."""
    profiler = Profiler(pid, bench.workdir.parent / "profile")
    first = bench.runs + 1
    await table_items(
        bench.session, signer, url, channel=channel, user=members[0], count=bench.profile_bursts
    )
    await settle(fake, database)
    results: list[dict[str, Any]] = []
    async with profiler.sampling(bench.profile_seconds):
        for k in range(bench.profile_bursts):
            requests = objection_requests(
                signer, channel=channel, number=first + k, members=members
            )
            results.append(_burst_record(await run_burst(bench, url, requests, plenary=True)))
    summary = profiler.summary(objections=bench.profile_bursts * bench.objections)
    summary["bursts_while_sampled"] = results
    bench.report.raw["profile"] = summary
    _profile_figures(bench, summary)


@dataclass
class _GrowthCase:
    items: int
    database: Path
    fake: BenchSlack
    signer: SlackRequestFactory
    url: str
    populated: dict[str, int]
    populate_s: float
    bot: Server
    runs: list[dict[str, Any]] = field(default_factory=list)


async def growth(bench: Bench) -> None:
    """Scenario 2: the same burst against meetings already holding many items.

    The three bots run side by side and take turns (in a rotating order), so a slow spell
    of the machine lands on every case alike instead of on whichever ran then."""
    rounds = max(bench.runs, GROWTH_MIN_RUNS)
    members = [member_id(GROWTH_PREFIX, i) for i in range(bench.objections)]
    async with contextlib.AsyncExitStack() as stack:
        cases = [await _growth_case(bench, stack, items, members, rounds) for items in GROWTH_ITEMS]
        for r in range(rounds):
            for case in cases[r % len(cases) :] + cases[: r % len(cases)]:
                number = case.items + r + 1
                requests = objection_requests(
                    case.signer, channel=GROWTH_CHANNEL, number=number, members=members
                )
                chat_before = case.fake.chat_calls()
                cpu_before = case.bot.cpu_seconds()
                result = await run_burst(bench, case.url, requests, plenary=True)
                await settle(case.fake, case.database)  # the announcer's work counts too
                cpu = case.bot.cpu_seconds() - cpu_before
                record = _burst_record(result)
                record["cpu_per_objection_ms"] = round(1000 * cpu / len(requests), 4)
                record["item"] = number
                record["chat_calls"] = case.fake.chat_calls() - chat_before
                record["standing_objections"] = await count(
                    case.database, STANDING_OBJECTIONS, GROWTH_CHANNEL, number
                )
                case.runs.append(record)
    bench.report.raw["growth"] = {
        str(c.items): {
            "populated": c.populated,
            "populate_s": round(c.populate_s, 2),
            "db_mb": round(c.database.stat().st_size / 1e6, 1),
            "runs": c.runs,
        }
        for c in cases
    }
    _growth_figures(bench, cases, rounds)


def _growth_figures(bench: Bench, cases: list[_GrowthCase], n: int) -> None:
    """Cost is the bot's CPU time per objection, from the burst's first request until the
    announcer is done: unlike wall time it barely moves when other processes load the
    machine. Wall time per objection is shown beside it, with its (noisier) ratio."""
    for case in cases:
        cost = median([r["cpu_per_objection_ms"] for r in case.runs])
        wall = median([r["per_objection_ms"] for r in case.runs])
        p99 = median([r["p99_ms"] for r in case.runs])
        held = f"{case.items:,} items, {case.populated['positions']:,} positions"
        bench.report.add(Figure(S2, f"bot CPU per objection, {held}", cost, "ms", n))
        bench.report.add(
            Figure(S2, f"  wall time per objection, {case.items:,} items", wall, "ms", n)
        )
        bench.report.add(Figure(S2, f"ack latency p99, {case.items:,} items", p99, "ms", n))
        stored_ok = all(r["standing_objections"] == bench.objections for r in case.runs)
        if not stored_ok or any(r["failures"] for r in case.runs):
            bench.report.add(
                Figure(S2, f"objections stored, {case.items:,} items", "wrong", "", n, "all", FAIL)
            )
        if case is not cases[0]:
            # Paired by round: both bursts of a round met the same machine.
            def paired(key: str, case: _GrowthCase = case) -> float:
                return median(
                    [r[key] / b[key] for r, b in zip(case.runs, cases[0].runs, strict=True)]
                )

            ratio = paired("cpu_per_objection_ms")
            name = f"CPU cost ratio {case.items:,} / {cases[0].items} items (median of rounds)"
            bench.report.add(
                Figure(S2, name, ratio, "x", n, "0.80-1.20", verdict(0.8 <= ratio <= 1.2))
            )
            wall_ratio = paired("per_objection_ms")
            name = f"  wall-time ratio {case.items:,} / {cases[0].items} items (median of rounds)"
            bench.report.add(Figure(S2, name, wall_ratio, "x", n))


async def _growth_case(
    bench: Bench,
    stack: contextlib.AsyncExitStack,
    items: int,
    members: list[str],
    rounds: int,
) -> _GrowthCase:
    """Write the meeting into a fresh file, start a bot on it, table the items to object to."""
    database = bench.workdir / f"growth-{items}.sqlite3"
    started = time.monotonic()
    counts = await populate(
        database,
        [
            MeetingPlan(
                channel_id=GROWTH_CHANNEL,
                member_prefix=GROWTH_PREFIX,
                delegations=bench.objections,
                items=items,
                positions_per_item=POSITIONS_PER_ITEM,
                adopted_every=4,
            )
        ],
        datetime.now(UTC),
    )
    populate_s = time.monotonic() - started
    fake = await stack.enter_async_context(BenchSlack())
    signer = signer_for(fake)
    bot = bot_server(bench.workdir, f"growth-{items}", database, fake.api_url, SIGNING_SECRET)
    await stack.enter_async_context(running(bot, bench.session))
    await table_items(
        bench.session, signer, bot.url, channel=GROWTH_CHANNEL, user=members[0], count=rounds
    )
    await settle(fake, database)
    await _warm_up(bench, signer, bot.url, GROWTH_CHANNEL)
    return _GrowthCase(items, database, fake, signer, bot.url, counts.as_dict(), populate_s, bot)


def _profile_figures(bench: Bench, summary: dict[str, Any]) -> None:
    """Where an objection's time goes, from py-spy samples of the bot during bursts."""
    if "error" in summary:
        bench.report.notes.append(f"profile: {summary['error']}")
        return
    add = bench.report.add
    sampled = median([float(b["throughput_rps"]) for b in summary["bursts_while_sampled"]])
    add(
        Figure(
            "1p profile",
            "throughput while py-spy sampled",
            sampled,
            "req/s",
            len(summary["bursts_while_sampled"]),
        )
    )
    for thread in ("main", "aiosqlite"):
        data = summary[thread]
        add(
            Figure(
                "1p profile",
                f"{thread} thread busy per objection ({100 * data['busy_share']:.0f}% busy)",
                float(data["busy_ms_per_objection"]),
                "ms",
                bench.profile_bursts,
            )
        )
        for category, figures in data["categories"].items():
            add(
                Figure(
                    "1p profile",
                    f"  {category} ({100 * figures['share_of_busy']:.0f}%)",
                    float(figures["ms_per_objection"]),
                    "ms",
                    bench.profile_bursts,
                )
            )
