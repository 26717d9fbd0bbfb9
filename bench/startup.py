"""Scenarios 4 and 5: start-up with 10,000 pending deadlines, and peak memory (RSS)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import SIGNING_SECRET, Bench, signer_for
from bench.fake import BenchSlack
from bench.load import burst, median
from bench.populate import MeetingPlan, populate
from bench.processes import BenchError, bot_server
from bench.report import Figure, verdict

S4 = "4 start-up"
S5 = "5 memory"
DEADLINE_MEETINGS, DEADLINES_EACH = 100, 100  # 10,000 pending deadlines
RSS_MEETINGS, RSS_ITEMS = 1_000, 50
AGENDA_REQUESTS = 100


async def startup(bench: Bench) -> None:
    """Time from spawning ``python -m bot serve`` to all jobs planned and to /healthz 200."""
    now = datetime.now(UTC)
    empty = bench.workdir / "startup-empty.sqlite3"
    loaded = bench.workdir / "startup-10000.sqlite3"
    await populate(empty, [], now)
    counts = await populate(
        loaded,
        [
            MeetingPlan(
                channel_id=f"C0S{m:03d}",
                member_prefix=f"US{m:03d}X",
                delegations=2,
                items=DEADLINES_EACH,
                deadline_after=timedelta(days=1),
            )
            for m in range(DEADLINE_MEETINGS)
        ],
        now,
    )
    results: dict[str, list[dict[str, Any]]] = {"empty": [], "10000": []}
    async with BenchSlack() as fake:
        for r in range(bench.runs):
            for name, database in (("empty", empty), ("10000", loaded)):
                bot = bot_server(
                    bench.workdir, f"startup-{name}-{r}", database, fake.api_url, SIGNING_SECRET
                )
                await bot.start(bench.session)
                try:
                    planned = await bot.await_event("timekeeping started")
                    listening = bot.seconds_to_event("listening")
                finally:
                    await bot.stop()
                if planned is None or listening is None:
                    raise BenchError(f"no start-up log lines in {bot.log_path}")
                results[name].append(
                    {
                        "jobs_planned": planned[1].get("jobs_planned"),
                        "jobs_planned_s": round(planned[0], 3),
                        "listening_s": round(listening[0], 3),
                        "healthz_s": round(bot.healthy_after, 3),
                    }
                )
    bench.report.raw["startup"] = {"deadlines": counts.deadlines, "runs": results}
    n = bench.runs
    add = bench.report.add
    for name, label in (("empty", "empty database"), ("10000", "10,000 pending deadlines")):
        rows = results[name]
        jobs = rows[0]["jobs_planned"]
        planned_s = median([row["jobs_planned_s"] for row in rows])
        healthz_s = median([row["healthz_s"] for row in rows])
        add(Figure(S4, f"{label}: all {jobs:,} jobs planned after", planned_s, "s", n))
        goal = ("< 2 s", healthz_s < 2.0) if name == "10000" else ("", True)
        add(
            Figure(
                S4,
                f"{label}: /healthz 200 (listening) after",
                healthz_s,
                "s",
                n,
                goal[0],
                verdict(goal[1]) if goal[0] else "",
            )
        )
    bench.report.notes.append(
        "Start-up times run from spawning `python -m bot serve` (interpreter and imports"
        " included) to the bot's own log line / the first /healthz 200."
    )


async def memory(bench: Bench) -> None:
    """Peak RSS of the bot with 1,000 meetings of 50 items, after 100 agenda requests."""
    database = bench.workdir / "memory.sqlite3"
    counts = await populate(
        database,
        [
            MeetingPlan(
                channel_id=f"C0R{m:04d}",
                member_prefix=f"UR{m:04d}X",
                delegations=5,
                items=RSS_ITEMS,
                positions_per_item=3,
                adopted_every=4,
            )
            for m in range(RSS_MEETINGS)
        ],
        datetime.now(UTC),
    )
    runs: list[dict[str, Any]] = []
    async with BenchSlack() as fake:
        signer = signer_for(fake)
        for r in range(bench.runs):
            bot = bot_server(bench.workdir, f"memory-{r}", database, fake.api_url, SIGNING_SECRET)
            await bot.start(bench.session)
            try:
                idle = bot.proc_status()
                step = RSS_MEETINGS // AGENDA_REQUESTS
                requests = [
                    signer.slash_command(
                        "/meeting", "agenda", user_id="U0READER", channel_id=f"C0R{m:04d}"
                    )
                    for m in range(0, RSS_MEETINGS, step)
                ]
                started = time.perf_counter()
                result = await burst(
                    bench.session,
                    bot.url,
                    requests,
                    in_flight=10,
                    expect=lambda s, body: s == 200 and "Agenda of" in body,
                )
                elapsed = time.perf_counter() - started
                await asyncio.sleep(0.5)
                after = bot.proc_status()
            finally:
                await bot.stop()
            runs.append(
                {
                    "idle_rss_mb": round(idle.get("VmRSS", 0) / 1024, 1),
                    "rss_mb": round(after.get("VmRSS", 0) / 1024, 1),
                    "peak_rss_mb": round(after.get("VmHWM", 0) / 1024, 1),
                    "agenda_requests": result.count,
                    "agenda_failures": len(result.failures),
                    "agenda_p50_ms": round(result.latency_ms(0.5), 2),
                    "agenda_s": round(elapsed, 2),
                }
            )
    bench.report.raw["memory"] = {
        "populated": counts.as_dict(),
        "db_mb": round(database.stat().st_size / 1e6, 1),
        "runs": runs,
    }
    n = bench.runs
    peak = median([r["peak_rss_mb"] for r in runs])
    held = f"{RSS_MEETINGS:,} meetings x {RSS_ITEMS} items"
    add = bench.report.add
    add(
        Figure(S5, f"RSS after start-up, {held}", median([r["idle_rss_mb"] for r in runs]), "MB", n)
    )
    add(
        Figure(
            S5,
            f"peak RSS (VmHWM) after {AGENDA_REQUESTS} /meeting agenda",
            peak,
            "MB",
            n,
            "< 150 MB",
            verdict(peak < 150),
        )
    )
    add(
        Figure(
            S5,
            "/meeting agenda (50 items) latency p50",
            median([r["agenda_p50_ms"] for r in runs]),
            "ms",
            n,
        )
    )
    if any(r["agenda_failures"] for r in runs):
        bench.report.notes.append("FAIL: some /meeting agenda requests were not answered.")
