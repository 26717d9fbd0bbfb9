"""The scheduler: one APScheduler date job per future deadline, reminder and digest.

The only module that imports APScheduler. Jobs are a cache of the database, rebuilt at
start-up with explicit ids (``deadline:42``, ``reminder:7``, ``digest:3``); every job runs
the same idempotent ``Timekeeper.run_due``. Date triggers only: daily times are computed in
``bot.calendar`` instead of with the cron trigger, whose local-time DST handling is broken.
"""

from __future__ import annotations

import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    JobExecutionEvent,
)
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger(__name__)

RETRY_AFTER = timedelta(minutes=1)
EXECUTED_KEPT = 1000
MAX_RETRIES = 10


class ApsPlanner:
    """Implements ``bot.ports.Planner`` on APScheduler 3's asyncio scheduler."""

    def __init__(self, on_fire: Callable[[], Awaitable[object]] | None = None) -> None:
        self._scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={
                # Run however late (a deadline is never silently dropped, unlike the
                # default 1-second grace); collapse piled-up runs into one.
                "misfire_grace_time": None,
                "coalesce": True,
                "max_instances": 1,
            },
        )
        self._on_fire = on_fire
        self._retries: dict[str, int] = {}
        self._repeating: set[str] = set()  # jobs on a period: their next run is their retry
        # The job ids that ran, newest last (for health and tests); the last few only, as the
        # periodic sweep of replicas runs for as long as the process does.
        self.executed: deque[str] = deque(maxlen=EXECUTED_KEPT)
        self._listeners: list[Callable[[str], None]] = []
        self._scheduler.add_listener(
            self._on_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_EXECUTED
        )

    def set_on_fire(self, on_fire: Callable[[], Awaitable[object]]) -> None:
        self._on_fire = on_fire

    def add_listener(self, listener: Callable[[str], None]) -> None:
        """Call ``listener(job_id)`` after each job has run."""
        self._listeners.append(listener)

    def plan(self, job_id: str, at: datetime) -> None:
        existing = self._scheduler.get_job(job_id)
        if existing is not None and getattr(existing.trigger, "run_date", None) == at:
            return  # already planned for that time (the periodic re-plan, a hint heard back)
        self._scheduler.add_job(
            self._fire,
            DateTrigger(run_date=at.astimezone(UTC)),
            id=job_id,
            name=job_id,
            args=[job_id],
            replace_existing=True,
        )

    def repeat(self, job_id: str, every: timedelta, call: Callable[[], Awaitable[object]]) -> None:
        """Run ``call`` every ``every`` (a fixed period, so no local-time rules apply)."""
        self._repeating.add(job_id)
        self._scheduler.add_job(
            call,
            IntervalTrigger(seconds=every.total_seconds(), timezone=UTC),
            id=job_id,
            name=job_id,
            replace_existing=True,
        )

    def cancel(self, job_id: str) -> None:
        with contextlib.suppress(JobLookupError):
            self._scheduler.remove_job(job_id)

    def job_ids(self) -> list[str]:
        return [job.id for job in self._scheduler.get_jobs()]

    def next_run(self, job_id: str) -> datetime | None:
        job = self._scheduler.get_job(job_id)
        return job.next_run_time if job is not None else None

    def run_now(self, job_id: str) -> None:
        """Move a planned job's fire time to now (an operator's "run it now")."""
        self._scheduler.modify_job(job_id, next_run_time=datetime.now(UTC))

    def start(self) -> None:
        self._scheduler.start()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    async def _fire(self, job_id: str) -> None:
        if self._on_fire is not None:
            await self._on_fire()

    def _on_event(self, event: JobExecutionEvent) -> None:
        job_id = str(event.job_id)
        if event.code == EVENT_JOB_EXECUTED:
            self._retries.pop(job_id, None)
            self.executed.append(job_id)
            for listener in self._listeners:
                listener(job_id)
            return
        if event.code == EVENT_JOB_MISSED:
            log.warning("scheduled job missed", extra={"job_id": job_id})
            return
        if job_id in self._repeating:
            log.error("repeating job failed", exc_info=event.exception, extra={"job_id": job_id})
            return
        attempt = self._retries.get(job_id, 0) + 1
        self._retries[job_id] = attempt
        log.error(
            "scheduled job failed",
            exc_info=event.exception,
            extra={"job_id": job_id, "attempt": attempt},
        )
        if attempt <= MAX_RETRIES:
            self.plan(job_id, datetime.now(UTC) + RETRY_AFTER * attempt)
