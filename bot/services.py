"""Use cases of a meeting: each loads state, applies a domain rule, and saves the change
together with the channel notices it calls for, in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot import domain
from bot.clock import Clock
from bot.commands import AddDelegation, name_key, usage_of
from bot.domain import BlockChange, ItemStatus, PositionKind, Role, Tally
from bot.errors import Conflict, NotAllowed, NotFound
from bot.ports import Store, UnitOfWork
from bot.records import Decision, Delegation, Item, Meeting, NoticeKind


@dataclass(frozen=True)
class Caller:
    """Who sent a request, and from which workspace and channel."""

    team_id: str
    channel_id: str
    user_id: str


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


@dataclass(frozen=True)
class DecisionResult:
    item: Item
    decision: Decision


NO_MEETING = "This channel has no meeting yet. A chair starts one with `/meeting start <title>`."


class MeetingService:
    """Every change to a meeting goes through here, whatever door it came in by."""

    def __init__(self, store: Store, clock: Clock, notify: Callable[[], None]) -> None:
        self._store = store
        self._clock = clock
        self._notify = notify  # wakes the announcer after a commit that owes notices

    # ---- lookups shared by the use cases ----------------------------------------------

    async def _meeting(self, uow: UnitOfWork, caller: Caller) -> Meeting:
        meeting = await uow.meetings.find(caller.team_id, caller.channel_id)
        if meeting is None:
            raise NotFound(NO_MEETING)
        return meeting

    @staticmethod
    def _require_chair(meeting: Meeting, caller: Caller, action: str) -> None:
        if not meeting.is_chair(caller.user_id):
            raise NotAllowed(f"Only the meeting's chairs can {action}.")

    @staticmethod
    async def _delegation_of(uow: UnitOfWork, meeting: Meeting, caller: Caller) -> Delegation:
        delegation = await uow.meetings.delegation_of(meeting.id, caller.user_id)
        if delegation is None:
            raise NotAllowed(
                "You are not a member of any delegation in this meeting."
                " Ask a chair to add you with `/meeting delegation add`."
            )
        return delegation

    @staticmethod
    async def _item(uow: UnitOfWork, meeting: Meeting, number: int) -> Item:
        item = await uow.items.by_number(meeting.id, number)
        if item is None:
            raise NotFound(
                f"There is no item #{number} in this meeting; `/meeting agenda` lists them."
            )
        return item

    @staticmethod
    def _require_open(item: Item) -> None:
        if item.status is not ItemStatus.OPEN:
            raise Conflict(
                f"Item #{item.number} is already {item.status.value}; positions on it can no"
                " longer change."
            )

    async def _tally(self, uow: UnitOfWork, meeting: Meeting, item: Item) -> Tally:
        return Tally(item.objections, await uow.meetings.count_participants(meeting.id))

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
            meeting = await self._meeting(uow, caller)
            self._require_chair(meeting, caller, "add chairs")
            return await uow.meetings.add_chair(meeting.id, user_id, self._clock.now())

    async def add_delegation(self, caller: Caller, request: AddDelegation) -> DelegationChange:
        usage = usage_of("/meeting delegation add")
        async with self._store.write() as uow:
            meeting = await self._meeting(uow, caller)
            self._require_chair(meeting, caller, "register delegations")
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
            meeting = await self._meeting(uow, caller)
            self._require_chair(meeting, caller, "remove delegations")
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
            meeting = await self._meeting(uow, caller)
            return meeting, await uow.meetings.delegations(meeting.id)

    async def agenda(self, caller: Caller) -> tuple[Meeting, list[Item]]:
        async with self._store.read() as uow:
            meeting = await self._meeting(uow, caller)
            return meeting, await uow.items.all(meeting.id)

    async def role_of(self, caller: Caller) -> tuple[Meeting | None, Delegation | None]:
        """The caller's meeting and delegation, either possibly absent (for help)."""
        async with self._store.read() as uow:
            meeting = await uow.meetings.find(caller.team_id, caller.channel_id)
            if meeting is None:
                return None, None
            return meeting, await uow.meetings.delegation_of(meeting.id, caller.user_id)

    # ---- items and positions -------------------------------------------------------

    async def table(self, caller: Caller, text: str) -> Item:
        async with self._store.write() as uow:
            meeting = await self._meeting(uow, caller)
            delegation = await self._delegation_of(uow, meeting, caller)
            now = self._clock.now()
            item = await uow.items.create(meeting.id, delegation.id, text, caller.user_id, now)
            await uow.notices.add(meeting.id, item.id, NoticeKind.ITEM_CARD, now)
        self._notify()
        return item

    async def object(self, caller: Caller, number: int, reason: str) -> PositionChange:
        async with self._store.write() as uow:
            meeting = await self._meeting(uow, caller)
            delegation = await self._delegation_of(uow, meeting, caller)
            if not delegation.role.may_block:
                raise NotAllowed(
                    f"{delegation.name} is an observer: observers cannot block under this"
                    " meeting's rules. You may still table items and speak to them."
                )
            before = await self._item(uow, meeting, number)
            self._require_open(before)
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
            meeting = await self._meeting(uow, caller)
            delegation = await self._delegation_of(uow, meeting, caller)
            before = await self._item(uow, meeting, number)
            self._require_open(before)
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
            meeting = await self._meeting(uow, caller)
            self._require_chair(meeting, caller, "decide items")
            item = await self._item(uow, meeting, number)
            if item.status is not ItemStatus.OPEN:
                raise Conflict(f"Item #{number} was already decided: {item.status.value}.")
            result = await self._decide(uow, meeting, item, caller.user_id, late=False)
        self._notify()
        return result

    async def _decide(
        self, uow: UnitOfWork, meeting: Meeting, item: Item, decided_by: str, *, late: bool
    ) -> DecisionResult:
        tally = await self._tally(uow, meeting, item)
        outcome = domain.outcome(tally, meeting.rule)
        now = self._clock.now()
        decision = Decision(
            item_id=item.id,
            outcome=outcome,
            rule=meeting.rule,
            participants=tally.participants,
            objections=tally.objections,
            decided_at=now,
            decided_by=decided_by,
            late=late,
        )
        status = ItemStatus.ADOPTED if outcome is domain.Outcome.ADOPTED else ItemStatus.BLOCKED
        await uow.items.set_status(item.id, status)
        await uow.items.record_decision(decision)
        for kind in (NoticeKind.ITEM_CARD, NoticeKind.BLOCKED):
            notice = await uow.notices.latest(item.id, kind)
            if notice is not None and not notice.closed:
                await uow.notices.touch(notice.id, close=kind is NoticeKind.BLOCKED)
        await uow.notices.add(meeting.id, item.id, NoticeKind.OUTCOME, now)
        decided = await uow.items.get(item.id)
        assert decided is not None
        return DecisionResult(decided, decision)


def role_label(role: Role) -> str:
    return "participant" if role is Role.PARTICIPANT else "observer"
