"""Use cases of a meeting: each loads state, applies a domain rule, and saves the change
together with the channel notices it calls for, in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot import domain
from bot.calendar import TimeFormatError, parse_when, zone
from bot.clock import Clock
from bot.commands import AddDelegation, TableMotion, name_key, usage_of
from bot.domain import BlockChange, ItemStatus, PositionKind, Tally
from bot.errors import Conflict, NotAllowed, NotFound, UsageError
from bot.lookups import (
    Caller,
    DecisionResult,
    decide_item,
    delegation_of,
    item_numbered,
    meeting_of,
    require_chair,
    require_open,
)
from bot.ports import Planner, Store, UnitOfWork
from bot.records import Delegation, Item, Meeting, NoticeKind
from bot.schedule import deadline_job


@dataclass(frozen=True)
class DelegationChange:
    delegation: Delegation
    created: bool
    added: tuple[str, ...]
    already: tuple[str, ...]


@dataclass(frozen=True)
class PositionChange:
    item: Item
    delegation: Delegation
    change: BlockChange
    replaced: bool  # the delegation already held this position; it was restated


class MeetingService:
    """Every change to a meeting goes through here, whatever door it came in by."""

    def __init__(
        self, store: Store, clock: Clock, notify: Callable[[], None], planner: Planner
    ) -> None:
        self._store = store
        self._clock = clock
        self._notify = notify  # wakes the announcer after a commit that owes notices
        self._planner = planner

    # ---- setup (chairs) -------------------------------------------------------------

    async def start(self, caller: Caller, title: str) -> Meeting:
        async with self._store.write() as uow:
            existing = await uow.meetings.find(caller.team_id, caller.channel_id)
            if existing is not None:
                raise Conflict(
                    f"This channel already holds the meeting “{existing.title}”;"
                    " a channel holds one meeting."
                )
            meeting = await uow.meetings.create(
                caller.team_id, caller.channel_id, title, caller.user_id, self._clock.now()
            )
            await uow.notices.add(meeting.id, None, NoticeKind.MEETING_STARTED, self._clock.now())
        self._notify()
        return meeting

    async def add_chair(self, caller: Caller, user_id: str) -> bool:
        async with self._store.write() as uow:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "add chairs")
            return await uow.meetings.add_chair(meeting.id, user_id, self._clock.now())

    async def add_delegation(self, caller: Caller, request: AddDelegation) -> DelegationChange:
        usage = usage_of("/meeting delegation add")
        async with self._store.write() as uow:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "register delegations")
            now = self._clock.now()
            key = name_key(request.name)
            delegation = await uow.meetings.delegation_named(meeting.id, key)
            created = delegation is None
            if delegation is not None and delegation.role is not request.role:
                raise Conflict(
                    f"{delegation.name} is registered as {delegation.role.value}, not"
                    f" {request.role.value}. Remove it first to register it again.",
                    usage=usage,
                )
            for user_id in request.members:
                other = await uow.meetings.delegation_of(meeting.id, user_id)
                if other is not None and (delegation is None or other.id != delegation.id):
                    raise Conflict(
                        f"<@{user_id}> already belongs to {other.name}; a user can be in one"
                        " delegation per meeting.",
                        usage=usage,
                    )
            if delegation is None:
                delegation_id = await uow.meetings.create_delegation(
                    meeting.id, request.name, key, request.role, now
                )
            else:
                delegation_id = delegation.id
            before = set(delegation.members) if delegation else set()
            added = tuple(u for u in request.members if u not in before)
            for user_id in added:
                await uow.meetings.add_member(meeting.id, delegation_id, user_id, now)
            saved = await uow.meetings.delegation_named(meeting.id, key)
            assert saved is not None
        already = tuple(u for u in request.members if u in before)
        return DelegationChange(saved, created, added, already)

    async def remove_delegation(self, caller: Caller, name: str) -> Delegation:
        async with self._store.write() as uow:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "remove delegations")
            delegation = await self._named(uow, meeting, name)
            now = self._clock.now()
            affected = await uow.items.open_items_with_position_of(delegation.id)
            befores = {i: await uow.items.get(i) for i in affected}
            for item_id in affected:
                await uow.items.end_position(item_id, delegation.id, caller.user_id, now)
            await uow.meetings.remove_delegation(delegation.id, now)
            for item_id, before in befores.items():
                after = await uow.items.get(item_id)
                assert before is not None
                assert after is not None
                await self._announce_change(uow, meeting, before, after)
        self._notify()
        return delegation

    @staticmethod
    async def _named(uow: UnitOfWork, meeting: Meeting, name: str) -> Delegation:
        delegation = await uow.meetings.delegation_named(meeting.id, name_key(name))
        if delegation is None:
            known = ", ".join(d.name for d in await uow.meetings.delegations(meeting.id))
            raise NotFound(
                f"No delegation is called “{name}” here."
                + (f" Known delegations: {known}." if known else " None is registered yet.")
            )
        return delegation

    # ---- reading ----------------------------------------------------------------------

    async def delegations(self, caller: Caller) -> tuple[Meeting, list[Delegation]]:
        async with self._store.read() as uow:
            meeting = await meeting_of(uow, caller)
            return meeting, await uow.meetings.delegations(meeting.id)

    async def agenda(self, caller: Caller) -> tuple[Meeting, list[Item]]:
        async with self._store.read() as uow:
            meeting = await meeting_of(uow, caller)
            return meeting, await uow.items.all(meeting.id)

    async def role_of(self, caller: Caller) -> tuple[Meeting | None, Delegation | None]:
        """The caller's meeting and delegation, either possibly absent (for help)."""
        async with self._store.read() as uow:
            meeting = await uow.meetings.find(caller.team_id, caller.channel_id)
            if meeting is None:
                return None, None
            return meeting, await uow.meetings.delegation_of(meeting.id, caller.user_id)

    # ---- items and positions -------------------------------------------------------

    async def table(self, caller: Caller, request: TableMotion) -> Item:
        usage = usage_of("/table-motion")
        async with self._store.write() as uow:
            meeting = await meeting_of(uow, caller)
            delegation = await delegation_of(uow, meeting, caller)
            now = self._clock.now()
            deadline = self._deadline(meeting, request.deadline, now, usage)
            session_id = None
            if request.session is not None:
                session = await uow.sessions.by_number(meeting.id, request.session)
                if session is None:
                    raise NotFound(
                        f"There is no session {request.session}; `/meeting sessions` lists them.",
                        usage=usage,
                    )
                session_id = session.id
            item = await uow.items.create(
                meeting.id,
                delegation.id,
                request.text,
                caller.user_id,
                now,
                deadline=deadline,
                session_id=session_id,
            )
            await uow.notices.add(meeting.id, item.id, NoticeKind.ITEM_CARD, now)
        if item.deadline is not None:
            self._planner.plan(deadline_job(item.id), item.deadline)
        self._notify()
        return item

    @staticmethod
    def _deadline(
        meeting: Meeting, typed: str | None, now: datetime, usage: str
    ) -> datetime | None:
        if typed is None:
            return now + meeting.window if meeting.window else None
        try:
            deadline = parse_when(typed, now, zone(meeting.timezone))
        except TimeFormatError as exc:
            raise UsageError(
                f"{exc} A deadline is `YYYY-MM-DD HH:MM` ({meeting.timezone}) or `in 45m`,"
                " `in 2h`, `in 3d`.",
                usage=usage,
            ) from None
        if deadline <= now:
            raise UsageError(
                f"The deadline {typed} ({meeting.timezone}) has already passed; give a time in"
                " the future.",
                usage=usage,
            )
        return deadline

    async def object(self, caller: Caller, number: int, reason: str) -> PositionChange:
        async with self._store.write() as uow:
            meeting = await meeting_of(uow, caller)
            delegation = await delegation_of(uow, meeting, caller)
            if not delegation.role.may_block:
                raise NotAllowed(
                    f"{delegation.name} is an observer: observers cannot block under this"
                    " meeting's rules. You may still table items and speak to them."
                )
            before = await item_numbered(uow, meeting, number)
            require_open(before)
            now = self._clock.now()
            current = next((p for p in before.positions if p.delegation_id == delegation.id), None)
            replaced = current is not None and current.kind is PositionKind.OBJECTION
            if replaced and current is not None and reason in ("", current.statement):
                # A repeat, or a second member of the same delegation: still one objector,
                # and nothing on record changes.
                return PositionChange(before, delegation, BlockChange.NONE, replaced=True)
            await uow.items.end_position(before.id, delegation.id, caller.user_id, now)
            await uow.items.add_position(
                before.id, delegation.id, PositionKind.OBJECTION, reason, caller.user_id, now
            )
            after = await uow.items.get(before.id)
            assert after is not None
            change = await self._announce_change(uow, meeting, before, after)
        self._notify()
        return PositionChange(after, delegation, change, replaced)

    async def withdraw_objection(self, caller: Caller, number: int) -> PositionChange:
        async with self._store.write() as uow:
            meeting = await meeting_of(uow, caller)
            delegation = await delegation_of(uow, meeting, caller)
            before = await item_numbered(uow, meeting, number)
            require_open(before)
            current = next((p for p in before.positions if p.delegation_id == delegation.id), None)
            if current is None or current.kind is not PositionKind.OBJECTION:
                raise Conflict(
                    f"{delegation.name} has no standing objection to #{number} to withdraw."
                )
            await uow.items.end_position(
                before.id, delegation.id, caller.user_id, self._clock.now()
            )
            after = await uow.items.get(before.id)
            assert after is not None
            change = await self._announce_change(uow, meeting, before, after)
        self._notify()
        return PositionChange(after, delegation, change, replaced=False)

    async def _announce_change(
        self, uow: UnitOfWork, meeting: Meeting, before: Item, after: Item
    ) -> BlockChange:
        """Queue the channel notices a change of positions calls for."""
        participants = await uow.meetings.count_participants(meeting.id)
        change = domain.block_change(
            Tally(before.objections, participants),
            Tally(after.objections, participants),
            meeting.rule,
        )
        now = self._clock.now()
        blocked = await uow.notices.latest(after.id, NoticeKind.BLOCKED)
        if change is BlockChange.NOW_BLOCKED:
            await uow.notices.add(meeting.id, after.id, NoticeKind.BLOCKED, now)
        elif change is BlockChange.STILL_BLOCKED and blocked is not None:
            await uow.notices.touch(blocked.id)
        elif change is BlockChange.UNBLOCKED:
            if blocked is not None:
                await uow.notices.touch(blocked.id, close=True)
            await uow.notices.add(meeting.id, after.id, NoticeKind.UNBLOCKED, now)
        card = await uow.notices.latest(after.id, NoticeKind.ITEM_CARD)
        if card is not None:
            await uow.notices.touch(card.id)
        return change

    # ---- decisions -----------------------------------------------------------------

    async def decide(self, caller: Caller, number: int) -> DecisionResult:
        async with self._store.write() as uow:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "decide items")
            item = await item_numbered(uow, meeting, number)
            if item.status is not ItemStatus.OPEN:
                raise Conflict(f"Item #{number} was already decided: {item.status.value}.")
            result = await decide_item(uow, meeting, item, caller.user_id, self._clock.now())
        self._planner.cancel(deadline_job(item.id))
        self._notify()
        return result
