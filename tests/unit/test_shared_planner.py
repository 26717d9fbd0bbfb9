"""A job another replica planned is planned here too, from its hint; a hint that is not
understood plans nothing."""

from __future__ import annotations

from datetime import UTC, datetime

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
        "cancel deadline:1 2026-12-01T09:00:00+00:00",
    ]:
        receiving.heard(hint)
    assert there.job_ids() == []
