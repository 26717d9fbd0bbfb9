"""Items on the agenda: tabled, withdrawn, decided; the agenda read; what a button or form
names, checked."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands.motions import TableMotion
from bot.commands.reference import usage_of
from bot.commands.submissions import TablingSubmission
from bot.domain.errors import Conflict, NotAllowed, NotFound, UsageError
from bot.domain.model import (
    Decision,
    Delegation,
    Item,
    Meeting,
    NoticeKind,
    Session,
)
from bot.domain.rules import (
    MAX_ITEM_TEXT,
    MAX_TITLE,
    ItemStatus,
    PositionKind,
)
from bot.domain.votes import Vote
from bot.ports.store import UnitOfWork
from bot.services.lookups import (
    Caller,
    DecisionResult,
    button_target,
    close_item_notices,
    decide_item,
    delegation_called,
    future_deadline,
    item_numbered,
    meeting_and_delegation_of,
    meeting_of,
    require_chair,
)
from bot.services.sessions import deadline_job
from bot.services.use_cases import UseCases


@dataclass(frozen=True)
class AgendaView:
    meeting: Meeting
    items: list[Item]
    decisions: dict[int, Decision]
    participants: int
    votes: dict[int, Vote]  # each item's latest vote, by item id


class ItemService(UseCases):
    """Every change to an item's life (tabling, withdrawal, decision) goes through here."""

    async def agenda(self, caller: Caller) -> AgendaView:
        async def unit(uow: UnitOfWork) -> AgendaView:
            meeting = await meeting_of(uow, caller)
            return AgendaView(
                meeting,
                await uow.items.all(meeting.id),
                await uow.items.decisions(meeting.id),
                await uow.meetings.count_participants(meeting.id),
                # Each item's latest vote: they come oldest first, so a later one wins.
                {vote.item_id: vote for vote in await uow.votes.all(meeting.id)},
            )

        return await self._store.query(unit)

    async def tabling_context(
        self, caller: Caller
    ) -> tuple[Meeting, Delegation, list[Delegation], list[Session]]:
        """What the tabling form offers: the caller's delegation, the others, the sessions."""

        async def unit(
            uow: UnitOfWork,
        ) -> tuple[Meeting, Delegation, list[Delegation], list[Session]]:
            meeting, own = await meeting_and_delegation_of(uow, caller)
            others = [d for d in await uow.meetings.delegations(meeting.id) if d.id != own.id]
            return meeting, own, others, await uow.sessions.all(meeting.id)

        return await self._store.query(unit)

    async def item(self, caller: Caller, number: int) -> Item:
        async def unit(uow: UnitOfWork) -> Item:
            return await item_numbered(uow, await meeting_of(uow, caller), number)

        return await self._store.query(unit)

    async def caller_in(
        self, team_id: str, user_id: str, meeting_id: int
    ) -> tuple[Caller, Meeting]:
        """The user as a caller in the meeting a form or Home button names, which must be in
        their workspace."""
        meeting = await self._store.query(lambda uow: uow.meetings.get(meeting_id))
        if meeting is None or meeting.team_id != team_id:
            raise Conflict("This form belongs to a meeting that no longer exists here.")
        return Caller(meeting.team_id, meeting.channel_id, user_id), meeting

    async def table(self, caller: Caller, request: TableMotion) -> Item:
        usage = usage_of("/table-motion")
        for field, value, limit in (
            ("text", request.text, MAX_ITEM_TEXT),
            ("title", request.title or "", MAX_TITLE),
        ):
            if len(value) > limit:
                raise UsageError(
                    f"A motion's {field} can be at most {limit:,} characters"
                    f" (this one has {len(value):,}).",
                    usage=usage,
                    field=field,
                )

        async def unit(uow: UnitOfWork) -> Item:
            meeting, delegation = await meeting_and_delegation_of(uow, caller)
            now = self._clock.now()
            deadline = (
                future_deadline(meeting, request.deadline, now, usage)
                if request.deadline is not None
                else now + meeting.window
                if meeting.window
                else None
            )
            session_id = None
            if request.session is not None:
                session = await uow.sessions.by_number(meeting.id, request.session)
                if session is None:
                    raise NotFound(
                        f"There is no session {request.session}; `/meeting sessions` lists them.",
                        usage=usage,
                        field="session",
                    )
                session_id = session.id
            amends_id = None
            if request.amends is not None:
                original = await item_numbered(uow, meeting, request.amends)
                if original.status not in (
                    ItemStatus.OPEN,
                    ItemStatus.BLOCKED,
                    ItemStatus.REJECTED,
                ):
                    raise Conflict(
                        f"#{original.number} is {original.status.value}; only an open, blocked"
                        " or rejected item can be modified.",
                        usage=usage,
                    )
                amends_id = original.id
            try:
                named = [await delegation_called(uow, meeting, n) for n in request.cosponsors]
            except NotFound as err:
                err.field = "cosponsors"
                raise
            # Names are matched by their key, so two spellings may name one delegation.
            cosponsors = list({c.id: c for c in named}.values())
            if any(c.id == delegation.id for c in cosponsors):
                raise UsageError(
                    f"{delegation.name} tables the item; list only other delegations as"
                    " co-sponsors.",
                    usage=usage,
                    field="cosponsors",
                )
            item = await uow.items.create(
                meeting.id,
                delegation.id,
                request.text,
                caller.user_id,
                now,
                deadline=deadline,
                session_id=session_id,
                title=request.title,
                amends_id=amends_id,
            )
            for cosponsor in cosponsors:
                await uow.items.add_position(
                    item.id, cosponsor.id, PositionKind.SUPPORT, "", caller.user_id, now
                )
            await uow.notices.add(meeting.id, item.id, NoticeKind.ITEM_CARD, now)
            if amends_id is not None:
                await uow.notices.touch_card(amends_id)
            await uow.homes.mark_stale(meeting.id)
            return item

        item = await self._store.transact(unit)
        if item.deadline is not None:
            self._planner.plan(deadline_job(item.id), item.deadline)
        self._notify()
        return item

    async def table_submitted(self, team_id: str, user_id: str, form: TablingSubmission) -> Item:
        """The tabling form: like ``/table-motion``, with co-sponsors chosen by delegation id."""
        caller, meeting = await self.caller_in(team_id, user_id, form.meeting.meeting_id)
        delegations = await self._store.query(lambda uow: uow.meetings.delegations(meeting.id))
        by_id = {d.id: d.name for d in delegations}
        request = TableMotion(
            text=form.text,
            title=form.title,
            deadline=form.deadline,
            session=form.session,
            cosponsors=tuple(by_id[i] for i in form.cosponsor_ids if i in by_id),
        )
        return await self.table(caller, request)

    async def withdraw_item(self, caller: Caller, number: int) -> Item:
        """The sponsor (or a chair) takes an open item off the agenda."""

        async def unit(uow: UnitOfWork) -> Item:
            meeting = await meeting_of(uow, caller)
            item = await item_numbered(uow, meeting, number)
            delegation = await uow.meetings.delegation_of(meeting.id, caller.user_id)
            is_sponsor = delegation is not None and delegation.id == item.sponsor_id
            if not is_sponsor and not meeting.is_chair(caller.user_id):
                registered = await uow.meetings.delegations(meeting.id)
                if all(d.id != item.sponsor_id for d in registered):
                    raise NotAllowed(
                        f"Only a chair can withdraw #{number}: {item.sponsor}, which tabled it,"
                        " is no longer registered."
                    )
                raise NotAllowed(
                    f"Only {item.sponsor}, which tabled #{number}, or a chair can withdraw it."
                )
            if item.status is not ItemStatus.OPEN:
                raise Conflict(f"Item #{number} is already {item.status.value}.")
            now = self._clock.now()
            await uow.items.set_status(item.id, ItemStatus.WITHDRAWN, now)
            await close_item_notices(uow, item.id)
            await uow.notices.add(
                meeting.id,
                item.id,
                NoticeKind.WITHDRAWN,
                now,
                {"by": caller.user_id, "as": "sponsor" if is_sponsor else "chair"},
            )
            await uow.homes.mark_stale(meeting.id)
            withdrawn = await uow.items.get(item.id)
            assert withdrawn is not None
            return withdrawn

        withdrawn = await self._store.transact(unit)
        self._planner.cancel(deadline_job(withdrawn.id))
        self._notify()
        return withdrawn

    async def item_for_button(
        self, team_id: str, channel_id: str | None, meeting_id: int, item_id: int
    ) -> tuple[Caller, int]:
        """The caller's meeting and the item's number behind a button (``button_target``)."""
        return await self._store.query(
            lambda uow: button_target(uow, team_id, channel_id, meeting_id, item_id)
        )

    async def decide(
        self, caller: Caller, number: int, *, confirmed: bool = False, excise: bool = False
    ) -> DecisionResult:
        async def unit(uow: UnitOfWork) -> DecisionResult:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "decide items")
            item = await item_numbered(uow, meeting, number)
            if item.status is ItemStatus.SUPERSEDED:
                raise Conflict(
                    f"#{number} was superseded by #{item.superseded_by}, its modified version,"
                    " and left the agenda; nothing is left to decide on it."
                )
            if item.status is not ItemStatus.OPEN:
                raise Conflict(f"Item #{number} was already decided: {item.status.value}.")
            if await uow.votes.open_for_item(item.id) is not None:
                raise Conflict(
                    f"A vote on #{number} is open: the vote decides it. Close it with"
                    f" `/meeting vote close {number}`, or cancel it with"
                    f" `/meeting vote cancel {number}` first."
                )
            return await decide_item(
                uow,
                meeting,
                item,
                caller.user_id,
                self._clock.now(),
                confirmed=confirmed,
                excise=excise,
            )

        result = await self._store.transact(unit)
        self._planner.cancel(deadline_job(result.item.id))
        self._notify()
        return result
