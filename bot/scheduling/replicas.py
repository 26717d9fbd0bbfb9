"""Timekeeping when several replicas share one database. Each replica keeps its own timers,
only as wake-up calls (every due thing is claimed once in the database, whoever sweeps it);
for a deadline set through one replica to fall due on the others too, a job planned here is
hinted to them (LISTEN/NOTIFY), and each replica also reads what is due from the database
every ``every``, so a lost hint or a replica that died with its timers costs promptness at
most, never the deadline."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.ports.store import Hints, Planner
from bot.scheduling.planner import ApsPlanner

log = logging.getLogger(__name__)

SWEEP_JOB = "sweep"


class SharedPlanner:
    """The Planner the services use with replicas: plans here and tells the others."""

    def __init__(self, local: Planner, hints: Hints, origin: str | None = None) -> None:
        self._local = local
        self._hints = hints
        # Names this replica's hints, so it does not plan again (perhaps a time since
        # replaced) what it planned itself.
        self._origin = origin or secrets.token_hex(6)

    def plan(self, job_id: str, at: datetime) -> None:
        self._local.plan(job_id, at)
        self._hints.publish(f"plan {job_id} {at.isoformat()} {self._origin}")

    def cancel(self, job_id: str) -> None:
        # Not hinted: a job left on another replica fires, sweeps and finds nothing due.
        self._local.cancel(job_id)

    def heard(self, hint: str) -> None:
        """Another replica planned a job: plan it here too."""
        words = hint.split(" ")
        at = None
        if len(words) == 4 and words[0] == "plan" and words[1]:
            if words[3] == self._origin:
                return  # our own
            with contextlib.suppress(ValueError):
                at = datetime.fromisoformat(words[2])
        if at is None or at.tzinfo is None:
            log.warning("hint not understood", extra={"hint": hint[:200]})
            return
        self._local.plan(words[1], at)


class ReplicaTimekeeping:
    def __init__(
        self,
        local: ApsPlanner,
        hints: Hints,
        sweep: Callable[[], Awaitable[object]],
        every: timedelta,
    ) -> None:
        self.planner = SharedPlanner(local, hints)
        self._local = local
        self._hints = hints
        self._sweep = sweep
        self._every = every
        self._listening: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Listen for the other replicas' jobs and sweep from the database periodically."""
        self._local.repeat(SWEEP_JOB, self._every, self._sweep)
        if self._listening is None:
            self._listening = asyncio.create_task(
                self._hints.listen(self.planner.heard), name="hints"
            )

    async def stop(self) -> None:
        task, self._listening = self._listening, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._hints.close()
