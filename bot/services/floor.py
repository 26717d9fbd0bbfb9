"""Use cases of the floor: the chair puts an item under discussion and gives the floor from
its list of speakers; delegations ask for it, raise points of order and rights of reply; each
turn's warning and end are due work for the timekeeper."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.commands.tokens import name_key
from bot.domain.errors import Conflict, NotFound
from bot.domain.floor import Floor, FloorRequest, RequestKind, Turn, check_request, turn_times
from bot.domain.model import Delegation, Meeting, NoticeKind
from bot.domain.rules import ItemStatus
from bot.ports.store import UnitOfWork
from bot.services.lookups import (
    Caller,
    item_numbered,
    meeting_and_delegation_of,
    meeting_of,
    require_chair,
)
from bot.services.speaking_time import floor_changed, plan_turn, time_job, warning_job
from bot.services.use_cases import UseCases

NOTHING_UNDER_DISCUSSION = (
    "Nothing is under discussion here; a chair opens a debate with `/meeting discuss <item>`."
)


@dataclass(frozen=True)
class FloorState:
    """The meeting's debate as one reader sees it: the list, and their delegation's place."""

    meeting: Meeting
    floor: Floor | None
    delegation: Delegation | None = None

    @property
    def place(self) -> int | None:
        if self.floor is None or self.delegation is None:
            return None
        return self.floor.place_of(self.delegation.id)


@dataclass(frozen=True)
class FloorChange:
    """What a chair's move did: the turn it ended and the turn it began."""

    meeting: Meeting
    floor: Floor
    ended: Turn | None = None
    started: Turn | None = None


async def _current(uow: UnitOfWork, meeting: Meeting) -> Floor:
    floor = await uow.floor.current(meeting.id)
    if floor is None:
        raise Conflict(NOTHING_UNDER_DISCUSSION, field="floor")
    return floor


async def _reloaded(uow: UnitOfWork, floor: Floor) -> Floor:
    fresh = await uow.floor.get(floor.id)
    assert fresh is not None
    return fresh


