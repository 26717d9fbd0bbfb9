"""What a daily digest says, chosen from the meeting's state: pure, no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.domain.floor import Turn
from bot.domain.model import Decision, Item, Meeting, Session
from bot.domain.rules import ItemStatus
from bot.domain.votes import Vote


@dataclass(frozen=True)
class Digest:
    meeting: Meeting
    since: datetime | None  # None: since the meeting started
    until: datetime
    tabled: tuple[Item, ...]
    adopted: tuple[Item, ...]
    blocked: tuple[tuple[Item, Decision], ...]
    withdrawn: tuple[Item, ...]
    superseded: tuple[Item, ...]  # left the agenda when a modified version was adopted
    open_items: tuple[Item, ...]
    sessions_today: tuple[Session, ...]
    late: bool = False
    # Items debated in the window, with how many delegations had the floor on each.
    speakers: tuple[tuple[Item, int], ...] = ()
    votes_opened: tuple[tuple[Item, Vote], ...] = ()  # opened in the window
    votes_closed: tuple[tuple[Item, Vote], ...] = ()  # closed or cancelled in the window

    @property
    def is_quiet(self) -> bool:
        return not (
            self.tabled
            or self.adopted
            or self.blocked
            or self.withdrawn
            or self.superseded
            or self.votes_opened
            or self.votes_closed
        )


def build_digest(
    meeting: Meeting,
    items: Iterable[Item],
    decisions: Mapping[int, Decision],
    sessions: Iterable[Session],
    *,
    since: datetime | None,
    until: datetime,
    day: tuple[datetime, datetime],
    late: bool = False,
    turns: Iterable[tuple[int, Turn]] = (),
    votes: Iterable[Vote] = (),
) -> Digest:
    """Everything that changed in (since, until], what is still open, and the day's sessions.

    The window is open at its start because the previous digest's window closed there."""
    items = list(items)

    def in_window(moment: datetime | None) -> bool:
        return moment is not None and (since is None or since < moment) and moment <= until

    def decided_in_window(item: Item) -> Decision | None:
        decision = decisions.get(item.id)
        if decision is not None and in_window(decision.decided_at):
            return decision
        return None

    adopted = [i for i in items if i.status is ItemStatus.ADOPTED and decided_in_window(i)]
    blocked: list[tuple[Item, Decision]] = []
    for item in items:
        decision = decided_in_window(item) if item.status is ItemStatus.BLOCKED else None
        if decision is not None:
            blocked.append((item, decision))
    open_items = sorted(
        (i for i in items if i.status is ItemStatus.OPEN),
        key=lambda i: (i.deadline is None, i.deadline or until, i.number),
    )
    spoke: dict[int, set[int]] = {}
    for item_id, turn in turns:
        if in_window(turn.started_at):
            spoke.setdefault(item_id, set()).add(turn.delegation_id)
    by_id = {i.id: i for i in items}
    votes = [v for v in votes if v.item_id in by_id]
    start, end = day
    return Digest(
        meeting=meeting,
        since=since,
        until=until,
        tabled=tuple(i for i in items if in_window(i.tabled_at)),
        adopted=tuple(adopted),
        blocked=tuple(blocked),
        withdrawn=tuple(
            i for i in items if i.status is ItemStatus.WITHDRAWN and in_window(i.closed_at)
        ),
        superseded=tuple(
            i for i in items if i.status is ItemStatus.SUPERSEDED and in_window(i.closed_at)
        ),
        open_items=tuple(open_items),
        sessions_today=tuple(s for s in sessions if start <= s.starts_at < end),
        late=late,
        speakers=tuple((i, len(spoke[i.id])) for i in items if i.id in spoke),
        votes_opened=tuple((by_id[v.item_id], v) for v in votes if in_window(v.opened_at)),
        votes_closed=tuple((by_id[v.item_id], v) for v in votes if in_window(v.closed_at)),
    )
