"""The meeting's web links and what they show: the chairs issue, rotate and revoke them; the
room's screen and the public record are read through them, and through nothing else."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.errors import Conflict
from bot.domain.floor import Floor, Turn
from bot.domain.links import TOKEN_BYTES, LinkKind, PublishMode, looks_like_token, token_digest
from bot.domain.model import Decision, Item, Meeting, RecordedPosition
from bot.domain.rules import ItemStatus
from bot.domain.votes import CastBallot, Vote, VoteStatus
from bot.ports.clock import Clock
from bot.ports.store import Store, UnitOfWork
from bot.services.lookups import Caller, meeting_of, require_chair

RECENT_OUTCOMES = 4  # decisions the screen keeps showing, newest first
NOT_SERVED = (
    "This bot runs in Socket Mode, which serves no web pages: the room's screen and the public"
    " record are served by `python -m bot serve`."
)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


@dataclass(frozen=True)
class LinkGrant:
    """What a chair is told: the link's token (None once the record is unpublished)."""

    meeting: Meeting
    kind: LinkKind
    token: str | None
    issued: bool  # a new token was drawn (the first one, or a rotation)
    revoked: bool = False  # publishing was turned off (it was on)


@dataclass(frozen=True)
class ScreenState:
    """What the room's screen shows: everything a change in the room can alter, nothing
    about who typed it (delegations only, never users)."""

    meeting: Meeting
    participants: int
    floor: Floor | None
    item: Item | None  # the item under discussion, with its current positions
    open_items: tuple[Item, ...]
    outcomes: tuple[tuple[Item, Decision], ...]  # the latest decisions, newest first
    votes: tuple[Vote, ...] = ()  # open votes, then the latest closed ones (newest first)


@dataclass(frozen=True)
class PublicRecord:
    """The published record: the whole meeting, as `/meeting record` uploads it."""

    meeting: Meeting
    items: tuple[Item, ...]
    decisions: dict[int, Decision]
    positions: tuple[RecordedPosition, ...]
    turns: tuple[tuple[int, Turn], ...]
    participants: int
    votes: tuple[tuple[Vote, tuple[CastBallot, ...]], ...] = ()  # every vote, with its ballots


class LinkService:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        draw_token: Callable[[], str] = new_token,
        *,
        served: bool = True,
    ) -> None:
        self._store = store
        self._clock = clock
        self._draw = draw_token
        self._served = served  # False in Socket Mode: a link would lead nowhere

    def _require_served(self) -> None:
        if not self._served:
            raise Conflict(NOT_SERVED)

    async def screen(self, caller: Caller, *, rotate: bool) -> LinkGrant:
        """The screen's link: the one there is, or a new one when asked or when none exists."""
        self._require_served()
        token = self._draw()

        async def unit(uow: UnitOfWork) -> LinkGrant:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "show the room's screen")
            current = await uow.links.token_of(meeting.id, LinkKind.SCREEN)
            if current is not None and not rotate:
                return LinkGrant(meeting, LinkKind.SCREEN, current, issued=False)
            await self._issue(uow, meeting, LinkKind.SCREEN, token, caller)
            return LinkGrant(meeting, LinkKind.SCREEN, token, issued=True)

        return await self._store.transact(unit)

    async def publish(self, caller: Caller, mode: PublishMode) -> LinkGrant:
        """Publish the record, take it down (always possible) or give it a new link."""
        if mode is not PublishMode.OFF:
            self._require_served()
        token = self._draw()

        async def unit(uow: UnitOfWork) -> LinkGrant:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "publish the record")
            if mode is PublishMode.OFF:
                revoked = await uow.links.revoke(meeting.id, LinkKind.RECORD)
                return LinkGrant(meeting, LinkKind.RECORD, None, issued=False, revoked=revoked)
            current = await uow.links.token_of(meeting.id, LinkKind.RECORD)
            if current is not None and mode is PublishMode.ON:
                return LinkGrant(meeting, LinkKind.RECORD, current, issued=False)
            await self._issue(uow, meeting, LinkKind.RECORD, token, caller)
            return LinkGrant(meeting, LinkKind.RECORD, token, issued=True)

        return await self._store.transact(unit)

    async def _issue(
        self, uow: UnitOfWork, meeting: Meeting, kind: LinkKind, token: str, caller: Caller
    ) -> None:
        digest = token_digest(token)
        await uow.links.issue(meeting.id, kind, token, digest, caller.user_id, self._clock.now())

    async def screen_state(self, token: str) -> ScreenState | None:
        """What the screen behind ``token`` shows now; None when no screen has that token."""
        if not looks_like_token(token):
            return None
        digest = token_digest(token)

        async def unit(uow: UnitOfWork) -> ScreenState | None:
            meeting_id = await uow.links.meeting_for(LinkKind.SCREEN, digest)
            meeting = await uow.meetings.get(meeting_id) if meeting_id is not None else None
            if meeting is None:
                return None
            items = await uow.items.all(meeting.id)
            decisions = await uow.items.decisions(meeting.id)
            floor = await uow.floor.current(meeting.id)
            return ScreenState(
                meeting=meeting,
                participants=await uow.meetings.count_participants(meeting.id),
                floor=floor,
                item=next((i for i in items if floor and i.id == floor.item_id), None),
                open_items=tuple(i for i in items if i.status is ItemStatus.OPEN),
                outcomes=_latest(items, decisions),
                votes=_screen_votes(await uow.votes.all(meeting.id)),
            )

        return await self._store.query(unit)

    async def public_record(self, token: str) -> PublicRecord | None:
        """The published record behind ``token``; None when no record is published there."""
        if not looks_like_token(token):
            return None
        digest = token_digest(token)

        async def unit(uow: UnitOfWork) -> PublicRecord | None:
            meeting_id = await uow.links.meeting_for(LinkKind.RECORD, digest)
            meeting = await uow.meetings.get(meeting_id) if meeting_id is not None else None
            if meeting is None:
                return None
            # Every vote, as the record files carry them; the page shows those with a result.
            votes = [
                (vote, tuple(await uow.votes.ballots(vote.id)))
                for vote in await uow.votes.all(meeting.id)
            ]
            return PublicRecord(
                meeting=meeting,
                items=tuple(await uow.items.all(meeting.id)),
                decisions=await uow.items.decisions(meeting.id),
                positions=tuple(await uow.items.position_history(meeting.id)),
                turns=tuple(await uow.floor.history(meeting.id)),
                participants=await uow.meetings.count_participants(meeting.id),
                votes=tuple(votes),
            )

        return await self._store.query(unit)

    def now(self) -> datetime:
        return self._clock.now()


def _latest(
    items: Sequence[Item], decisions: dict[int, Decision]
) -> tuple[tuple[Item, Decision], ...]:
    decided = [(item, decisions[item.id]) for item in items if item.id in decisions]
    decided.sort(key=lambda pair: (pair[1].decided_at, pair[0].number), reverse=True)
    return tuple(decided[:RECENT_OUTCOMES])


def _screen_votes(votes: Sequence[Vote]) -> tuple[Vote, ...]:
    """Open votes first, then the latest closed ones: what the room is voting on, then what
    it has just decided by vote."""
    open_votes = [v for v in votes if v.status is VoteStatus.OPEN]
    closed = [v for v in votes if v.status is VoteStatus.CLOSED and v.closed_at is not None]
    closed.sort(key=lambda v: v.closed_at or v.opened_at, reverse=True)
    return tuple(open_votes + closed[:RECENT_OUTCOMES])
