"""A job another replica planned is planned here too, from its hint; a hint that is not
understood plans nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.scheduling.planner import ApsPlanner
from bot.scheduling.replicas import SharedPlanner

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Sent:
    """The hints a replica sends, kept in order (the transport is tested on PostgreSQL)."""

    def __init__(self) -> None:
        self.payloads: list[str] = []

    def publish(self, payload: str) -> None:
        self.payloads.append(payload)

    async def listen(self, on_hint: object) -> None:  # pragma: no cover - never listened
        raise AssertionError("not used")

    async def close(self) -> None:
        return None


async def test_a_job_planned_on_one_replica_is_planned_on_the_replica_that_hears_its_hint() -> None:
    sent = Sent()
    here, there = ApsPlanner(), ApsPlanner()
    SharedPlanner(here, sent).plan("deadline:42", AT)
    receiving = SharedPlanner(there, Sent())
    for hint in sent.payloads:
        receiving.heard(hint)
    there.start()
    try:
        assert here.job_ids() == ["deadline:42"]
        assert there.job_ids() == ["deadline:42"]
        assert there.next_run("deadline:42") == AT
    finally:
        there.shutdown()


async def test_a_hint_that_is_not_understood_plans_nothing() -> None:
    there = ApsPlanner()
    receiving = SharedPlanner(there, Sent())
    for hint in [
        "",
        "plan",
        "plan deadline:1",
        "plan deadline:1 tomorrow",
        "plan deadline:1 2026-12-01T09:00:00",  # no time zone
        "plan  2026-12-01T09:00:00+00:00",  # no job
        "cancel deadline:1 2026-12-01T09:00:00+00:00",
    ]:
        receiving.heard(hint)
    assert there.job_ids() == []


async def test_a_periodic_sweep_that_fails_keeps_its_period() -> None:
    """A failed run of the repeating sweep is not turned into a one-off retry a minute later
    (what a failed date job gets): its next period runs it again."""
    planner = ApsPlanner()
    runs: list[int] = []
    again = asyncio.Event()

    async def failing_sweep() -> None:
        runs.append(len(runs) + 1)
        if len(runs) >= 2:
            again.set()
        raise RuntimeError("the database is away")

    planner.repeat("sweep", timedelta(milliseconds=20), failing_sweep)
    planner.start()
    try:
        # Patience for a hang to fail, not a time limit: the period is 20 ms.
        await asyncio.wait_for(again.wait(), 60)
        assert planner.job_ids() == ["sweep"]
    finally:
        planner.shutdown()
    assert len(runs) >= 2


async def test_a_replica_does_not_plan_again_what_its_own_hint_says() -> None:
    """Its hint may arrive after the job was planned again at another time: hearing it must
    not bring the replaced time back."""
    sent = Sent()
    here = ApsPlanner()
    planner = SharedPlanner(here, sent)
    planner.plan("deadline:7", AT)
    later = AT.replace(hour=10)
    planner.plan("deadline:7", later)
    for hint in sent.payloads:  # heard back late, the older first
        planner.heard(hint)
    here.start()
    try:
        assert here.next_run("deadline:7") == later
    finally:
        here.shutdown()
