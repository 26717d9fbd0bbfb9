"""What the store hands to services: plain, immutable records of the meeting's state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any

from bot.domain.floor import Floor
from bot.domain.rules import BlockChange, ItemStatus, Objection, Outcome, PositionKind, Role, Rule
from bot.domain.votes import HomeVote


@dataclass(frozen=True)
class Meeting:
    id: int
    team_id: str
    channel_id: str
    title: str
    timezone: str
    rule: Rule
    created_by: str
    created_at: datetime
    chairs: tuple[str, ...] = ()
    window: timedelta | None = None  # default objection window for new items
    reminder_minutes: int = 15
    digest_time: time | None = None  # local wall-clock time of the daily digest
    next_digest_at: datetime | None = None
    digest_since: datetime | None = None
    quorum: int = 0  # participant delegations that must be present to decide; 0: none

    def is_chair(self, user_id: str) -> bool:
        return user_id in self.chairs


@dataclass(frozen=True)
class Session:
    """A scheduled block of the meeting (plenary, working group) with a start time."""

    id: int
    meeting_id: int
    number: int
    title: str
    starts_at: datetime
    remind_at: datetime
    reminded_at: datetime | None = None


@dataclass(frozen=True)
class Delegation:
    id: int
    meeting_id: int
    name: str
    role: Role
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class Position:
    delegation_id: int
    delegation: str
    role: Role
    kind: PositionKind
    statement: str
    user_id: str
    recorded_at: datetime


def item_heading(title: str | None, text: str) -> str:
    """An item's heading: its title, or the start of its text when tabled without one."""
    if title:
        return title
    first = text.splitlines()[0] if text else ""
    return first if len(first) <= 80 else first[:79] + "…"


@dataclass(frozen=True)
class Item:
    id: int
    meeting_id: int
    number: int
    sponsor_id: int
    sponsor: str
    text: str
    status: ItemStatus
    tabled_by: str
    tabled_at: datetime
    deadline: datetime | None = None
    positions: tuple[Position, ...] = field(default=())
    session_id: int | None = None
    closed_at: datetime | None = None  # when it was decided or withdrawn
    title: str | None = None
    amends: int | None = None  # the number of the item this one modifies
    amended_by: tuple[tuple[int, ItemStatus], ...] = ()  # later versions, with their status
    # Another modification of the same original that was adopted: while this one is open,
    # the text it modifies is already superseded.
    rival_adopted: int | None = None

    @property
    def superseded_by(self) -> int | None:
        """The modified proposal that was adopted in this one's place, if any."""
        return next((n for n, s in self.amended_by if s is ItemStatus.ADOPTED), None)

    @property
    def heading(self) -> str:
        """The title, or the start of the text when the item was tabled without one."""
        return item_heading(self.title, self.text)

    def position_of(self, delegation_id: int) -> Position | None:
        return next((p for p in self.positions if p.delegation_id == delegation_id), None)

    @property
    def cosponsors(self) -> tuple[str, ...]:
        return tuple(p.delegation for p in self.positions if p.kind is PositionKind.SUPPORT)

    @property
    def on_record(self) -> tuple[Position, ...]:
        """Reservations and stand-asides: stated, never blocking."""
        return tuple(
            p
            for p in self.positions
            if p.kind in (PositionKind.RESERVATION, PositionKind.STAND_ASIDE)
        )

    @property
    def objections(self) -> tuple[Objection, ...]:
        """Standing objections of participant delegations: the only ones that can block."""
        return tuple(
            Objection(p.delegation, p.statement)
            for p in self.positions
            if p.kind.blocks and p.role.may_block
        )


@dataclass(frozen=True)
class PositionState:
    """What changing one delegation's position on an item needs to know, at constant cost:
    the item without its positions, that delegation's current one, and the counts."""

    item: Item
    current: Position | None
    standing: int  # standing objections of participant delegations (the ones that block)
    participants: int  # the meeting's participant delegations