class FloorService(UseCases):
    async def discuss(self, caller: Caller, number: int) -> FloorChange:
        """Put an open item under discussion with a fresh list; a debate under way ends."""
        now = self._clock.now()

        async def unit(uow: UnitOfWork) -> FloorChange:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "put an item under discussion")
            item = await item_numbered(uow, meeting, number)
            if item.status is not ItemStatus.OPEN:
                raise Conflict(
                    f"Item #{item.number} is already {item.status.value}; only an open item"
                    " can be discussed."
                )
            ended = None
            previous = await uow.floor.current(meeting.id)
            if previous is not None:
                ended = previous.current
                await uow.floor.end(previous.id, now)
                await floor_changed(uow, previous, close=True)
            floor_id = await uow.floor.open(meeting.id, item.id, caller.user_id, now)
            notice_id = await uow.notices.add(
                meeting.id, item.id, NoticeKind.SPEAKERS_LIST, now, {"floor": floor_id}
            )
            await uow.floor.set_notice(floor_id, notice_id)
            await uow.homes.mark_stale(meeting.id)
            floor = await uow.floor.get(floor_id)
            assert floor is not None
            return FloorChange(meeting, floor, ended=ended)

        change = await self._store.transact(unit)
        self._forget(change.ended)
        self._notify()
        return change

    async def end_discussion(self, caller: Caller) -> FloorChange:
        now = self._clock.now()

        async def unit(uow: UnitOfWork) -> FloorChange:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "end the debate")
            floor = await _current(uow, meeting)
            await uow.floor.end(floor.id, now)
            await floor_changed(uow, floor, close=True)
            return FloorChange(meeting, await _reloaded(uow, floor), ended=floor.current)

        change = await self._store.transact(unit)
        self._forget(change.ended)
        self._notify()
        return change

    async def request(self, caller: Caller, kind: RequestKind) -> FloorState:
        """Put the caller's delegation on the list; the answer gives its place."""
        now = self._clock.now()

        async def unit(uow: UnitOfWork) -> FloorState:
            meeting, delegation = await meeting_and_delegation_of(uow, caller)
            floor = await _current(uow, meeting)
            replies = (
                await uow.floor.replies_taken(floor.item_id, delegation.id)
                if kind is RequestKind.REPLY
                else 0
            )
            check_request(floor, delegation.id, kind, replies)
            await uow.floor.add_request(floor.id, delegation.id, kind, caller.user_id, now)
            await floor_changed(uow, floor)
            return FloorState(meeting, await _reloaded(uow, floor), delegation)

        state = await self._store.transact(unit)
        self._notify()
        return state

    async def withdraw(self, caller: Caller) -> FloorState:
        now = self._clock.now()

        async def unit(uow: UnitOfWork) -> FloorState:
            meeting, delegation = await meeting_and_delegation_of(uow, caller)
            floor = await _current(uow, meeting)
            if not await uow.floor.withdraw(floor.id, delegation.id, now):
                raise Conflict(
                    f"{delegation.name} has no request on the list of #{floor.item_number}.",
                    field="withdraw",
                )
            await floor_changed(uow, floor)
            return FloorState(meeting, await _reloaded(uow, floor), delegation)

        state = await self._store.transact(unit)
        self._notify()
        return state

    async def show(self, caller: Caller) -> FloorState:
        async def unit(uow: UnitOfWork) -> FloorState:
            meeting = await meeting_of(uow, caller)
            delegation = await uow.meetings.delegation_of(meeting.id, caller.user_id)
            return FloorState(meeting, await uow.floor.current(meeting.id), delegation)

        return await self._store.query(unit)

    async def next_speaker(self, caller: Caller) -> FloorChange:
        """End the turn under way and give the floor to the next in order."""
        now = self._clock.now()

        async def unit(uow: UnitOfWork) -> FloorChange:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "give the floor")
            floor = await _current(uow, meeting)
            ended = await uow.floor.end_turn(floor.id, now)
            head = floor.next_request
            started = (
                await self._give(uow, floor, head.delegation_id, head, caller, now)
                if head is not None
                else None
            )
            await floor_changed(uow, floor)
            return FloorChange(meeting, await _reloaded(uow, floor), ended, started)

        change = await self._store.transact(unit)
        self._forget(change.ended)
        self._plan(change.started)
        self._notify()
        return change

    async def give(self, caller: Caller, name: str) -> FloorChange:
        """Give the floor to a delegation ahead of the list: on record as out of order
        (unless it was next anyway); its own waiting request is heard with it."""
        now = self._clock.now()

        async def unit(uow: UnitOfWork) -> FloorChange:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "give the floor")
            floor = await _current(uow, meeting)
            delegation = await uow.meetings.delegation_named(meeting.id, name_key(name))
            if delegation is None:
                raise NotFound(
                    f"There is no delegation named “{name}” here; `/meeting delegations`"
                    " lists them."
                )
            ended = await uow.floor.end_turn(floor.id, now)
            waiting = next(iter(floor.pending_of(delegation.id)), None)
            started = await self._give(uow, floor, delegation.id, waiting, caller, now)
            await floor_changed(uow, floor)
            return FloorChange(meeting, await _reloaded(uow, floor), ended, started)

        change = await self._store.transact(unit)
        self._forget(change.ended)
        self._plan(change.started)
        self._notify()
        return change

    async def _give(
        self,
        uow: UnitOfWork,
        floor: Floor,
        delegation_id: int,
        request: FloorRequest | None,
        caller: Caller,
        now: datetime,
    ) -> Turn:
        warn_at, ends_at = turn_times(now, await uow.floor.speaking_time(floor.meeting_id))
        return await uow.floor.start_turn(
            floor.id,
            delegation_id,
            request.kind if request is not None else RequestKind.SPEAK,
            caller.user_id,
            now,
            warn_at=warn_at,
            ends_at=ends_at,
            out_of_order=request is None or request != floor.next_request,
            request_id=request.id if request is not None else None,
        )

    async def set_closed(self, caller: Caller, closed: bool) -> FloorChange:
        async def unit(uow: UnitOfWork) -> FloorChange:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "close or open the list of speakers")
            floor = await _current(uow, meeting)
            if await uow.floor.set_closed(floor.id, closed):
                await floor_changed(uow, floor)
            return FloorChange(meeting, await _reloaded(uow, floor))

        change = await self._store.transact(unit)
        self._notify()
        return change

    async def set_speaking_time(self, caller: Caller, limit: timedelta | None) -> Meeting:
        """Each turn given from now on lasts at most ``limit`` (None: no limit)."""

        async def unit(uow: UnitOfWork) -> Meeting:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "set the speaking time")
            await uow.floor.set_speaking_time(meeting.id, limit)
            floor = await uow.floor.current(meeting.id)
            if floor is not None:
                await floor_changed(uow, floor)  # the list shows the speaking time
            return meeting

        meeting = await self._store.transact(unit)
        self._notify()
        return meeting

    async def button_caller(
        self, team_id: str, channel_id: str | None, user_id: str, meeting_id: int
    ) -> Caller:
        """Who pressed a list button, checked against the meeting the button belongs to."""

        async def unit(uow: UnitOfWork) -> Meeting | None:
            return await uow.meetings.get(meeting_id)

        meeting = await self._store.query(unit)
        if meeting is None or meeting.team_id != team_id or channel_id != meeting.channel_id:
            raise Conflict(
                "This button no longer matches anything in this meeting; `/floor list` shows"
                " the list of speakers."
            )
        return Caller(meeting.team_id, meeting.channel_id, user_id)

    def _plan(self, turn: Turn | None) -> None:
        if turn is not None:
            plan_turn(self._planner, turn)

    def _forget(self, turn: Turn | None) -> None:
        if turn is not None:
            self._planner.cancel(warning_job(turn.id))
            self._planner.cancel(time_job(turn.id))
