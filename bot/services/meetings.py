"""Use cases of a meeting: each loads state, applies a domain rule, and saves the change
together with the channel notices it calls for, in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.commands.meeting import AddDelegation
from bot.commands.motions import TableMotion
from bot.commands.reference import usage_of
from bot.commands.submissions import PositionSubmission, TablingSubmission
from bot.commands.tokens import name_key
from bot.domain import rules
from bot.domain.calendar import TimeFormatError, parse_when, zone
from bot.domain.errors import Conflict, NotAllowed, NotFound, UsageError
from bot.domain.model import (
    Decision,
    Delegation,
    DelegationChange,
    Item,
    Meeting,
    NoticeKind,
    PositionChange,
    Session,
)
from bot.domain.rules import (
    MAX_ITEM_TEXT,
    MAX_REASON,
    MAX_TITLE,
    BlockChange,
    ItemStatus,
    PositionKind,
)
from bot.ports.clock import Clock
from bot.ports.store import Planner, Store, UnitOfWork
from bot.services.lookups import (
    Caller,
    DecisionResult,
    announce_standing_changes,
    close_item_notices,
    decide_item,
    item_numbered,
    meeting_and_delegation_of,
    meeting_of,
    position_state,
    queue_block_notices,
    require_chair,
    require_may_take,
    require_open,
    standing_of,
)
from bot.services.sessions import deadline_job


@dataclass(frozen=True)
class AgendaView:
    meeting: Meeting
    items: list[Item]
    decisions: dict[int, Decision]
    participants: int


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
            delegation = await self._named(uow, meeting, name)
            now = self._clock.now()
            standing = await standing_of(uow, meeting.id)
            await uow.homes.mark_stale(meeting.id)  # while its members still count as viewers
            for item_id in await uow.items.open_items_with_position_of(delegation.id):
                await uow.items.end_position(
                    item_id, delegation.id, caller.user_id, now, reason="lapsed"
                )
            await uow.meetings.remove_delegation(delegation.id, now)
            # Its objections lapse, and one participant fewer can change what the rule
            # needs to block an item, including items it never spoke on.
            await announce_standing_changes(uow, meeting.id, standing, now)
            return delegation

        delegation = await self._store.transact(unit)
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
        async def unit(uow: UnitOfWork) -> tuple[Meeting, list[Delegation]]:
            meeting = await meeting_of(uow, caller)
            return meeting, await uow.meetings.delegations(meeting.id)

        return await self._store.query(unit)

    async def agenda(self, caller: Caller) -> AgendaView:
        async def unit(uow: UnitOfWork) -> AgendaView:
            meeting = await meeting_of(uow, caller)
            return AgendaView(
                meeting,
                await uow.items.all(meeting.id),
                await uow.items.decisions(meeting.id),
                await uow.meetings.count_participants(meeting.id),
            )

        return await self._store.query(unit)

    async def role_of(self, caller: Caller) -> tuple[Meeting | None, Delegation | None]:
        """The caller's meeting and delegation, either possibly absent (for help)."""

        async def unit(uow: UnitOfWork) -> tuple[Meeting | None, Delegation | None]:
            meeting = await uow.meetings.find(caller.team_id, caller.channel_id)
            if meeting is None:
                return None, None
            return meeting, await uow.meetings.delegation_of(meeting.id, caller.user_id)

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

    # ---- items and positions -------------------------------------------------------

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
            deadline = self._deadline(meeting, request.deadline, now, usage)
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
                if original.status not in (ItemStatus.OPEN, ItemStatus.BLOCKED):
                    raise Conflict(
                        f"#{original.number} is {original.status.value}; only an open or blocked"
                        " item can be modified.",
                        usage=usage,
                    )
                amends_id = original.id
            try:
                named = [await self._named(uow, meeting, n) for n in request.cosponsors]
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
                field="deadline",
            ) from None
        if deadline <= now:
            raise UsageError(
                f"The deadline {typed} ({meeting.timezone}) has already passed; give a time in"
                " the future.",
                usage=usage,
                field="deadline",
            )
        return deadline

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
        base, number = await self.item_for_button(
            team_id, None, form.item.meeting_id, form.item.item_id
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
        """Check a button's packed value against where it was pressed: the meeting must be
        in the presser's workspace (and channel, for a message button) and hold the item.
        Returns the caller in that meeting and the item's number."""
        stale = Conflict(
            "This button no longer matches an item of this meeting; `/meeting agenda` shows"
            " the current ones."
        )

        async def unit(uow: UnitOfWork) -> tuple[Caller, int]:
            meeting = await uow.meetings.get(meeting_id)
            if meeting is None or meeting.team_id != team_id:
                raise stale
            if channel_id is not None and meeting.channel_id != channel_id:
                raise stale
            item = await uow.items.get(item_id)
            if item is None or item.meeting_id != meeting.id:
                raise stale
            return Caller(meeting.team_id, meeting.channel_id, ""), item.number

        return await self._store.query(unit)

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

    # ---- decisions -----------------------------------------------------------------

    async def decide(
        self, caller: Caller, number: int, *, confirmed: bool = False
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
            return await decide_item(
                uow, meeting, item, caller.user_id, self._clock.now(), confirmed=confirmed
            )

        result = await self._store.transact(unit)
        self._planner.cancel(deadline_job(result.item.id))
        self._notify()
        return result