@dataclass(frozen=True)
class PositionChange:
    """What recording or withdrawing one delegation's position on an item changed."""

    item: Item  # its header: number, status, sponsor (positions are not loaded)
    delegation: Delegation
    change: BlockChange
    replaced: bool  # the delegation already held this position; it was restated
    previous: Position | None = None
    updated: bool = False  # restated with a new reason or statement


@dataclass(frozen=True)
class DelegationChange:
    """A delegation registered, or found registered, and which members it gained."""

    delegation: Delegation
    created: bool
    added: tuple[str, ...]
    already: tuple[str, ...]
    returned: bool = False  # registered again after its removal: its history continues


@dataclass(frozen=True)
class Attendance:
    """A delegation's presence after registering it present or absent."""

    delegation: Delegation
    newly: bool  # the registration changed something
    present: int
    quorum: int


@dataclass(frozen=True)
class Decision:
    item_id: int
    outcome: Outcome
    rule: Rule
    participants: int
    objections: tuple[Objection, ...]
    decided_at: datetime
    decided_by: str  # a Slack user id, or "deadline"
    late: bool = False
    quorum: int = 0
    present: int | None = None  # participant delegations present, when attendance was taken


@dataclass(frozen=True)
class AgendaProposal:
    """A provisional agenda circulated for objection until its deadline (Kasane's case)."""

    id: int
    meeting_id: int
    proposed_by: str
    proposed_at: datetime
    deadline: datetime
    items: tuple[int, ...]  # item ids
    adopted_at: datetime | None = None  # when its deadline was handled
    inquorate: bool = False  # the deadline passed without a quorum: nothing was adopted


@dataclass(frozen=True)
class RecordedPosition:
    """A position as the record keeps it: with when it was taken and when it ended."""

    item_id: int
    delegation: str
    role: Role
    kind: PositionKind
    statement: str
    recorded_at: datetime
    ended_at: datetime | None
    end_reason: str | None = None  # withdrawn, replaced, lapsed


class NoticeKind(StrEnum):
    """The channel messages the bot owns; each is posted once and then edited in place."""

    MEETING_STARTED = "meeting-started"
    ITEM_CARD = "item-card"
    BLOCKED = "blocked"
    UNBLOCKED = "unblocked"
    OUTCOME = "outcome"
    WITHDRAWN = "withdrawn"
    REMINDER = "reminder"
    DIGEST = "digest"
    INQUORATE = "inquorate"
    AGENDA_PROPOSED = "agenda-proposed"
    AGENDA_ADOPTED = "agenda-adopted"
    RECORD = "record"
    VOTE_CARD = "vote-card"  # the open vote, edited in place as ballots come in
    VOTE_RESULT = "vote-result"  # the result and the recorded vote, once it closes
    SPEAKERS_LIST = "speakers-list"  # the item under discussion's list, edited in place
    FLOOR_WARNING = "floor-warning"  # told only to the speaker: 30 seconds left


@dataclass(frozen=True)
class Notice:
    """A channel message waiting to be posted or brought up to date (the outbox)."""

    id: int
    meeting_id: int
    team_id: str
    channel_id: str
    item_id: int | None
    kind: NoticeKind
    revision: int
    message_ts: str | None
    closed: bool
    attempts: int
    payload: dict[str, Any] = field(default_factory=dict)
    # Set when a post's connection dropped: Slack may have accepted it, so the channel is
    # searched for it before posting again.
    uncertain_since: datetime | None = None
    # The latest failure, until the notice is delivered; no next attempt once given up.
    last_error: str | None = None
    failed_at: datetime | None = None
    next_attempt_at: datetime | None = None


@dataclass(frozen=True)
class HomeMeeting:
    meeting: Meeting
    delegation: Delegation | None
    is_chair: bool
    open_items: tuple[Item, ...]
    blocked: tuple[tuple[Item, Decision], ...]
    participants: int = 0
    floor: Floor | None = None  # the item under discussion and its list of speakers
    votes: tuple[HomeVote, ...] = ()  # the open votes, with the reader's delegation's ballot
