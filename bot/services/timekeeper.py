"""Acts on time without anyone typing: closes items at their deadlines, sends session
reminders and daily digests, and catches up once after a restart.

Each due thing changes state and queues its notice in one transaction, so a crash between
the two cannot send it twice; the scheduler only decides *when* to look (`run_due`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bot.domain.calendar import latest_fire_at_or_before, next_fire_after, zone
from bot.domain.errors import Conflict
from bot.domain.model import AgendaProposal, Item, Meeting, NoticeKind, Session
from bot.domain.rules import ItemStatus
from bot.domain.votes import Vote
from bot.ports.clock import Clock
from bot.ports.store import Planner, Store, UnitOfWork
from bot.services.agenda import adopt_agenda
from bot.services.lookups import decide_item
from bot.services.sessions import agenda_job, deadline_job, digest_job, reminder_job
from bot.services.speaking_time import keep_floor_time, time_job, warning_job
from bot.services.use_cases import UseCases
from bot.services.votes import close_vote, vote_job
from bot.services.workspaces import purge_job, purge_workspaces

log = logging.getLogger(__name__)

# A deadline or digest handled later than this after its time is announced as late.
LATE_AFTER = timedelta(minutes=1)
# A digest missed by up to this much (say, a restart) is still sent, late; older ones are
# skipped, and the next digest covers their period.
DIGEST_GRACE = timedelta(hours=3)


K = TypeVar("K")
R = TypeVar("R")


class _Busy:
    """Another transaction holds the meeting's lock: left for the sweep's second pass."""


BUSY = _Busy()


@dataclass(frozen=True)
class _Closing:
    """What handling one due deadline did."""

    decided: bool
    late: bool
    cause: str | None  # why nothing was decided: "quorum" or "superseded"


@dataclass
class Sweep:
    """What one pass did, for logs, tests and the demo."""

    decided: list[int] = field(default_factory=list)
    inquorate: list[int] = field(default_factory=list)
    agendas: list[int] = field(default_factory=list)
    reminded: list[int] = field(default_factory=list)
    skipped_reminders: list[int] = field(default_factory=list)
    digests: list[int] = field(default_factory=list)
    skipped_digests: list[int] = field(default_factory=list)
    floor_warnings: list[int] = field(default_factory=list)  # turn ids
    floor_expiries: list[int] = field(default_factory=list)  # turn ids
    votes: list[int] = field(default_factory=list)  # votes closed by their deadline
    purged: list[str] = field(default_factory=list)  # workspaces whose data was erased


class Timekeeper(UseCases):
    def __init__(
        self, store: Store, clock: Clock, planner: Planner, notify: Callable[[], None]
    ) -> None:
        super().__init__(store, clock, planner, notify)
        # One sweep at a time: the jobs due at one instant fire together, and each would
        # otherwise try every due thing again (n jobs, n sweeps of n things). Behind the
        # lock, the first sweep does the work and the others find nothing left.
        self._sweeping = asyncio.Lock()

    async def run_due(self) -> Sweep:
        """Handle every deadline, reminder and digest due by now. Safe to call at any time
        and any number of times, even by sweeps that overlap: each due thing is claimed in
        the unit of work that changes its state and queues its notice, so what was handled
        is never handled again."""
        async with self._sweeping:
            return await self._sweep()

    async def _sweep(self) -> Sweep:
        now = self._clock.now()
        sweep = Sweep()
        await self._close_votes(now, sweep)
        await self._close_deadlines(now, sweep)
        await self._adopt_agendas(now, sweep)
        await self._send_reminders(now, sweep)
        await self._send_digests(now, sweep)
        sweep.floor_warnings, sweep.floor_expiries = await keep_floor_time(self._store, now)
        sweep.purged = await purge_workspaces(self._store, now)
        if (
            sweep.decided
            or sweep.inquorate
            or sweep.agendas
            or sweep.reminded
            or sweep.digests
            or sweep.floor_warnings
            or sweep.floor_expiries
            or sweep.votes
        ):
            self._notify()
        return sweep

    async def _close_votes(self, now: datetime, sweep: Sweep) -> None:
        """Close each vote whose deadline passed, once: the close is claimed in the unit
        that counts it (``close_vote`` finds a vote already closed and does nothing)."""

        async def due(uow: UnitOfWork) -> list[int]:
            return await uow.votes.due(now)

        secret = False
        for vote_id in await self._store.query(due):

            async def close(uow: UnitOfWork, vote_id: int = vote_id) -> Vote | None:
                if await close_vote(uow, vote_id, "deadline", now) is None:
                    return None
                return await uow.votes.get(vote_id)

            closed = await self._store.transact(close)
            if closed is None:
                continue
            secret = secret or closed.secret
            sweep.votes.append(vote_id)
            log.info("deadline closed vote", extra={"vote_id": vote_id})
        if secret:
            await self._store.scrub()

    async def _close_deadlines(self, now: datetime, sweep: Sweep) -> None:
        async def due(uow: UnitOfWork) -> list[int]:
            return await uow.items.deadlines_due(now)

        async def close(uow: UnitOfWork, item_id: int, wait: bool) -> _Closing | _Busy | None:
            """Decide the item, or record that it waits for the chair; None when it is no
            longer due. The check and the change are one unit of work: another pass running
            meanwhile finds the item decided or without its deadline."""
            found = await uow.items.get(item_id)
            if found is None:
                return None
            # The meeting first: on PostgreSQL its row lock makes the units of one meeting,
            # on every replica, run one after another, always taking that lock before any
            # other (no deadlock). The item is then read as it stands now: a pass of another
            # replica that decided it meanwhile has committed.
            if not await uow.meetings.lock(found.meeting_id, wait=wait):
                return None if wait else BUSY
            meeting = await uow.meetings.get(found.meeting_id)
            assert meeting is not None
            item = await uow.items.get(item_id)
            if item is None or item.status is not ItemStatus.OPEN or not item.deadline:
                return None  # decided by the chair, or handled by another pass, meanwhile
            if await uow.votes.open_for_item(item.id) is not None:
                return None  # a vote decides it, not its own deadline
            late = now - item.deadline > LATE_AFTER
            try:  # the refusals come before anything is written
                await decide_item(uow, meeting, item, "deadline", now, late=late)
            except Conflict as refused:
                # No quorum, a modification of a text already superseded that only a
                # chair's confirmation can decide, or an item that only a vote can
                # decide: the item waits for the chair.
                if refused.field not in ("quorum", "superseded", "vote"):
                    raise
                await _wait_for_the_chair(uow, item, now, refused.message, refused.field)
                return _Closing(decided=False, late=late, cause=refused.field)
            return _Closing(decided=True, late=late, cause=None)

        for item_id, closing in await self._claim_each(await self._store.query(due), close):
            if closing is None:
                continue
            if not closing.decided:
                sweep.inquorate.append(item_id)
                log.warning(
                    "deadline passed without a decision",
                    extra={"item_id": item_id, "cause": closing.cause},
                )
                continue
            sweep.decided.append(item_id)
            log.info("deadline closed item", extra={"item_id": item_id, "late": closing.late})

    async def _adopt_agendas(self, now: datetime, sweep: Sweep) -> None:
        async def due(uow: UnitOfWork) -> list[AgendaProposal]:
            return await uow.agendas.due(now)

        for proposal in await self._store.query(due):

            async def adopt(uow: UnitOfWork, proposal: AgendaProposal = proposal) -> bool:
                return await adopt_agenda(uow, proposal, now)

            if await self._store.transact(adopt):
                sweep.agendas.append(proposal.id)

    async def _send_reminders(self, now: datetime, sweep: Sweep) -> None:
        async def due(uow: UnitOfWork) -> list[Session]:
            return await uow.sessions.reminders_due(now)

        async def remind(uow: UnitOfWork, session: Session, wait: bool) -> bool | _Busy | None:
            """Queue the reminder; None when another pass did, False when it is too late."""
            if not await uow.meetings.lock(session.meeting_id, wait=wait):
                return None if wait else BUSY
            if not await uow.sessions.mark_reminded(session.id, now):
                return None
            if now >= session.starts_at:
                return False
            await uow.notices.add(
                session.meeting_id, None, NoticeKind.REMINDER, now, {"session_id": session.id}
            )
            return True

        for session, sent in await self._claim_each(await self._store.query(due), remind):
            if sent:
                sweep.reminded.append(session.id)
            elif sent is False:
                sweep.skipped_reminders.append(session.id)
                log.warning(
                    "reminder skipped: session already started",
                    extra={"session_id": session.id, "meeting_id": session.meeting_id},
                )

    async def _send_digests(self, now: datetime, sweep: Sweep) -> None:
        async def due(uow: UnitOfWork) -> list[Meeting]:
            return await uow.meetings.digests_due(now)

        async def post(uow: UnitOfWork, meeting: Meeting, wait: bool) -> bool | _Busy | None:
            """Queue the digest, or skip a missed one (False); None when another pass or a
            settings change got here first."""
            if meeting.digest_time is None:
                return None
            if not await uow.meetings.lock(meeting.id, wait=wait):
                return None if wait else BUSY
            current = await uow.meetings.get(meeting.id)
            if current is None or current.next_digest_at != meeting.next_digest_at:
                return None
            tz = zone(meeting.timezone)
            fire = latest_fire_at_or_before(now, meeting.digest_time, tz)
            following = next_fire_after(fire, meeting.digest_time, tz)
            if now - fire > DIGEST_GRACE:
                await uow.meetings.skip_digest(meeting.id, following)
                return False
            since = meeting.digest_since.isoformat() if meeting.digest_since else None
            late = now - fire > LATE_AFTER
            await uow.notices.add(
                meeting.id,
                None,
                NoticeKind.DIGEST,
                now,
                {"since": since, "until": now.isoformat(), "late": late},
            )
            await uow.meetings.advance_digest(meeting.id, following, since=now)
            return True

        for meeting, sent in await self._claim_each(await self._store.query(due), post):
            if sent is None:
                continue
            if sent:
                sweep.digests.append(meeting.id)
            else:
                sweep.skipped_digests.append(meeting.id)
                log.warning(
                    "digest skipped: missed by more than the grace period",
                    extra={"meeting_id": meeting.id, "due": str(meeting.next_digest_at)},
                )
            if meeting.digest_time is not None:
                tz = zone(meeting.timezone)
                fire = latest_fire_at_or_before(now, meeting.digest_time, tz)
                self._planner.plan(
                    digest_job(meeting.id), next_fire_after(fire, meeting.digest_time, tz)
                )

    async def _claim_each(
        self,
        keys: Sequence[K],
        unit: Callable[[UnitOfWork, K, bool], Coroutine[Any, Any, R | _Busy]],
    ) -> list[tuple[K, R]]:
        """Run ``unit`` for each key, each in a transaction of its own, and return what each
        did. Replicas sweeping at once split the work: a first pass leaves a key whose
        meeting another transaction holds (FOR UPDATE SKIP LOCKED, never waiting) for a
        second pass, which waits for the lock and mostly finds the work done by then."""
        done: list[tuple[K, R]] = []
        later: list[K] = []

        def claim(key: K, wait: bool) -> Callable[[UnitOfWork], Coroutine[Any, Any, R | _Busy]]:
            async def run(uow: UnitOfWork) -> R | _Busy:
                return await unit(uow, key, wait)

            return run

        for key in keys:
            result = await self._store.transact(claim(key, False))
            if isinstance(result, _Busy):
                later.append(key)
            else:
                done.append((key, result))
        for key in later:
            result = await self._store.transact(claim(key, True))
            if not isinstance(result, _Busy):
                done.append((key, result))
        return done

    async def resync(self) -> Sweep:
        """Sweep what is due, then plan a timer for everything ahead, all read from the
        database: what each replica sharing one does periodically, so a deadline another
        replica planned (and maybe died with) falls due here too."""
        try:
            return await self.run_due()
        finally:  # the timers are planned even when a due thing failed to be handled
            await self.plan_all()

    async def plan_all(self) -> int:
        """Give the scheduler a job for every future deadline (items' and votes'), reminder
        and digest in the database (the source of truth); returns how many."""

        async def unit(
            uow: UnitOfWork,
        ) -> tuple[list[tuple[int, datetime]], ...]:
            return (
                await uow.items.planned_deadlines(),
                await uow.sessions.planned_reminders(),
                await uow.meetings.planned_digests(),
                await uow.agendas.planned(),
                await uow.votes.planned(),
            )

        deadlines, reminders, digests, agendas, votes = await self._store.query(unit)
        for vote_id, at in votes:
            self._planner.plan(vote_job(vote_id), at)
        turns = await self._store.query(lambda uow: uow.floor.planned())
        for what, turn_id, at in turns:
            self._planner.plan((warning_job if what == "warning" else time_job)(turn_id), at)
        for item_id, at in deadlines:
            self._planner.plan(deadline_job(item_id), at)
        for session_id, at in reminders:
            self._planner.plan(reminder_job(session_id), at)
        for meeting_id, at in digests:
            self._planner.plan(digest_job(meeting_id), at)
        for proposal_id, at in agendas:
            self._planner.plan(agenda_job(proposal_id), at)
        purges = await self._store.query(lambda uow: uow.workspaces.planned_purges())
        for team_id, at in purges:
            self._planner.plan(purge_job(team_id), at)
        return (
            len(deadlines)
            + len(reminders)
            + len(digests)
            + len(agendas)
            + len(turns)
            + len(votes)
            + len(purges)
        )


async def _wait_for_the_chair(
    uow: UnitOfWork, item: Item, now: datetime, why: str, cause: str
) -> None:
    """A deadline passed without a decision (no quorum, or a chair must confirm): the item
    stays open for the chair to decide later, its passed deadline is cleared (so it is
    never due again), and the channel is told why nothing was decided."""
    await uow.items.set_deadline(item.id, None)
    await uow.notices.add(
        item.meeting_id, item.id, NoticeKind.INQUORATE, now, {"why": why, "cause": cause}
    )
    await uow.notices.touch_card(item.id)  # the card no longer shows the passed deadline
    await uow.homes.mark_stale(item.meeting_id)
