"""Lookups and rules every use case shares: who is calling, in which meeting, on which item,
and how an item is decided. Each runs inside the caller's unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.commands.tokens import name_key
from bot.domain import rules
from bot.domain.calendar import TimeFormatError, parse_when, zone
from bot.domain.errors import Conflict, NotAllowed, NotFound, UsageError
from bot.domain.model import Decision, Delegation, Item, Meeting, NoticeKind, PositionState
from bot.domain.rules import BlockChange, ItemStatus, Outcome, PositionKind, Rule, RuleKind, Tally
from bot.ports.store import UnitOfWork

NO_MEETING = "This channel has no meeting yet. A chair starts one with `/meeting start <title>`."


@dataclass(frozen=True)
class Caller:
    """Who sent a request, and from which workspace and channel."""

    team_id: str
    channel_id: str
    user_id: str


@dataclass(frozen=True)
class DecisionResult:
    item: Item
    decision: Decision


async def meeting_of(uow: UnitOfWork, caller: Caller) -> Meeting:
    meeting = await uow.meetings.find(caller.team_id, caller.channel_id)
    if meeting is None:
        raise NotFound(NO_MEETING)
    return meeting


def require_chair(meeting: Meeting, caller: Caller, action: str) -> None:
    if not meeting.is_chair(caller.user_id):
        raise NotAllowed(f"Only the meeting's chairs can {action}.")


async def meeting_and_delegation_of(uow: UnitOfWork, caller: Caller) -> tuple[Meeting, Delegation]:
    """The channel's meeting and the caller's delegation in it, in one round trip."""
    meeting, delegation = await uow.meetings.find_with_delegation(
        caller.team_id, caller.channel_id, caller.user_id
    )
    if meeting is None:
        raise NotFound(NO_MEETING)
    if delegation is None:
        raise NotAllowed(
            "You are not a member of any delegation in this meeting."
            " Ask a chair to add you with `/meeting delegation add`."
        )
    return meeting, delegation


async def item_numbered(uow: UnitOfWork, meeting: Meeting, number: int) -> Item:
    item = await uow.items.by_number(meeting.id, number)
    if item is None:
        raise NotFound(f"There is no item #{number} in this meeting; `/meeting agenda` lists them.")
    return item


async def position_state(
    uow: UnitOfWork, meeting: Meeting, number: int, delegation: Delegation
) -> PositionState:
    """The item's header, the delegation's current position on it and the counts, or
    NotFound (one round trip, constant cost)."""
    state = await uow.items.position_state(meeting.id, number, delegation.id)
    if state is None:
        raise NotFound(f"There is no item #{number} in this meeting; `/meeting agenda` lists them.")
    return state


def require_may_take(delegation: Delegation, kind: PositionKind) -> None:
    """Only participant delegations can block: an observer's objection is refused."""
    if kind.blocks and not delegation.role.may_block:
        raise NotAllowed(
            f"{delegation.name} is an observer: observers cannot block under this meeting's"
            " rules. You may still table items and put a reservation or a stand-aside on"
            " record."
        )


def require_open(item: Item) -> None:
    if item.status is not ItemStatus.OPEN:
        raise Conflict(
            f"Item #{item.number} is already {item.status.value}; positions on it can no"
            " longer change."
        )


async def queue_block_notices(
    uow: UnitOfWork, meeting_id: int, item_id: int, change: BlockChange, now: datetime
) -> None:
    """The channel notices a change in an open item's standing calls for; the card always.

    Whether a "blocked" or "no longer blocked" notice is still news is settled when its turn
    to be posted comes (``bot.announcer``): changes that cancel out before then never reach
    the channel. The open block notice is brought up to date on every change of standing."""
    if change is BlockChange.NOW_BLOCKED:
        await uow.notices.add(meeting_id, item_id, NoticeKind.BLOCKED, now)
    elif change is BlockChange.UNBLOCKED:
        await uow.notices.add(meeting_id, item_id, NoticeKind.UNBLOCKED, now)
    await uow.notices.touch_card(item_id, with_block_notice=change is not BlockChange.NONE)


