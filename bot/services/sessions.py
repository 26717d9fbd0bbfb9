"""Use cases of a meeting's calendar: time zone, objection window, sessions, reminders and
digest settings. Chairs change them; anyone may read them."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.commands.reference import usage_of
from bot.domain.calendar import (
    TimeFormatError,
    local_day_bounds,
    next_fire_after,
    parse_local,
    within_horizon,
    zone,
)
from bot.domain.digest import Digest, build_digest
from bot.domain.errors import NotFound, UsageError
from bot.domain.model import Meeting, Session
from bot.ports.store import UnitOfWork
from bot.services.lookups import Caller, meeting_of, require_chair
from bot.services.use_cases import UseCases


def deadline_job(item_id: int) -> str:
    return f"deadline:{item_id}"


def reminder_job(session_id: int) -> str:
    return f"reminder:{session_id}"


def agenda_job(proposal_id: int) -> str:
    return f"agenda:{proposal_id}"


def digest_job(meeting_id: int) -> str:
    return f"digest:{meeting_id}"


class ScheduleService(UseCases):
    async def set_timezone(self, caller: Caller, name: str) -> Meeting:
        tz = zone(name)

        async def unit(uow: UnitOfWork) -> Meeting | None:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "change the meeting's time zone")
            # The digest keeps its local time, so its next run moves with the zone.
            next_digest_at = (
                next_fire_after(self._clock.now(), meeting.digest_time, tz)
                if meeting.digest_time is not None
                else None
            )
            await uow.meetings.set_timezone(meeting.id, tz.key, next_digest_at)
            return await uow.meetings.get(meeting.id)

        updated = await self._store.transact(unit)
        assert updated is not None
        self._plan_digest(updated)
        return updated

    async def set_window(self, caller: Caller, window: timedelta | None) -> Meeting:
        async def unit(uow: UnitOfWork) -> Meeting | None:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "set the objection window")
            await uow.meetings.set_window(meeting.id, window)
            return await uow.meetings.get(meeting.id)

        updated = await self._store.transact(unit)
        assert updated is not None
        return updated

    async def set_reminder(self, caller: Caller, minutes: int) -> Meeting:
        async def unit(uow: UnitOfWork) -> tuple[Meeting | None, list[tuple[int, datetime]]]:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "set the reminder lead time")
            await uow.meetings.set_reminder_minutes(meeting.id, minutes)
            sessions = [s for s in await uow.sessions.all(meeting.id) if s.reminded_at is None]
            planned = []
            for session in sessions:
                remind_at = session.starts_at - timedelta(minutes=minutes)
                await uow.sessions.set_remind_at(session.id, remind_at)
                planned.append((session.id, remind_at))
            return await uow.meetings.get(meeting.id), planned

        updated, planned = await self._store.transact(unit)
        for session_id, remind_at in planned:
            self._planner.plan(reminder_job(session_id), remind_at)
        assert updated is not None
        return updated

    async def set_digest(self, caller: Caller, at: time | None) -> Meeting:
        now = self._clock.now()

        async def unit(uow: UnitOfWork) -> Meeting | None:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "set the daily digest")
            next_digest_at = (
                None if at is None else next_fire_after(now, at, zone(meeting.timezone))
            )
            await uow.meetings.set_digest(meeting.id, at, next_digest_at)
            return await uow.meetings.get(meeting.id)

        updated = await self._store.transact(unit)
        assert updated is not None
        self._plan_digest(updated)
        return updated

    def _plan_digest(self, meeting: Meeting) -> None:
        if meeting.next_digest_at is None:
            self._planner.cancel(digest_job(meeting.id))
        else:
            self._planner.plan(digest_job(meeting.id), meeting.next_digest_at)

    async def add_session(self, caller: Caller, starts: str, title: str) -> tuple[Meeting, Session]:
        """Schedule a session; returns it with its meeting, whose zone and lead time it uses."""
        usage = usage_of("/meeting session add")
        now = self._clock.now()

        async def unit(uow: UnitOfWork) -> tuple[Meeting, Session]:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "schedule sessions")
            try:
                starts_at = within_horizon(parse_local(starts, zone(meeting.timezone)), now)
            except TimeFormatError as exc:
                raise UsageError(str(exc), usage=usage) from None
            if starts_at <= now:
                raise UsageError(
                    f"{starts} ({meeting.timezone}) has already passed; a session must start"
                    " in the future.",
                    usage=usage,
                )
            remind_at = starts_at - timedelta(minutes=meeting.reminder_minutes)
            return meeting, await uow.sessions.add(meeting.id, title, starts_at, remind_at, now)

        meeting, session = await self._store.transact(unit)
        self._planner.plan(reminder_job(session.id), max(session.remind_at, now))
        return meeting, session

    async def remove_session(self, caller: Caller, number: int) -> Session:
        async def unit(uow: UnitOfWork) -> Session:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "remove sessions")
            session = await uow.sessions.by_number(meeting.id, number)
            if session is None:
                raise NotFound(f"There is no session {number}; `/meeting sessions` lists them.")
            await uow.sessions.remove(session.id, self._clock.now())
            return session

        session = await self._store.transact(unit)
        self._planner.cancel(reminder_job(session.id))
        return session

    async def sessions(self, caller: Caller) -> tuple[Meeting, list[Session]]:
        async def unit(uow: UnitOfWork) -> tuple[Meeting, list[Session]]:
            meeting = await meeting_of(uow, caller)
            return meeting, await uow.sessions.all(meeting.id)

        return await self._store.query(unit)

    async def digest_now(self, caller: Caller) -> Digest:
        """The digest as it would read now, covering the time since the last one."""
        now = self._clock.now()

        async def unit(uow: UnitOfWork) -> Digest:
            meeting = await meeting_of(uow, caller)
            return await assemble_digest(uow, meeting, since=meeting.digest_since, until=now)

        return await self._store.query(unit)


async def assemble_digest(
    uow: UnitOfWork,
    meeting: Meeting,
    *,
    since: datetime | None,
    until: datetime,
    late: bool = False,
) -> Digest:
    """Load what a digest of ``meeting`` needs and choose its contents."""
    return build_digest(
        meeting,
        await uow.items.all(meeting.id),
        await uow.items.decisions(meeting.id),
        await uow.sessions.all(meeting.id),
        since=since,
        until=until,
        day=local_day_bounds(until, zone(meeting.timezone)),
        late=late,
        turns=await uow.floor.history(meeting.id),
        votes=await uow.votes.all(meeting.id),
    )
