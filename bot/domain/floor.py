"""The floor: who may ask to speak, in which order the chair gives the floor, and how long a
turn lasts (UN General Assembly rules 71 to 73); pure.

Points of order go first, first come first served; then the ordinary list in the order the
requests were committed; then rights of reply. A closed list takes only points of order and
replies, and a delegation gets at most two replies per item.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.errors import Conflict, Duplicate

MAX_REPLIES = 2  # rights of reply per delegation per item
WARNING_BEFORE = timedelta(seconds=30)  # the speaker is told this long before the end
MIN_SPEAKING_TIME = timedelta(seconds=30)
MAX_SPEAKING_TIME = timedelta(hours=1)


class RequestKind(StrEnum):
    """What a delegation asks the floor for, in the order the list hears them."""

    ORDER = "order"  # a point of order
    SPEAK = "speak"  # the ordinary list of speakers
    REPLY = "reply"  # a right of reply

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def allowed_when_closed(self) -> bool:
        return self is not RequestKind.SPEAK


_RANK = {RequestKind.ORDER: 0, RequestKind.SPEAK: 1, RequestKind.REPLY: 2}


@dataclass(frozen=True)
class FloorRequest:
    """A pending request; ``id`` grows in commit order, which is the list's order within a kind."""

    id: int
    delegation_id: int
    delegation: str
    kind: RequestKind
    user_id: str
    requested_at: datetime


@dataclass(frozen=True)
class Turn:
    """A delegation holding the floor, from when, until when, and how it got it."""

    id: int
    delegation_id: int
    delegation: str
    kind: RequestKind
    started_at: datetime
    ends_at: datetime | None  # None: no speaking time was set
    out_of_order: bool = False  # given by the chair ahead of the list
    ended_at: datetime | None = None
    warned_at: datetime | None = None
    expired_at: datetime | None = None  # when "time is up" was shown

    def duration(self, now: datetime) -> timedelta:
        return (self.ended_at or now) - self.started_at

    @property
    def time_is_up(self) -> bool:
        return self.expired_at is not None


@dataclass(frozen=True)
class Floor:
    """An item's debate: its list of speakers, the turn under way and whether it is closed."""

    id: int
    meeting_id: int
    item_id: int
    item_number: int
    item_heading: str
    opened_at: datetime
    closed: bool
    speaking_time: timedelta | None
    queue: tuple[FloorRequest, ...]  # in the order it will be heard (see ``in_order``)
    current: Turn | None = None
    ended_at: datetime | None = None
    notice_id: int | None = None  # the list's message in the channel (the outbox row)

    def place_of(self, delegation_id: int) -> int | None:
        """1-based place of the delegation's first pending request, or None."""
        return next(
            (n for n, r in enumerate(self.queue, 1) if r.delegation_id == delegation_id), None
        )

    def pending_of(self, delegation_id: int) -> tuple[FloorRequest, ...]:
        return tuple(r for r in self.queue if r.delegation_id == delegation_id)

    @property
    def next_request(self) -> FloorRequest | None:
        return self.queue[0] if self.queue else None


def in_order(requests: Iterable[FloorRequest]) -> tuple[FloorRequest, ...]:
    """Points of order, then the ordinary list, then replies; each in commit order."""
    return tuple(sorted(requests, key=lambda r: (r.kind.rank, r.id)))


def check_request(floor: Floor, delegation_id: int, kind: RequestKind, replies_taken: int) -> None:
    """Refuse a request the list cannot take; ``replies_taken`` counts the delegation's
    replies on this item so far (heard or pending)."""
    mine = next((r for r in floor.pending_of(delegation_id) if r.kind is kind), None)
    if mine is not None:
        place = floor.place_of(delegation_id)
        raise Duplicate(
            f"Your delegation already has {_described(kind)} on the list, at place {place}.",
            field="duplicate",
        )
    if floor.closed and not kind.allowed_when_closed:
        raise Conflict(
            f"The list of speakers on #{floor.item_number} is closed: only points of order and"
            " rights of reply are taken now.",
            field="closed",
        )
    if kind is RequestKind.REPLY and replies_taken >= MAX_REPLIES:
        raise Conflict(
            f"Your delegation has had its {MAX_REPLIES} rights of reply on"
            f" #{floor.item_number}; no more are taken.",
            field="replies",
        )


def _described(kind: RequestKind) -> str:
    return {
        RequestKind.ORDER: "a point of order",
        RequestKind.SPEAK: "a request for the floor",
        RequestKind.REPLY: "a right of reply",
    }[kind]


def turn_times(
    started_at: datetime, speaking_time: timedelta | None
) -> tuple[datetime | None, datetime | None]:
    """(warn_at, ends_at) of a turn starting now: the warning 30 s before the end, or at the
    start when the turn is shorter than that."""
    if speaking_time is None:
        return None, None
    ends_at = started_at + speaking_time
    return max(started_at, ends_at - WARNING_BEFORE), ends_at


_SPEAKING_TIME = re.compile(r"(?:(\d{1,3})m)?(?:(\d{1,4})s)?")


def parse_speaking_time(text: str) -> timedelta:
    """``3m``, ``90s`` or ``2m30s`` → a turn's limit, from 30 seconds to one hour."""
    cleaned = text.strip().lower()
    match = _SPEAKING_TIME.fullmatch(cleaned)
    if not cleaned or match is None or not any(match.groups()):
        raise ValueError(f"“{text.strip()[:40]}” is not a speaking time; write it like 3m or 90s.")
    minutes, seconds = (int(g) if g else 0 for g in match.groups())
    limit = timedelta(minutes=minutes, seconds=seconds)
    if not MIN_SPEAKING_TIME <= limit <= MAX_SPEAKING_TIME:
        raise ValueError("A speaking time is from 30 seconds to one hour, such as 3m or 90s.")
    return limit
