"""Scenario 3: rendering a 2,000-item meeting, and 1,000 meetings' digests due at once.

The rendering is timed in memory; the digests are delivered by the real bot against the fake
Slack, once unthrottled and once under a workspace-wide rate cap.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

from bench.common import SIGNING_SECRET, Bench
from bench.fake import BenchSlack
from bench.load import median
from bench.populate import CHAIR, TEAM_ID, MeetingPlan, populate
from bench.processes import BenchError, bot_server
from bench.report import FAIL, Figure, verdict
from bot.domain.calendar import local_day_bounds, zone
from bot.domain.digest import build_digest
from bot.domain.model import Decision, Item, Meeting, Position, Session
from bot.domain.rules import ItemStatus, Objection, Outcome, PositionKind, Role, Rule
from bot.render import answers, sessions as render_schedule
from bot.render.blocks import Message

S3 = "3 rendering"
RENDER_ITEMS = 2_000
RENDER_REPEATS = 15
DIGEST_MEETINGS = 1_000
DIGEST_POLL = 0.1


def meeting_records(
    n_items: int, now: datetime
) -> tuple[Meeting, list[Item], dict[int, Decision], list[Session]]:
    """A large meeting as records: open, adopted, blocked and withdrawn items with positions."""
    meeting = Meeting(
        id=1,
        team_id=TEAM_ID,
        channel_id="C0RENDER",
        title="Kimberley Process Plenary — rendering benchmark",
        timezone="Africa/Gaborone",
        rule=Rule(),
        created_by=CHAIR,
        created_at=now - timedelta(days=3),
        chairs=(CHAIR,),
    )
    names = [f"Delegation {d:03d} of Côte d'Ivoire & <partners>" for d in range(200)]
    items: list[Item] = []
    decisions: dict[int, Decision] = {}
    for i in range(n_items):
        number = i + 1
        kind = i % 10
        status = (
            ItemStatus.OPEN
            if kind < 6
            else ItemStatus.ADOPTED
            if kind < 8
            else ItemStatus.BLOCKED
            if kind == 8
            else ItemStatus.WITHDRAWN
        )
        tabled = now - timedelta(hours=40) + timedelta(seconds=61 * i % 144_000)
        positions = tuple(
            Position(
                delegation_id=(i + s) % 200 + 1,
                delegation=names[(i + s) % 200],
                role=Role.PARTICIPANT,
                kind=PositionKind.OBJECTION if s < 2 and i % 3 == 0 else PositionKind.SUPPORT,
                statement=f"Paragraph {s + 1} must refer to the 2003 certification scheme",
                user_id=f"U{(i + s) % 200:04d}",
                recorded_at=tabled + timedelta(minutes=s + 1),
            )
            for s in range(3)
        )
        closed = tabled + timedelta(hours=1) if status is not ItemStatus.OPEN else None
        item = Item(
            id=number,
            meeting_id=1,
            number=number,
            sponsor_id=i % 200 + 1,
            sponsor=names[i % 200],
            text=(
                f"Motion {number}: that the plenary takes note of document KP/{number:04d},"
                " welcomes the report of the working group on monitoring, and requests the"
                " chair to circulate a revised *draft* before the next session <with> care."
            ),
            status=status,
            tabled_by=f"U{i % 200:04d}",
            tabled_at=tabled,
            deadline=now + timedelta(hours=1 + i % 48) if status is ItemStatus.OPEN else None,
            positions=positions,
            closed_at=closed,
        )
        items.append(item)
        if closed is not None and status in (ItemStatus.ADOPTED, ItemStatus.BLOCKED):
            decisions[item.id] = Decision(
                item_id=item.id,
                outcome=Outcome.ADOPTED if status is ItemStatus.ADOPTED else Outcome.BLOCKED,
                rule=meeting.rule,
                participants=200,
                objections=tuple(Objection(p.delegation, p.statement) for p in positions[:1])
                if status is ItemStatus.BLOCKED
                else (),
                decided_at=closed,
                decided_by=CHAIR,
            )
    sessions = [
        Session(
            id=s + 1,
            meeting_id=1,
            number=s + 1,
            title=f"Plenary session {s + 1}",
            starts_at=now + timedelta(hours=2 * s + 1),
            remind_at=now + timedelta(hours=2 * s + 1) - timedelta(minutes=15),
        )
        for s in range(3)
    ]
    return meeting, items, decisions, sessions


def _timed(repeats: int, work: Any) -> tuple[list[float], Message]:
    times: list[float] = []
    message: Message | None = work()  # warm-up, not timed
    for _ in range(repeats):
        start = time.perf_counter()
        message = work()
        times.append(time.perf_counter() - start)
    assert message is not None
    return times, message


def render_large(bench: Bench) -> None:
    """Time the agenda and the digest of a 2,000-item meeting (median of several renders),
    through the functions the handlers and the announcer call."""
    now = datetime(2026, 11, 5, 6, 0, tzinfo=UTC)
    meeting, items, decisions, sessions = meeting_records(RENDER_ITEMS, now)
    day = local_day_bounds(now, zone(meeting.timezone))

    def agenda() -> Message:
        return answers.agenda(meeting, items, decisions, participants=200)

    def digest() -> Message:
        built = build_digest(
            meeting, items, decisions, sessions, since=now - timedelta(days=1), until=now, day=day
        )
        return render_schedule.digest(built)

    results: dict[str, Any] = {}
    for name, work in (("agenda", agenda), ("digest", digest)):
        times, message = _timed(RENDER_REPEATS, work)
        results[name] = {
            "median_ms": round(1000 * statistics.median(times), 3),
            "min_ms": round(1000 * min(times), 3),
            "messages": 1,
            "blocks": len(message.blocks),
            "text_chars": len(message.text),
            "payload_bytes": len(json.dumps(message.blocks).encode()),
        }
    bench.report.raw["render_2000"] = results
    add = bench.report.add
    for name in ("agenda", "digest"):
        r = results[name]
        label = "digest (build_digest + render_schedule.digest)" if name == "digest" else "agenda"
        goal, ok = ("< 50 ms", r["median_ms"] < 50) if name == "digest" else ("", True)
        add(
            Figure(
                S3,
                f"{RENDER_ITEMS:,}-item {label}",
                float(r["median_ms"]),
                "ms",
                RENDER_REPEATS,
                goal,
                verdict(ok) if goal else "",
            )
        )
        add(
            Figure(
                S3,
                f"  {name}: best render / messages / blocks / payload",
                f"{r['min_ms']:.1f} ms / {r['messages']} / {r['blocks']}"
                f" / {r['payload_bytes'] / 1000:.1f} kB",
                "",
                RENDER_REPEATS,
                "<= 50 blocks",
                verdict(r["blocks"] <= 50),
            )
        )


def _max_in_window(times: list[float], window: float = 1.0) -> int:
    """The most events within any ``window`` seconds (sliding)."""
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def digests_due(bench: Bench) -> None:
    """1,000 meetings' digests fall due at one minute; the bot starts and catches them up."""
    runs: dict[str, dict[str, Any]] = {}
    for limit in (None, bench.digest_limit):
        runs["unlimited" if limit is None else f"limit {limit}/s"] = await _digest_run(bench, limit)
    bench.report.raw["digests_1000"] = runs
    add = bench.report.add
    for name, r in runs.items():
        where = (
            "no rate limit"
            if name == "unlimited"
            else f"fake Slack allows {bench.digest_limit} chat.* calls/s, else 429"
        )
        add(
            Figure(
                S3,
                f"{DIGEST_MEETINGS:,} digests ({where}): all delivered after",
                r["all_delivered_s"],
                "s",
                1,
            )
        )
        add(
            Figure(
                S3,
                "  start-up queued them in / first post after",
                f"{r['queued_s']:.1f} / {r['first_post_s']:.1f}",
                "s",
                1,
            )
        )
        add(
            Figure(
                S3,
                "  most chat.* posts in any 1 s: workspace / one channel",
                f"{r['max_posts_per_s']} / {r['max_posts_per_channel_s']}",
                "",
                1,
            )
        )
        unhandled = r["unhandled_429"]
        correct = r["delivered"] == DIGEST_MEETINGS and r["duplicates"] == 0
        limited = name != "unlimited"
        add(
            Figure(
                S3,
                "  delivered / duplicates / 429s answered / 429s left to the outbox",
                f"{r['delivered']} / {r['duplicates']} / {r['answered_429']} / {unhandled}",
                "",
                1,
                "all, none twice, 0 unhandled" if limited else "all, none twice",
                (verdict(unhandled == 0) if limited else "") if correct else FAIL,
            )
        )
    unlimited = runs["unlimited"]
    bench.report.notes.append(
        f"Digests: unthrottled, the bot posted up to {unlimited['max_posts_per_s']} messages in"
        " one second across channels (it paces one message a second per channel only); against"
        f" a workspace-wide cap of {bench.digest_limit}/s, Slack's 429 + Retry-After is what"
        " paces it (the SDK's retry handler waits and retries)."
    )


