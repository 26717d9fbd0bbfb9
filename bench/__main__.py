"""``python -m bench``: run the scenarios of issue 6, print one table, write it as JSON."""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import time
import traceback
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from bench import anatomy, burst, dispatch, rendering, replicas, screens, startup
from bench.common import Bench
from bench.load import client_session
from bench.report import (
    FAIL,
    Figure,
    Report,
    cpu_sample,
    foreign_load,
    git_commit,
    source_fingerprint,
)

RESULTS = Path(__file__).resolve().parent / "results"
FOREIGN_LOAD_WARNING = 0.05  # share of all cores used by other processes

Scenario = Callable[[Bench], Awaitable[None]]


async def _render(bench: Bench) -> None:
    rendering.render_large(bench)


# (key, what, run, time limit in seconds)
SCENARIOS: tuple[tuple[str, str, Scenario, float], ...] = (
    ("1", "objection burst beside the durable floor and bare Bolt", burst.objection_burst, 300),
    ("1a", "the objection's service path in-process", anatomy.anatomy, 120),
    ("1b", "objection bursts without HTTP", dispatch.dispatch, 120),
    ("2", "growth: 10 / 1,000 / 10,000 items", burst.growth, 400),
    ("3", "rendering a 2,000-item meeting", _render, 120),
    ("3d", "1,000 digests due at once", rendering.digests_due, 700),
    ("4", "start-up with 10,000 deadlines", startup.startup, 300),
    ("5", "peak memory, 1,000 meetings", startup.memory, 300),
    ("6", "200 screens following a burst of 200 objections", screens.screens, 300),
    ("7", "objection burst on PostgreSQL, 1 and 2 replicas, beside SQLite", replicas.replicas, 900),
)


async def run(args: argparse.Namespace) -> Report:
    workdir = RESULTS / f"work-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}"
    workdir.mkdir(parents=True, exist_ok=True)
    report = Report(db_directory=workdir)
    wanted = set(args.only.split(",")) if args.only else None
    for line in report.header_lines():
        print(line, flush=True)
    failed = False
    async with client_session() as session:
        bench = Bench(
            workdir=workdir,
            session=session,
            report=report,
            runs=args.runs,
            objections=args.objections,
            in_flight=args.in_flight,
            digest_limit=args.digest_limit,
            profile_seconds=args.profile_seconds if args.profile else 0.0,
            profile_bursts=args.profile_bursts,
        )
        for key, what, scenario, limit in SCENARIOS:
            if wanted is not None and key not in wanted:
                continue
            print(f"… scenario {key}: {what}", flush=True)
            bench.own_cpu_elsewhere = 0.0
            before = cpu_sample()
            sources = source_fingerprint()
            try:
                async with asyncio.timeout(limit):
                    await scenario(bench)
            except Exception as exc:
                failed = True
                report.add(Figure(key, what, f"not measured: {type(exc).__name__}", verdict=FAIL))
                report.notes.append(f"FAIL: scenario {key} stopped: {exc!r}")
                traceback.print_exc()
            load = foreign_load(before, cpu_sample(), own_elsewhere=bench.own_cpu_elsewhere)
            report.raw.setdefault("cpu", {})[key] = load
            if load["other_share"] > FOREIGN_LOAD_WARNING:
                report.notes.append(
                    f"WARNING: other processes used {100 * load['other_share']:.0f}% of the"
                    f" machine's CPU during scenario {key}; its figures are disturbed."
                )
            if source_fingerprint() != sources:
                report.notes.append(
                    f"WARNING: the product's sources changed while scenario {key} ran (now at"
                    f" {git_commit()}); its figures mix two versions."
                )
            if load["steal_share"] > FOREIGN_LOAD_WARNING:
                report.notes.append(
                    f"WARNING: the hypervisor took {100 * load['steal_share']:.0f}% of the CPU"
                    f" (steal) during scenario {key}; its figures are disturbed."
                )
    if not failed and not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        report.notes.append(f"Logs and databases kept in {workdir}")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="repeats of each cheap scenario")
    parser.add_argument(
        "--only", default="", help="comma-separated scenarios: 1,1a,1b,2,3,3d,4,5,6,7"
    )
    parser.add_argument("--objections", type=int, default=200)
    parser.add_argument("--in-flight", type=int, default=50)
    parser.add_argument(
        "--digest-limit",
        type=int,
        default=10,
        help="chat.* calls per second the fake Slack accepts before answering 429",
    )
    parser.add_argument("--profile", action="store_true", help="py-spy the bot in scenario 1")
    parser.add_argument("--profile-seconds", type=float, default=120.0)
    parser.add_argument("--profile-bursts", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="keep logs and databases")
    args = parser.parse_args(argv)
    started = time.monotonic()
    report = asyncio.run(run(args))
    report.raw["total_seconds"] = round(time.monotonic() - started, 1)
    print()
    print(report.text())
    json_path, md_path = report.write(RESULTS)
    print(f"\nwritten: {json_path} and {md_path} ({report.raw['total_seconds']:.0f} s in all)")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