@dataclass(frozen=True)
class Standing:
    """Everything an open item's provisional standing depends on besides its own
    positions: the rule and how many participant delegations count; with the open items."""

    rule: Rule
    participants: int
    items: dict[int, Item]  # the open items, by id

    def tally(self, item: Item) -> Tally:
        return Tally(item.objections, self.participants)


async def standing_of(uow: UnitOfWork, meeting_id: int) -> Standing:
    meeting = await uow.meetings.get(meeting_id)
    assert meeting is not None
    items = await uow.items.all(meeting_id)
    return Standing(
        meeting.rule,
        await uow.meetings.count_participants(meeting_id),
        {i.id: i for i in items if i.status is ItemStatus.OPEN},
    )


async def announce_standing_changes(
    uow: UnitOfWork, meeting_id: int, before: Standing, now: datetime
) -> list[int]:
    """Re-check every open item against ``before`` (taken before a change to the rule, the
    delegations or the attendance) and queue the notices for each one whose standing or
    positions changed: one mechanism, so no announcement is left saying what is no longer
    so. Returns the numbers of the items that became blocked or stopped being blocked."""
    after = await standing_of(uow, meeting_id)
    flipped = []
    for item_id, was in before.items.items():
        item = after.items.get(item_id)
        if item is None:
            continue  # decided meanwhile: its own notices say so
        change = rules.block_change_between(
            before.tally(was), after.tally(item), before.rule, after.rule
        )
        if change is not BlockChange.NONE or was.positions != item.positions:
            await queue_block_notices(uow, meeting_id, item_id, change, now)
        if change in (BlockChange.NOW_BLOCKED, BlockChange.UNBLOCKED):
            flipped.append(item.number)
    await uow.homes.mark_stale(meeting_id)
    return flipped


async def close_item_notices(uow: UnitOfWork, item_id: int) -> None:
    """An item left the agenda (decided, withdrawn): its card shows it, its block notice ends."""
    await uow.notices.touch_card(item_id)
    await uow.notices.close_block_notices(item_id)


async def decide_item(
    uow: UnitOfWork,
    meeting: Meeting,
    item: Item,
    decided_by: str,
    now: datetime,
    *,
    late: bool = False,
    confirmed: bool = False,
    excise: bool = False,
) -> DecisionResult:
    """Apply the consensus checker, record the decision, and queue its announcements.

    Refuses with the numbers when the meeting's quorum is not present, and, unless
    ``confirmed``, a modification of an item that another modification already superseded.
    Refuses (``field="vote"``) what a vote must decide: every item under the rule ``vote``,
    and under ``consensus-then-vote`` an item blocked under consensus, unless ``excise``."""
    if meeting.rule.kind is RuleKind.VOTE:
        raise Conflict(
            f"Items in this meeting are decided by vote ({meeting.rule.describe()}):"
            f" open one with `/meeting vote {item.number}`.",
            field="vote",
        )
    present = await uow.meetings.count_present(meeting.id)
    if not rules.quorate(present, meeting.quorum):
        raise Conflict(
            f"#{item.number} cannot be decided: the quorum is {meeting.quorum} participant"
            f" delegations and {present} {'is' if present == 1 else 'are'} present."
            " Delegations register with `/meeting present`.",
            field="quorum",
        )
    original = (
        await uow.items.by_number(meeting.id, item.amends) if item.amends is not None else None
    )
    if original is not None and original.superseded_by is not None and not confirmed:
        raise Conflict(
            f"#{item.number} modifies #{original.number}, which is already superseded: its"
            f" modified version #{original.superseded_by} was adopted. Deciding #{item.number}"
            f" could adopt a second modification of the same text. If that is intended, type"
            f" `/meeting decide {item.number} confirm`.",
            field="superseded",
        )
    tally = Tally(item.objections, await uow.meetings.count_participants(meeting.id))
    outcome = rules.outcome(tally, meeting.rule)
    if (
        outcome is Outcome.BLOCKED
        and meeting.rule.kind is RuleKind.CONSENSUS_THEN_VOTE
        and not excise
    ):
        raise Conflict(
            f"#{item.number} is blocked under consensus; under this meeting's rule"
            f" ({meeting.rule.describe()}) a vote can decide it: `/meeting vote {item.number}`"
            f" opens one. To excise it instead, type `/meeting decide {item.number} excise`.",
            field="vote",
        )
    decision = Decision(
        item_id=item.id,
        outcome=outcome,
        rule=meeting.rule,
        participants=tally.participants,
        objections=tally.objections,
        decided_at=now,
        decided_by=decided_by,
        late=late,
        quorum=meeting.quorum,
        present=present,
    )
    status = ItemStatus.ADOPTED if outcome is Outcome.ADOPTED else ItemStatus.BLOCKED
    await uow.items.set_status(item.id, status, now)
    await uow.items.record_decision(decision)
    await close_item_notices(uow, item.id)
    await uow.notices.add(meeting.id, item.id, NoticeKind.OUTCOME, now)
    await settle_original(uow, meeting, item, adopted=outcome is Outcome.ADOPTED, now=now)
    await uow.homes.mark_stale(meeting.id)
    decided = await uow.items.get(item.id)
    assert decided is not None
    return DecisionResult(decided, decision)