async def _digest_run(bench: Bench, limit: int | None) -> dict[str, Any]:
    name = "unlimited" if limit is None else f"limited-{limit}"
    database = bench.workdir / f"digests-{name}.sqlite3"
    now = datetime.now(UTC)
    fire = now.replace(second=0, microsecond=0)
    plans = [
        MeetingPlan(
            channel_id=f"C0D{m:04d}",
            member_prefix=f"UD{m:04d}X",
            delegations=3,
            items=5,
            positions_per_item=2,
            adopted_every=3,
            digest_at=fire,
        )
        for m in range(DIGEST_MEETINGS)
    ]
    await populate(database, plans, now)
    # Bounded: at the limit the posts alone take DIGEST_MEETINGS / limit seconds.
    budget = 120.0 if limit is None else 3.0 * DIGEST_MEETINGS / limit + 60.0
    async with BenchSlack(chat_limit_per_second=limit) as fake:
        bot = bot_server(bench.workdir, f"digests-{name}", database, fake.api_url, SIGNING_SECRET)
        await bot.start(bench.session)
        try:
            deadline = time.monotonic() + budget
            while time.monotonic() < deadline:
                if _digest_posts(fake) >= DIGEST_MEETINGS:
                    break
                await asyncio.sleep(DIGEST_POLL)
            await asyncio.sleep(2.0)  # anything sent twice would arrive now
            queued = await bot.await_event("timekeeping started")
            failed = [
                e
                for e in bot.events()
                if e.get("event") == "notice delivery failed" and e.get("error") == "ratelimited"
            ]
        finally:
            await bot.stop()
        posts = [
            a
            for a in fake.arrivals
            if a.method == "chat.postMessage" and a.ok and a.kind == "digest"
        ]
        per_channel: dict[str, int] = {}
        for a in posts:
            per_channel[a.channel] = per_channel.get(a.channel, 0) + 1
        times = sorted(a.at for a in posts)
        chat_ok = sorted(a.at for a in fake.arrivals if a.ok and a.method.startswith("chat."))
        by_channel: dict[str, list[float]] = {}
        for a in fake.arrivals:
            if a.ok and a.method.startswith("chat."):
                by_channel.setdefault(a.channel, []).append(a.at)
        if not times:
            raise BenchError(f"no digest was posted; bot log: {bot.log_path}")
        return {
            "meetings": DIGEST_MEETINGS,
            "limit_per_s": limit,
            "delivered": len(per_channel),
            "duplicates": sum(n - 1 for n in per_channel.values()),
            "queued_s": round(queued[0], 2) if queued else float("nan"),
            "healthy_s": round(bot.healthy_after, 2),
            "first_post_s": round(times[0] - bot.started_mono, 2),
            "all_delivered_s": round(times[-1] - bot.started_mono, 2),
            "delivery_span_s": round(times[-1] - times[0], 2),
            "mean_posts_per_s": round(len(times) / max(times[-1] - times[0], 1e-9), 1),
            "max_posts_per_s": _max_in_window(chat_ok),
            "max_posts_per_channel_s": max(_max_in_window(sorted(t)) for t in by_channel.values()),
            "answered_429": fake.rate_limited,
            "unhandled_429": len(failed),
            "median_gap_ms": round(1000 * median([b - a for a, b in pairwise(times)]), 2),
        }


def _digest_posts(fake: BenchSlack) -> int:
    return len(
        {
            a.channel
            for a in fake.arrivals
            if a.method == "chat.postMessage" and a.ok and a.kind == "digest"
        }
    )
