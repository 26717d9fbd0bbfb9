"""Which meetings this process may deliver, pass by pass, when several replicas share one
database: a meeting's notices go out from the one replica holding its lease (owner, expiry,
generation), and every write about them is fenced by that lease, so a replica that paused past
its lease's expiry cannot overwrite what the new holder recorded. A SQLite file is served by
one process: there every meeting is this process's, and a write is a plain transaction."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Callable, Coroutine, Iterable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bot.ports.clock import Clock
from bot.ports.store import DeliveryLeases, LeaseLost, Store, UnitOfWork

log = logging.getLogger(__name__)

T = TypeVar("T")


def replica_name() -> str:
    """This process's name as a lease owner: unique across hosts and restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class Leasing:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        leases: DeliveryLeases | None,
        lease: timedelta,
        owner: str | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._leases = leases  # None: this process is the only one (SQLite)
        self._lease = lease
        self.owner = owner or replica_name()
        self._held: dict[int, int] = {}  # meeting id -> the generation of our lease on it
        self._renewed: dict[int, datetime] = {}  # meeting id -> when we last took or renewed it
        self.refused = False  # in this pass, another replica held one: ask again soon

    @property
    def shared(self) -> bool:
        """Whether other replicas may deliver from the same database."""
        return self._leases is not None

    def begin_pass(self) -> None:
        self._held.clear()
        self._renewed.clear()
        self.refused = False

    async def take(self, meeting_ids: Iterable[int]) -> dict[int, datetime | None]:
        """Take the lease of each meeting this process may deliver now; returns those taken,
        each with when a replica last spoke to its channel (None: not known here)."""
        taken: dict[int, datetime | None] = {}
        now = self._clock.now()
        for meeting_id in dict.fromkeys(meeting_ids):
            if self._leases is None:
                self._held[meeting_id] = 0
                taken[meeting_id] = None
                continue
            lease = await self._leases.hold(meeting_id, self.owner, now, now + self._lease)
            if lease is None:
                self.refused = True  # another replica delivers it
                continue
            self._held[meeting_id] = lease.generation
            self._renewed[meeting_id] = now
            taken[meeting_id] = lease.spoke_at
        return taken

    def holds(self, meeting_id: int) -> bool:
        return meeting_id in self._held

    async def renew(self, meeting_id: int) -> bool:
        """Renew the meeting's lease just before a Slack call; False (and the meeting left for
        this pass) when it changed hands meanwhile, say after a pause longer than it."""
        if meeting_id not in self._held:
            return False
        if self._leases is None:
            return True
        now = self._clock.now()
        lease = await self._leases.hold(meeting_id, self.owner, now, now + self._lease)
        if lease is not None and lease.generation == self._held[meeting_id]:
            self._renewed[meeting_id] = now
            return True
        self._lost(meeting_id)
        return False

    async def keep(self) -> None:
        """Renew every lease of the pass not renewed for a third of its length: a pass paced
        through a busy channel keeps the meetings it has yet to reach, rather than letting
        their leases lapse and another replica take them over mid-pass."""
        if self._leases is None:
            return
        stale = self._clock.now() - self._lease / 3
        for meeting_id in [m for m, at in self._renewed.items() if at <= stale]:
            await self.renew(meeting_id)

    async def write(
        self, meeting_id: int, unit: Callable[[UnitOfWork], Coroutine[Any, Any, T]]
    ) -> T:
        """Write about one of the meeting's notices, only while this process holds its lease
        (LeaseLost otherwise, nothing written)."""
        if self._leases is None:
            return await self._store.transact(unit)
        generation = self._held.get(meeting_id)
        if generation is None:
            raise LeaseLost(meeting_id)
        try:
            return await self._leases.transact_holding(meeting_id, self.owner, generation, unit)
        except LeaseLost:
            self._lost(meeting_id)
            raise

    async def release(self, spoke_at: dict[int, datetime | None]) -> None:
        """Give up every lease taken in this pass, so another replica's notices for those
        meetings wait no longer than its next ask; one not given up (we died) expires."""
        if self._leases is None:
            return
        now = self._clock.now()
        for meeting_id in self._held:
            with contextlib.suppress(Exception):
                await self._leases.release(meeting_id, self.owner, now, spoke_at.get(meeting_id))

    def _lost(self, meeting_id: int) -> None:
        self._held.pop(meeting_id, None)
        self._renewed.pop(meeting_id, None)
        self.refused = True
        log.warning(
            "delivery lease lost; another replica delivers", extra={"meeting_id": meeting_id}
        )