async def settle_original(
    uow: UnitOfWork, meeting: Meeting, item: Item, *, adopted: bool, now: datetime
) -> None:
    """``item`` was just decided (by its rule or by vote): when it modifies another item,
    adopting it supersedes the original, and the cards that mention either say so."""
    if item.amends is None:
        return
    original = await uow.items.by_number(meeting.id, item.amends)
    if original is None:
        return
    if adopted and original.status is ItemStatus.OPEN:
        # Adopting the modified version settles the original: it leaves the agenda,
        # superseded (nobody withdrew it).
        await uow.items.set_status(original.id, ItemStatus.SUPERSEDED, now)
    await close_item_notices(uow, original.id)  # it now says "superseded by"
    for number, status_of in original.amended_by:
        if number != item.number and status_of is ItemStatus.OPEN:
            # Competing modifications now amend a superseded text: their cards say so.
            rival = await uow.items.by_number(meeting.id, number)
            if rival is not None:
                await uow.notices.touch_card(rival.id)


async def delegation_called(uow: UnitOfWork, meeting: Meeting, name: str) -> Delegation:
    """The meeting's delegation of that name, in any spelling; refused naming the others."""
    delegation = await uow.meetings.delegation_named(meeting.id, name_key(name))
    if delegation is None:
        known = ", ".join(d.name for d in await uow.meetings.delegations(meeting.id))
        raise NotFound(
            f"No delegation is called “{name}” here."
            + (f" Known delegations: {known}." if known else " None is registered yet.")
        )
    return delegation


async def button_target(
    uow: UnitOfWork, team_id: str, channel_id: str | None, meeting_id: int, item_id: int
) -> tuple[Caller, int]:
    """Check a button's packed value against where it was pressed: the meeting must be in the
    presser's workspace (and channel, for a message button) and hold the item. Returns the
    caller in that meeting (with no user yet) and the item's number."""
    stale = Conflict(
        "This button no longer matches an item of this meeting; `/meeting agenda` shows"
        " the current ones."
    )
    meeting = await uow.meetings.get(meeting_id)
    if meeting is None or meeting.team_id != team_id:
        raise stale
    if channel_id is not None and meeting.channel_id != channel_id:
        raise stale
    item = await uow.items.get(item_id)
    if item is None or item.meeting_id != meeting.id:
        raise stale
    return Caller(meeting.team_id, meeting.channel_id, ""), item.number


def future_deadline(meeting: Meeting, typed: str, now: datetime, usage: str) -> datetime:
    """A deadline as a chair or delegate typed it (meeting time or ``in 2h``), in the future;
    refused with the forms it may take, under the input it came from."""
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
