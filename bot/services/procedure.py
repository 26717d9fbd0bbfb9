"""Procedure beyond plain consensus: the decision rule, quorum and attendance, what-if,
agenda adoption, and the meeting record."""

from __future__ import annotations

from datetime import timedelta

from bot.commands.reference import usage_of
from bot.domain.errors import Conflict, NotAllowed
from bot.domain.model import AgendaProposal, Attendance, Delegation, Item, Meeting, NoticeKind
from bot.domain.rules import ItemStatus, Rule, Tally
from bot.domain.votes import Vote
from bot.domain.what_if import WhatIf, what_if
from bot.ports.store import UnitOfWork
from bot.services.lookups import (
    Caller,
    announce_standing_changes,
    future_deadline,
    item_numbered,
    meeting_and_delegation_of,
    meeting_of,
    require_chair,
    standing_of,
)
from bot.services.sessions import agenda_job
from bot.services.use_cases import UseCases

DEFAULT_AGENDA_WINDOW = timedelta(hours=24)


class ProcedureService(UseCases):
    async def set_rule(self, caller: Caller, rule: Rule) -> Meeting:
        async def unit(uow: UnitOfWork) -> Meeting | None:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "change the decision rule")
            before = await standing_of(uow, meeting.id)
            await uow.meetings.set_rule(meeting.id, rule)
            # Items shown as blocked (or not) may read otherwise under the new rule.
            await announce_standing_changes(uow, meeting.id, before, self._clock.now())
            return await uow.meetings.get(meeting.id)

        updated = await self._store.transact(unit)
        assert updated is not None
        self._notify()
        return updated

    async def set_quorum(self, caller: Caller, quorum: int) -> tuple[Meeting, int]:
        async def unit(uow: UnitOfWork) -> tuple[Meeting | None, int]:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "set the quorum")
            await uow.meetings.set_quorum(meeting.id, quorum)
            return await uow.meetings.get(meeting.id), await uow.meetings.count_present(meeting.id)

        updated, present = await self._store.transact(unit)
        assert updated is not None
        return updated, present

    async def present(self, caller: Caller) -> Attendance:
        async def unit(uow: UnitOfWork) -> Attendance:
            meeting, delegation = await meeting_and_delegation_of(uow, caller)
            _require_participant(delegation)
            before = await standing_of(uow, meeting.id)
            newly = await uow.meetings.register_present(
                meeting.id, delegation.id, caller.user_id, self._clock.now()
            )
            await announce_standing_changes(uow, meeting.id, before, self._clock.now())
            present = await uow.meetings.count_present(meeting.id)
            return Attendance(delegation, newly, present, meeting.quorum)

        attendance = await self._store.transact(unit)
        self._notify()
        return attendance

    async def absent(self, caller: Caller) -> Attendance:
        """The caller's delegation leaves; ``newly`` is False when it was not registered."""

        async def unit(uow: UnitOfWork) -> Attendance:
            meeting, delegation = await meeting_and_delegation_of(uow, caller)
            _require_participant(delegation)
            before = await standing_of(uow, meeting.id)
            left = await uow.meetings.register_absent(meeting.id, delegation.id)
            await announce_standing_changes(uow, meeting.id, before, self._clock.now())
            present = await uow.meetings.count_present(meeting.id)
            return Attendance(delegation, left, present, meeting.quorum)

        attendance = await self._store.transact(unit)
        self._notify()
        return attendance

    async def what_if(self, caller: Caller, number: int) -> tuple[Item, WhatIf, Vote | None]:
        """What the item's outcome would be under other rules, and its latest vote if a vote
        decided it (then the what-if is the same ballots under the other majorities)."""

        async def unit(uow: UnitOfWork) -> tuple[Item, WhatIf, Vote | None]:
            meeting = await meeting_of(uow, caller)
            item = await item_numbered(uow, meeting, number)
            if item.status is ItemStatus.WITHDRAWN:
                raise Conflict(f"#{number} was withdrawn; nothing was decided on it.")
            if item.status is ItemStatus.SUPERSEDED:
                raise Conflict(
                    f"#{number} was superseded by #{item.superseded_by}, its modified version;"
                    f" nothing was decided on #{number} itself. `/meeting whatif"
                    f" {item.superseded_by}` shows that decision."
                )
            vote = await uow.votes.latest_for_item(item.id)
            closed = vote if vote is not None and vote.result is not None else None
            decision = await uow.items.decision(item.id)
            if decision is not None:
                tally = Tally(decision.objections, decision.participants)
                return item, what_if(tally, decision.rule), closed
            participants = await uow.meetings.count_participants(meeting.id)
            found = what_if(Tally(item.objections, participants), meeting.rule)
            return item, found, closed

        return await self._store.query(unit)

    async def propose_agenda(self, caller: Caller, deadline_text: str | None) -> AgendaProposal:
        usage = usage_of("/meeting agenda propose")
        now = self._clock.now()

        async def unit(uow: UnitOfWork) -> AgendaProposal:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "propose the agenda")
            if await uow.agendas.pending(meeting.id) is not None:
                raise Conflict("An agenda proposal is already circulating; it closes first.")
            if deadline_text is None:
                deadline = now + (meeting.window or DEFAULT_AGENDA_WINDOW)
            else:
                deadline = future_deadline(meeting, deadline_text, now, usage)
            items = [i for i in await uow.items.all(meeting.id) if i.status is ItemStatus.OPEN]
            if not items:
                raise Conflict("No item is open: table the agenda items first.")
            # Adopting the agenda asks one question per item, "is it on the agenda?": an item
            # blocked under the rule is excised; the others stay open to be decided on
            # their merits later. Their own deadlines are left alone.
            proposal = await uow.agendas.propose(
                meeting.id, caller.user_id, now, deadline, [i.id for i in items]
            )
            await uow.notices.add(
                meeting.id, None, NoticeKind.AGENDA_PROPOSED, now, {"proposal": proposal.id}
            )
            await uow.homes.mark_stale(meeting.id)
            return proposal

        proposal = await self._store.transact(unit)
        self._planner.plan(agenda_job(proposal.id), proposal.deadline)
        self._notify()
        return proposal

    async def request_record(self, caller: Caller) -> Meeting:
        async def unit(uow: UnitOfWork) -> Meeting:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "produce the meeting record")
            await uow.notices.add(
                meeting.id, None, NoticeKind.RECORD, self._clock.now(), {"by": caller.user_id}
            )
            return meeting

        meeting = await self._store.transact(unit)
        self._notify()
        return meeting


def _require_participant(delegation: Delegation) -> None:
    if not delegation.role.may_block:
        raise NotAllowed(
            f"{delegation.name} is an observer; attendance counts participant delegations"
            " toward the quorum."
        )
