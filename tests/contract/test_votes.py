"""Votes' storage: one open vote per item, one current ballot per delegation with the history
kept, counted only for registered participants, closed exactly once, a secret vote's choices
erased at close, and the deadlines due and planned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from bot.domain.errors import Duplicate
from bot.domain.rules import Role
from bot.domain.votes import (
    TWO_THIRDS,
    Ballot,
    Base,
    Majority,
    Vote,
    VoteOutcome,
    VoteStatus,
    count_vote,
)
from bot.ports.store import Store, UnitOfWork
from tests.contract.given import NOW, new_delegation, new_meeting

HOUR = timedelta(hours=1)
TWO_THIRDS_PV = Majority(TWO_THIRDS, Base.PRESENT_AND_VOTING)


@dataclass(frozen=True)
class Setting:
    meeting_id: int
    item_id: int
    vote_id: int
    mali: int
    belarus: int
    ukraine: int
    observer: int


async def vote_under_way(
    uow: UnitOfWork, *, secret: bool = False, deadline: bool = True
) -> Setting:
    meeting_id = await new_meeting(uow)
    mali = await new_delegation(uow, meeting_id, "Mali")
    belarus = await new_delegation(uow, meeting_id, "Belarus")
    ukraine = await new_delegation(uow, meeting_id, "Ukraine")
    observer = await new_delegation(uow, meeting_id, "KP CSC", Role.OBSERVER)
    item = await uow.items.create(meeting_id, ukraine, "Exclude the delegation", "U3", NOW)
    vote = await uow.votes.open(
        meeting_id, item.id, TWO_THIRDS_PV, secret, "UCHAIR", NOW, NOW + HOUR if deadline else None
    )
    return Setting(meeting_id, item.id, vote.id, mali, belarus, ukraine, observer)


async def test_an_open_vote_reads_back_with_its_item_majority_and_who_has_not_voted(
    store: Store,
) -> None:
    async def unit(uow: UnitOfWork) -> Vote | None:
        given = await vote_under_way(uow)
        await uow.votes.cast(given.vote_id, given.mali, "U1", Ballot.NO, "", NOW)
        return await uow.votes.open_for_item(given.item_id)

    vote = await store.transact(unit)
    assert vote is not None
    assert vote.status is VoteStatus.OPEN
    assert vote.item_number == 1
    assert vote.majority == TWO_THIRDS_PV
    assert vote.deadline == NOW + HOUR
    assert vote.voted == ("Mali",)
    assert vote.not_voted == ("Belarus", "Ukraine")  # the observer is never on the roll
    assert vote.result is None


async def test_a_second_open_vote_on_an_item_is_a_duplicate_but_a_new_one_after_close_is_not(
    store: Store,
) -> None:
    given = await store.transact(vote_under_way)

    async def again(uow: UnitOfWork) -> None:
        await uow.votes.open(
            given.meeting_id, given.item_id, Majority(), False, "UCHAIR", NOW, None
        )

    with pytest.raises(Duplicate):
        await store.transact(again)

    async def cancel_then_again(uow: UnitOfWork) -> list[VoteStatus]:
        assert await uow.votes.cancel(given.vote_id, "UCHAIR", NOW)
        await again(uow)
        return [v.status for v in await uow.votes.all(given.meeting_id)]

    assert await store.transact(cancel_then_again) == [VoteStatus.CANCELLED, VoteStatus.OPEN]


async def test_a_later_ballot_replaces_the_delegations_current_one_and_the_history_is_kept(
    store: Store,
) -> None:
    given = await store.transact(vote_under_way)

    async def unit(uow: UnitOfWork) -> tuple[bool, bool, int]:
        first = await uow.votes.cast(given.vote_id, given.mali, "U1", Ballot.YES, "", NOW)
        second = await uow.votes.cast(
            given.vote_id, given.mali, "U1b", Ballot.NO, "On reflection", NOW + HOUR / 2
        )
        return first, second, (await uow.votes.count(given.vote_id)).no

    assert await store.transact(unit) == (False, True, 1)
    history = await store.query(lambda uow: uow.votes.ballots(given.vote_id))
    assert [(b.delegation, b.choice, b.user_id, b.current) for b in history] == [
        ("Mali", Ballot.YES, "U1", False),
        ("Mali", Ballot.NO, "U1b", True),
    ]
    assert history[0].replaced_at == NOW + HOUR / 2
    assert history[1].explanation == "On reflection"


async def test_only_registered_participants_count_and_present_includes_those_who_voted(
    store: Store,
) -> None:
    async def unit(uow: UnitOfWork) -> tuple[int, int, int, int, int]:
        given = await vote_under_way(uow)
        await uow.meetings.register_present(given.meeting_id, given.ukraine, "U3", NOW)
        await uow.votes.cast(given.vote_id, given.mali, "U1", Ballot.YES, "", NOW)
        await uow.votes.cast(given.vote_id, given.belarus, "U2", Ballot.NO, "", NOW)
        await uow.votes.cast(given.vote_id, given.observer, "U9", Ballot.NO, "", NOW)
        await uow.meetings.remove_delegation(given.belarus, NOW)
        count = await uow.votes.count(given.vote_id)
        return count.yes, count.no, count.abstain, count.present, count.members

    # Belarus was removed while the vote was open: its ballot no longer counts.
    assert await store.transact(unit) == (1, 0, 0, 2, 2)


async def test_a_vote_closes_exactly_once_with_its_result_and_roll_frozen(store: Store) -> None:
    given = await store.transact(vote_under_way)

    async def close(uow: UnitOfWork) -> bool:
        await uow.votes.cast(given.vote_id, given.mali, "U1", Ballot.YES, "", NOW)
        await uow.votes.cast(given.vote_id, given.ukraine, "U3", Ballot.YES, "", NOW)
        result = count_vote(await uow.votes.count(given.vote_id), TWO_THIRDS_PV)
        return await uow.votes.close(given.vote_id, result, "deadline", NOW, erase_choices=False)

    assert await store.transact(close) is True
    assert await store.transact(close) is False  # the second close finds it closed

    async def later(uow: UnitOfWork) -> Vote | None:
        await uow.meetings.remove_delegation(given.mali, NOW + HOUR)
        return await uow.votes.get(given.vote_id)

    vote = await store.transact(later)
    assert vote is not None
    assert vote.status is VoteStatus.CLOSED
    assert vote.closed_by == "deadline"
    assert vote.result is not None
    assert vote.result.outcome is VoteOutcome.ADOPTED
    assert (vote.result.count.yes, vote.result.needed, vote.result.base_size) == (2, 2, 2)
    assert vote.voted == ("Mali", "Ukraine")  # as it was at close
    assert vote.not_voted == ("Belarus",)
    assert await store.query(lambda uow: uow.votes.open_for_item(given.item_id)) is None


async def test_closing_a_secret_vote_keeps_who_voted_and_erases_how(store: Store) -> None:
    given = await store.transact(lambda uow: vote_under_way(uow, secret=True))

    async def close(uow: UnitOfWork) -> bool:
        await uow.votes.cast(given.vote_id, given.mali, "U1", Ballot.YES, "first thought", NOW)
        await uow.votes.cast(given.vote_id, given.mali, "U1", Ballot.NO, "Our reasons", NOW)
        await uow.votes.cast(given.vote_id, given.belarus, "U2", Ballot.ABSTAIN, "", NOW)
        result = count_vote(await uow.votes.count(given.vote_id), TWO_THIRDS_PV)
        return await uow.votes.close(given.vote_id, result, "UCHAIR", NOW, erase_choices=True)

    assert await store.transact(close)
    ballots = await store.query(lambda uow: uow.votes.ballots(given.vote_id))
    assert [(b.delegation, b.user_id) for b in ballots] == [
        ("Mali", "U1"),
        ("Mali", "U1"),
        ("Belarus", "U2"),
    ]
    assert all(b.choice is None and b.explanation == "" for b in ballots)
    vote = await store.query(lambda uow: uow.votes.get(given.vote_id))
    assert vote is not None
    assert vote.result is not None
    assert (vote.result.count.yes, vote.result.count.no, vote.result.count.abstain) == (0, 1, 1)


async def test_votes_due_and_planned_are_the_open_ones_with_a_deadline(store: Store) -> None:
    given = await store.transact(vote_under_way)

    async def second_meeting(uow: UnitOfWork) -> int:
        meeting_id = await new_meeting(uow, channel="C0OTHER")
        mali = await new_delegation(uow, meeting_id, "Mali")
        item = await uow.items.create(meeting_id, mali, "No deadline", "U1", NOW)
        vote = await uow.votes.open(meeting_id, item.id, Majority(), False, "UCHAIR", NOW, None)
        return vote.id

    await store.transact(second_meeting)
    assert await store.query(lambda uow: uow.votes.planned()) == [(given.vote_id, NOW + HOUR)]
    assert await store.query(lambda uow: uow.votes.due(NOW + HOUR / 2)) == []
    assert await store.query(lambda uow: uow.votes.due(NOW + HOUR)) == [given.vote_id]

    async def cancel(uow: UnitOfWork) -> bool:
        return await uow.votes.cancel(given.vote_id, "UCHAIR", NOW)

    assert await store.transact(cancel)
    assert await store.query(lambda uow: uow.votes.due(NOW + 2 * HOUR)) == []
    assert await store.query(lambda uow: uow.votes.planned()) == []
