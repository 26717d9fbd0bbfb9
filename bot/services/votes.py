"""Recorded votes: a chair opens one on an open item, participant delegations cast and change
their ballots, and a chair or the vote's deadline closes it, counted by the majority of its
base; the item is then adopted or rejected (or stays open when the vote was inquorate)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.commands.reference import usage_of
from bot.commands.votes import OpenVote
from bot.domain.errors import Conflict, NotAllowed, NotFound
from bot.domain.model import Delegation, Item, Meeting, NoticeKind
from bot.domain.rules import ItemStatus
from bot.domain.votes import Ballot, CastBallot, Majority, Vote, VoteResult, VoteStatus, count_vote
from bot.ports.store import UnitOfWork
from bot.services.lookups import (
    Caller,
    close_item_notices,
    future_deadline,
    item_numbered,
    meeting_and_delegation_of,
    meeting_of,
    require_chair,
    settle_original,
)
from bot.services.sessions import deadline_job
from bot.services.use_cases import UseCases

log = logging.getLogger(__name__)


def vote_job(vote_id: int) -> str:
    return f"vote:{vote_id}"


@dataclass(frozen=True)
class VoteView:
    """A vote with what its card, result and record show: the item, the meeting, and every
    ballot (history included; a closed secret vote's carry no choice)."""

    vote: Vote
    item: Item
    meeting: Meeting
    ballots: tuple[CastBallot, ...] = ()


@dataclass(frozen=True)
class BallotCast:
    """What casting a ballot did: only the caster is told how their delegation voted."""

    vote: Vote
    item: Item
    delegation: Delegation
    choice: Ballot
    explanation: str
    replaced: bool  # the delegation had a ballot already; this one replaced it


@dataclass(frozen=True)
class VoteClosed:
    """A vote closed by a chair or by its deadline, and what it did to the item."""

    view: VoteView
    result: VoteResult


async def view_of(uow: UnitOfWork, vote: Vote) -> VoteView:
    item = await uow.items.get(vote.item_id)
    meeting = await uow.meetings.get(vote.meeting_id)
    assert item is not None
    assert meeting is not None
    return VoteView(vote, item, meeting, tuple(await uow.votes.ballots(vote.id)))


async def close_vote(
    uow: UnitOfWork, vote_id: int, closed_by: str, now: datetime
) -> VoteResult | None:
    """Count the vote and close it, exactly once (None when it was no longer open): the
    item is adopted or rejected unless the vote was inquorate, the card shows the close and
    the result is announced. A secret vote's choices are erased in the same transaction."""
    vote = await uow.votes.get(vote_id)
    if vote is None or vote.status is not VoteStatus.OPEN:
        return None
    meeting = await uow.meetings.get(vote.meeting_id)
    item = await uow.items.get(vote.item_id)
    assert meeting is not None
    assert item is not None
    result = count_vote(await uow.votes.count(vote.id), vote.majority, meeting.quorum)
    if not await uow.votes.close(vote.id, result, closed_by, now, erase_choices=vote.secret):
        return None
    if result.outcome.decides and item.status is ItemStatus.OPEN:
        status = ItemStatus.ADOPTED if result.adopted else ItemStatus.REJECTED
        await uow.items.set_status(item.id, status, now)
        await close_item_notices(uow, item.id)
        await settle_original(uow, meeting, item, adopted=result.adopted, now=now)
    else:
        await _left_open(uow, item, now)
    card = await uow.votes.card(vote.id)
    if card is not None:
        await uow.notices.touch(card, close=True)
    await uow.notices.add(meeting.id, item.id, NoticeKind.VOTE_RESULT, now, {"vote": vote.id})
    await uow.homes.mark_stale(meeting.id)
    return result


async def _left_open(uow: UnitOfWork, item: Item, now: datetime) -> None:
    """The vote ended without deciding the item: an own deadline that passed meanwhile
    (while the vote kept it from deciding the item) is cleared, so the chair decides next."""
    if item.deadline is not None and item.deadline <= now:
        await uow.items.set_deadline(item.id, None)
    await uow.notices.touch_card(item.id)


class VoteService(UseCases):
    async def open_vote(self, caller: Caller, request: OpenVote) -> VoteView:
        usage = usage_of("/meeting vote")

        async def unit(uow: UnitOfWork) -> VoteView:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "open a vote")
            item = await item_numbered(uow, meeting, request.number)
            if item.status is not ItemStatus.OPEN:
                raise Conflict(
                    f"#{item.number} is already {item.status.value}; only an open item can be"
                    " put to a vote.",
                    usage=usage,
                )
            if await uow.votes.open_for_item(item.id) is not None:
                raise Conflict(
                    f"A vote on #{item.number} is already open. Close it with"
                    f" `/meeting vote close {item.number}` or cancel it with"
                    f" `/meeting vote cancel {item.number}` before opening another.",
                    usage=usage,
                )
            now = self._clock.now()
            majority = request.majority or _default_majority(meeting)
            deadline = (
                future_deadline(meeting, request.deadline, now, usage)
                if request.deadline is not None
                else None
            )
            vote = await uow.votes.open(
                meeting.id, item.id, majority, request.secret, caller.user_id, now, deadline
            )
            card = await uow.notices.add(
                meeting.id, item.id, NoticeKind.VOTE_CARD, now, {"vote": vote.id}
            )
            await uow.votes.set_card(vote.id, card)
            await uow.notices.touch_card(item.id)
            await uow.homes.mark_stale(meeting.id)
            return VoteView(vote, item, meeting)

        view = await self._store.transact(unit)
        if view.vote.deadline is not None:
            self._planner.plan(vote_job(view.vote.id), view.vote.deadline)
        log.info("vote opened", extra={"vote_id": view.vote.id, "item_id": view.item.id})
        self._notify()
        return view

    async def cast(
        self, caller: Caller, number: int, choice: Ballot, explanation: str = ""
    ) -> BallotCast:
        """The caller's delegation's ballot on the item's open vote (replacing its last)."""

        async def unit(uow: UnitOfWork) -> BallotCast:
            meeting, delegation = await meeting_and_delegation_of(uow, caller)
            if not delegation.role.may_block:
                raise NotAllowed(
                    f"{delegation.name} is an observer: observers do not vote. You may still"
                    f" put a reservation or a stand-aside on record with `/object {number}`."
                )
            item = await item_numbered(uow, meeting, number)
            vote = await _open_vote_on(uow, item)
            now = self._clock.now()
            replaced = await uow.votes.cast(
                vote.id, delegation.id, caller.user_id, choice, explanation, now
            )
            card = await uow.votes.card(vote.id)
            if card is not None:
                await uow.notices.touch(card)
            await uow.homes.mark_stale(meeting.id)
            return BallotCast(vote, item, delegation, choice, explanation, replaced)

        cast = await self._store.transact(unit)
        # Ids and kinds only: how a delegation voted never reaches the logs.
        log.info("ballot cast", extra={"vote_id": cast.vote.id})
        self._notify()
        return cast

    async def close(self, caller: Caller, number: int) -> VoteClosed:
        async def unit(uow: UnitOfWork) -> VoteClosed:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "close a vote")
            item = await item_numbered(uow, meeting, number)
            vote = await _open_vote_on(uow, item)
            result = await close_vote(uow, vote.id, caller.user_id, self._clock.now())
            assert result is not None  # it was open in this same transaction
            closed = await uow.votes.get(vote.id)
            assert closed is not None
            return VoteClosed(await view_of(uow, closed), result)

        closed = await self._store.transact(unit)
        await self._after_close(closed.view.vote, closed.view.item)
        return closed

    async def cancel(self, caller: Caller, number: int) -> VoteView:
        """Discard the open vote: on record as cancelled, nothing counted, the item open."""

        async def unit(uow: UnitOfWork) -> VoteView:
            meeting = await meeting_of(uow, caller)
            require_chair(meeting, caller, "cancel a vote")
            item = await item_numbered(uow, meeting, number)
            vote = await _open_vote_on(uow, item)
            now = self._clock.now()
            await uow.votes.cancel(vote.id, caller.user_id, now)
            await _left_open(uow, item, now)
            card = await uow.votes.card(vote.id)
            if card is not None:
                await uow.notices.touch(card, close=True)
            await uow.homes.mark_stale(meeting.id)
            cancelled = await uow.votes.get(vote.id)
            assert cancelled is not None
            return await view_of(uow, cancelled)

        view = await self._store.transact(unit)
        await self._after_close(view.vote, view.item)
        return view

    async def _after_close(self, vote: Vote, item: Item) -> None:
        self._planner.cancel(vote_job(vote.id))
        if item.status is not ItemStatus.OPEN:
            self._planner.cancel(deadline_job(item.id))
        if vote.secret:
            await self._store.scrub()  # no page of the file's log still holds a choice
        log.info("vote ended", extra={"vote_id": vote.id, "status": vote.status.value})
        self._notify()

    async def view(self, vote_id: int) -> VoteView | None:
        """A vote as its card and result show it (None when it no longer exists)."""

        async def unit(uow: UnitOfWork) -> VoteView | None:
            vote = await uow.votes.get(vote_id)
            return await view_of(uow, vote) if vote is not None else None

        return await self._store.query(unit)


async def _open_vote_on(uow: UnitOfWork, item: Item) -> Vote:
    """The item's open vote, or why there is none to act on."""
    vote = await uow.votes.open_for_item(item.id)
    if vote is not None:
        return vote
    latest = await uow.votes.latest_for_item(item.id)
    if latest is not None and latest.status is VoteStatus.CLOSED:
        raise Conflict(
            f"The vote on #{item.number} is closed; ballots can no longer be cast or changed."
        )
    if latest is not None and latest.status is VoteStatus.CANCELLED:
        raise Conflict(f"The vote on #{item.number} was cancelled; no vote on it is open.")
    raise NotFound(
        f"No vote is open on #{item.number}. A chair opens one with `/meeting vote {item.number}`."
    )


def _default_majority(meeting: Meeting) -> Majority:
    """The meeting's vote rule's majority, else a simple majority of present and voting."""
    if meeting.rule.kind.by_vote and meeting.rule.majority is not None:
        return meeting.rule.majority
    return Majority()
