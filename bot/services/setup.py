"""Setting up a meeting: the chair starts it, adds chairs and registers delegations; anyone
reads the roll."""

from __future__ import annotations

from bot.commands.meeting import AddDelegation
from bot.commands.reference import usage_of
from bot.commands.tokens import name_key
from bot.domain.errors import Conflict
from bot.domain.model import (
    Delegation,
    DelegationChange,
    Meeting,
    NoticeKind,
)
from bot.ports.store import UnitOfWork
from bot.services.lookups import (
    Caller,
    announce_standing_changes,
    delegation_called,
    meeting_of,
    require_chair,
    standing_of,
)
from bot.services.use_cases import UseCases


class SetupService(UseCases):
    """Chairs change the meeting's setup here; the roll is read here too."""

    async def start(self, caller: Caller, title: str) -> Meeting:
        async def unit(uow: UnitOfWork) -> Meeting:
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
            return meeting

        meeting = await self._store.transact(unit)
        self._notify()
        return meeting

    async def add_chair(self, caller: Caller, user_id: str) -> bool:
        async def unit(uow: UnitOfWork) -> bool:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "add chairs")
            added = await uow.meetings.add_chair(meeting.id, user_id, self._clock.now())
            await uow.homes.mark_stale(meeting.id)  # the new chair's Home gains its buttons
            return added

        added = await self._store.transact(unit)
        self._notify()
        return added

    async def add_delegation(self, caller: Caller, request: AddDelegation) -> DelegationChange:
        usage = usage_of("/meeting delegation add")

        async def unit(uow: UnitOfWork) -> DelegationChange:
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
                        mentions=(user_id,),
                    )
            standing = await standing_of(uow, meeting.id)
            returned = False
            if delegation is not None:
                delegation_id = delegation.id
            else:
                # A removed delegation registered again is the same delegation: its items
                # and positions on record stay its own, under one name.
                restored = await uow.meetings.restore_delegation(meeting.id, key, request.role)
                returned = restored is not None
                if restored is None:
                    restored = await uow.meetings.create_delegation(
                        meeting.id, request.name, key, request.role, now
                    )
                delegation_id = restored
            before = set(delegation.members) if delegation else set()
            added = tuple(u for u in request.members if u not in before)
            for user_id in added:
                await uow.meetings.add_member(meeting.id, delegation_id, user_id, now)
            # One more participant can change what the rule needs to block an item.
            await announce_standing_changes(uow, meeting.id, standing, now)
            saved = await uow.meetings.delegation_named(meeting.id, key)
            assert saved is not None
            already = tuple(u for u in request.members if u in before)
            return DelegationChange(saved, created, added, already, returned)

        change = await self._store.transact(unit)
        self._notify()
        return change

    async def remove_delegation(self, caller: Caller, name: str) -> Delegation:
        async def unit(uow: UnitOfWork) -> Delegation:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "remove delegations")
            delegation = await delegation_called(uow, meeting, name)
            now = self._clock.now()
            standing = await standing_of(uow, meeting.id)
            await uow.homes.mark_stale(meeting.id)  # while its members still count as viewers
            for item_id in await uow.items.open_items_with_position_of(delegation.id):
                await uow.items.end_position(
                    item_id, delegation.id, caller.user_id, now, reason="lapsed"
                )
            await uow.meetings.remove_delegation(delegation.id, now)
            for notice_id in await uow.floor.leave(delegation.id, now):  # it leaves the lists
                await uow.notices.touch(notice_id)
            # Its objections lapse, and one participant fewer can change what the rule
            # needs to block an item, including items it never spoke on.
            await announce_standing_changes(uow, meeting.id, standing, now)
            return delegation

        delegation = await self._store.transact(unit)
        self._notify()
        return delegation

    async def delegations(self, caller: Caller) -> tuple[Meeting, list[Delegation]]:
        async def unit(uow: UnitOfWork) -> tuple[Meeting, list[Delegation]]:
            meeting = await meeting_of(uow, caller)
            return meeting, await uow.meetings.delegations(meeting.id)

        return await self._store.query(unit)

    async def role_of(self, caller: Caller) -> tuple[Meeting | None, Delegation | None]:
        """The caller's meeting and delegation, either possibly absent (for help)."""

        async def unit(uow: UnitOfWork) -> tuple[Meeting | None, Delegation | None]:
            meeting = await uow.meetings.find(caller.team_id, caller.channel_id)
            if meeting is None:
                return None, None
            return meeting, await uow.meetings.delegation_of(meeting.id, caller.user_id)

        return await self._store.query(unit)
