"""Positions on an item: objections, reservations, stand-asides and co-sponsorships, stated
or withdrawn, with the notices a change of standing calls for."""

from __future__ import annotations

from bot.commands.submissions import PositionSubmission
from bot.domain import rules
from bot.domain.errors import Conflict, UsageError
from bot.domain.model import (
    Meeting,
    PositionChange,
)
from bot.domain.rules import (
    MAX_REASON,
    BlockChange,
    PositionKind,
)
from bot.ports.store import UnitOfWork
from bot.services.lookups import (
    Caller,
    button_target,
    item_numbered,
    meeting_and_delegation_of,
    position_state,
    queue_block_notices,
    require_may_take,
    require_open,
)
from bot.services.use_cases import UseCases


class PositionService(UseCases):
    """Every position change goes through here, whatever door it came in by."""

    async def object(self, caller: Caller, number: int, reason: str) -> PositionChange:
        return await self.record_position(caller, number, PositionKind.OBJECTION, reason)

    async def record_position(
        self, caller: Caller, number: int, kind: PositionKind, statement: str
    ) -> PositionChange:
        """Put the caller's delegation's position on an open item on record, replacing the
        one it held (the old one stays in the history)."""
        if len(statement) > MAX_REASON:
            raise UsageError(
                f"A reason or statement can be at most {MAX_REASON} characters"
                f" (this one has {len(statement):,}).",
                field="statement",
            )

        # The hot path of a burst: one round trip to the database, constant-cost queries,
        # never the item's whole list of positions (which would make the burst quadratic).
        async def unit(uow: UnitOfWork) -> PositionChange:
            meeting, delegation = await meeting_and_delegation_of(uow, caller)
            require_may_take(delegation, kind)
            state = await position_state(uow, meeting, number, delegation)
            item, current = state.item, state.current
            require_open(item)
            if kind is PositionKind.SUPPORT and item.sponsor_id == delegation.id:
                raise Conflict(
                    f"{delegation.name} tabled #{number}; its sponsor cannot co-sponsor it."
                )
            replaced = current is not None and current.kind is kind
            if replaced and current is not None and statement in ("", current.statement):
                # A repeat, or a second member of the same delegation: still one position,
                # and nothing on record changes.
                return PositionChange(item, delegation, BlockChange.NONE, replaced=True)
            now = self._clock.now()
            standing, participants = state.standing, state.participants
            if current is not None:
                await uow.items.end_position(
                    item.id, delegation.id, caller.user_id, now, reason="replaced"
                )
            await uow.items.add_position(
                item.id, delegation.id, kind, statement, caller.user_id, now
            )
            counts = delegation.role.may_block  # only participants' objections can block
            was_objection = current is not None and current.kind.blocks and counts
            after = standing - int(was_objection) + int(kind.blocks and counts)
            change = await self._announce_counts(
                uow,
                meeting,
                item.id,
                standing,
                after,
                participants,
                changed=kind.blocks or was_objection,
            )
            return PositionChange(
                item, delegation, change, replaced=False, previous=current, updated=replaced
            )

        recorded = await self._store.transact(unit)
        if not recorded.replaced:  # a repeat changes nothing and announces nothing
            self._notify()
        return recorded

    async def position_submitted(
        self, team_id: str, user_id: str, form: PositionSubmission
    ) -> PositionChange:
        """The objection or position form: the same rules as ``/object``, on the item the form
        was opened for, wherever it was opened."""
        base, number = await self._store.query(
            lambda uow: button_target(uow, team_id, None, form.item.meeting_id, form.item.item_id)
        )
        caller = Caller(base.team_id, base.channel_id, user_id)
        return await self.record_position(caller, number, form.kind, form.statement)

    async def check_position(self, caller: Caller, number: int, kind: PositionKind) -> None:
        """Refuse now, before a form is opened, what submitting it would refuse."""

        async def unit(uow: UnitOfWork) -> None:
            meeting, delegation = await meeting_and_delegation_of(uow, caller)
            require_may_take(delegation, kind)
            require_open(await item_numbered(uow, meeting, number))

        await self._store.query(unit)

    async def withdraw_position(self, caller: Caller, number: int) -> PositionChange:
        """End the caller's delegation's position on an open item, whatever its kind (it
        stays in the history as withdrawn); only an objection can change the standing."""

        async def unit(uow: UnitOfWork) -> PositionChange:
            meeting, delegation = await meeting_and_delegation_of(uow, caller)
            state = await position_state(uow, meeting, number, delegation)
            item, current = state.item, state.current
            require_open(item)
            if current is None:
                raise Conflict(f"{delegation.name} has no position on #{number} to withdraw.")
            standing, participants = state.standing, state.participants
            await uow.items.end_position(item.id, delegation.id, caller.user_id, self._clock.now())
            counted = current.kind.blocks and delegation.role.may_block
            change = await self._announce_counts(
                uow,
                meeting,
                item.id,
                standing,
                standing - int(counted),
                participants,
                changed=counted,
            )
            return PositionChange(item, delegation, change, replaced=False, previous=current)

        withdrawn = await self._store.transact(unit)
        self._notify()
        return withdrawn

    async def _announce_counts(
        self,
        uow: UnitOfWork,
        meeting: Meeting,
        item_id: int,
        before: int,
        after: int,
        participants: int,
        *,
        changed: bool,
    ) -> BlockChange:
        """Queue the notices for a change from ``before`` to ``after`` standing objections."""
        change = rules.block_change_in_counts(
            before, after, participants, meeting.rule, changed=changed
        )
        await queue_block_notices(uow, meeting.id, item_id, change, self._clock.now())
        await uow.homes.mark_stale(meeting.id)
        return change
