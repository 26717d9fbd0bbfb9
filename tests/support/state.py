"""The meeting's record as the storage ports hand it to the services, for end-to-end tests to
check beside what people see, and one snapshot showing that a request changed nothing."""

from __future__ import annotations

import copy
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from bot.demo.rig import Rig
from bot.domain.links import LinkKind
from bot.domain.model import Decision, Delegation, Item, Meeting, RecordedPosition, Session
from bot.domain.rules import ItemStatus
from bot.ports.store import Store, UnitOfWork

T = TypeVar("T")

CHANNEL = "C0MEETING"

Place = tuple[str, str]  # (team, channel): where a meeting is held


def store_of(rig: Rig) -> Store:
    """The running bot's store, seen only through its port."""
    return rig.plenary.store


def place(rig: Rig, channel: str = CHANNEL, *, team: str | None = None) -> Place:
    return (team or rig.signer.team_id, channel)


async def read(rig: Rig, unit: Callable[[UnitOfWork], Coroutine[Any, Any, T]]) -> T:
    """Run ``unit`` as one consistent read of what the bot has committed."""
    return await store_of(rig).query(unit)


async def meeting_at(
    rig: Rig, channel: str = CHANNEL, *, team: str | None = None
) -> Meeting | None:
    return await read(rig, lambda uow: uow.meetings.find(*place(rig, channel, team=team)))


async def _meeting_id(rig: Rig, channel: str, team: str | None) -> int:
    meeting = await meeting_at(rig, channel, team=team)
    assert meeting is not None, f"no meeting in {channel}"
    return meeting.id


async def items_of(rig: Rig, channel: str = CHANNEL, *, team: str | None = None) -> list[Item]:
    """The meeting's items in number order, each with its current positions."""
    meeting_id = await _meeting_id(rig, channel, team)
    return await read(rig, lambda uow: uow.items.all(meeting_id))


async def statuses(
    rig: Rig, channel: str = CHANNEL, *, team: str | None = None
) -> dict[int, ItemStatus]:
    return {item.number: item.status for item in await items_of(rig, channel, team=team)}


async def delegations_of(
    rig: Rig, channel: str = CHANNEL, *, team: str | None = None
) -> list[Delegation]:
    """The delegations registered now (a removed one is not listed)."""
    meeting_id = await _meeting_id(rig, channel, team)
    return await read(rig, lambda uow: uow.meetings.delegations(meeting_id))


async def positions_of(
    rig: Rig, channel: str = CHANNEL, *, team: str | None = None
) -> list[RecordedPosition]:
    """Every position ever taken in the meeting, ended ones included, in the order taken."""
    meeting_id = await _meeting_id(rig, channel, team)
    return await read(rig, lambda uow: uow.items.position_history(meeting_id))


async def sessions_of(
    rig: Rig, channel: str = CHANNEL, *, team: str | None = None
) -> list[Session]:
    meeting_id = await _meeting_id(rig, channel, team)
    return await read(rig, lambda uow: uow.sessions.all(meeting_id))


async def notices_owed(rig: Rig) -> int:
    """Channel messages still to be posted or brought up to date, in every meeting."""
    return await read(rig, lambda uow: uow.notices.count_pending())


async def decisions_of(
    rig: Rig, channel: str = CHANNEL, *, team: str | None = None
) -> list[Decision]:
    meeting_id = await _meeting_id(rig, channel, team)
    decided = await read(rig, lambda uow: uow.items.decisions(meeting_id))
    return [decided[item_id] for item_id in sorted(decided)]


async def _record(uow: UnitOfWork, team: str, channel: str) -> dict[str, Any] | None:
    meeting = await uow.meetings.find(team, channel)
    if meeting is None:
        return None
    return {
        "meeting": meeting,  # its settings, rule, quorum and chairs too
        "delegations": await uow.meetings.delegations(meeting.id),
        "present": await uow.meetings.count_present(meeting.id),
        "sessions": await uow.sessions.all(meeting.id),
        "items": await uow.items.all(meeting.id),
        "positions": await uow.items.position_history(meeting.id),
        "decisions": await uow.items.decisions(meeting.id),
        "agenda proposed": await uow.agendas.pending(meeting.id),
        "floor": await uow.floor.current(meeting.id),
        "speaking time": await uow.floor.speaking_time(meeting.id),
        "votes": [(v, await uow.votes.ballots(v.id)) for v in await uow.votes.all(meeting.id)],
        "web links": [await uow.links.token_of(meeting.id, kind) for kind in LinkKind],
    }


async def snapshot(rig: Rig, *places: Place) -> dict[str, Any]:
    """The record of the meetings at ``places`` (the rig's own channel unless named), the
    notices still owed, and what Slack shows: every channel's messages, the files shared and
    the Home tabs. Equal snapshots mean nothing changed."""
    where = places or (place(rig),)

    async def records(uow: UnitOfWork) -> dict[str, Any]:
        return {
            "meetings": {at: await _record(uow, *at) for at in where},
            "notices owed": await uow.notices.count_pending(),
        }

    slack = rig.slack
    return {
        **await read(rig, records),
        "channels": {
            channel: slack.channel_messages(channel) for channel in sorted(slack.messages)
        },
        "files shared": len(slack.uploads),
        "home tabs": copy.deepcopy(slack.views_published),
    }
