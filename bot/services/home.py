"""The App Home tab's use cases: what each delegate's Home shows is loaded here, kept fresh."""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.model import HomeMeeting
from bot.domain.rules import ItemStatus
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
        found.append(
            HomeMeeting(
                meeting=meeting,
                delegation=await uow.meetings.delegation_of(meeting.id, user_id),
                is_chair=meeting.is_chair(user_id),
                open_items=tuple(i for i in items if i.status is ItemStatus.OPEN),
                blocked=tuple(
                    (i, decisions[i.id])
                    for i in items
                    if i.status is ItemStatus.BLOCKED and i.id in decisions
                ),
                participants=await uow.meetings.count_participants(meeting.id),
                floor=await uow.floor.current(meeting.id),
            )
        )
    return found


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
