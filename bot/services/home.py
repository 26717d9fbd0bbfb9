"""The App Home tab's use cases: what each delegate's Home shows is loaded here, kept fresh."""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.model import Delegation, HomeMeeting, Item
from bot.domain.rules import ItemStatus
from bot.domain.votes import HomeVote
from bot.ports.clock import Clock
from bot.ports.store import Store, UnitOfWork


async def load_home(uow: UnitOfWork, team_id: str, user_id: str) -> list[HomeMeeting]:
    found = []
    for meeting_id in await uow.homes.meeting_ids_of(team_id, user_id):
        meeting = await uow.meetings.get(meeting_id)
        if meeting is None:
            continue
        items = await uow.items.all(meeting.id)
        decisions = await uow.items.decisions(meeting.id)
        delegation = await uow.meetings.delegation_of(meeting.id, user_id)
        found.append(
            HomeMeeting(
                meeting=meeting,
                delegation=delegation,
                is_chair=meeting.is_chair(user_id),
                open_items=tuple(i for i in items if i.status is ItemStatus.OPEN),
                blocked=tuple(
                    (i, decisions[i.id])
                    for i in items
                    if i.status is ItemStatus.BLOCKED and i.id in decisions
                ),
                participants=await uow.meetings.count_participants(meeting.id),
                floor=await uow.floor.current(meeting.id),
                votes=await _open_votes(uow, meeting.id, items, delegation),
            )
        )
    return found


async def _open_votes(
    uow: UnitOfWork, meeting_id: int, items: list[Item], delegation: Delegation | None
) -> tuple[HomeVote, ...]:
    """The meeting's open votes, each with the reader's own delegation's ballot (only theirs:
    a Home tab is seen by one user)."""
    headings = {item.id: item.heading for item in items}
    found = []
    for vote in await uow.votes.open_in_meeting(meeting_id):
        own = await uow.votes.current_ballot(vote.id, delegation.id) if delegation else None
        found.append(HomeVote(vote, headings.get(vote.item_id, f"#{vote.item_number}"), own))
    return tuple(found)


class HomeService:
    def __init__(self, store: Store, clock: Clock, notify: Callable[[], None]) -> None:
        self._store = store
        self._clock = clock
        self._notify = notify

    async def opened(self, team_id: str, user_id: str) -> None:
        """The user opened the Home tab: it is (re)published, then kept fresh."""

        async def unit(uow: UnitOfWork) -> None:
            await uow.homes.opened(team_id, user_id, self._clock.now())

        await self._store.transact(unit)
        self._notify()
