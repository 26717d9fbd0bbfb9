"""Recorded votes through the real app: opening, casting, replacing, refusing, closing, and a
secret vote that leaves no link between a delegation and its ballot in the database."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot.commands.payloads import Action, ItemRef
from bot.demo.rig import Rig
from bot.domain.rules import ItemStatus
from bot.domain.votes import Ballot, CastBallot, Vote, VoteOutcome, VoteStatus
from tests.support.answers import expect_ok
from tests.support.backends import sqlite_file
from tests.support.cast import BELARUS, CHAIR, KPCSC, MALI, OUTSIDER, RUSSIA, UKRAINE, UKRAINE_ALT
from tests.support.state import items_of, meeting_at, read

CHANNEL = "C0MEETING"


async def refused(rig: Rig, command: str, text: str, *, user: str) -> str:
    reply = await rig.command(command, text, user=user)
    assert reply.status == 200
    assert reply.ephemeral
    assert ":warning:" in reply.raw, reply.text
    return reply.text


def stored_bytes(path: Path) -> bytes:
    """The file as it lies on disk (nothing when it does not exist)."""
    return path.read_bytes() if path.exists() else b""


async def votes_of(rig: Rig) -> list[Vote]:
    meeting = await meeting_at(rig)
    assert meeting is not None
    return await read(rig, lambda uow: uow.votes.all(meeting.id))


async def ballots_of(rig: Rig, vote_id: int) -> list[CastBallot]:
    return await read(rig, lambda uow: uow.votes.ballots(vote_id))


@pytest.fixture
async def voting(kasane: Rig) -> Rig:
    """The exclusion motion, tabled by Ukraine, put to a recorded vote."""
    await expect_ok(kasane, "/table-motion", "Exclude the Russian Federation", user=UKRAINE)
    opened = await expect_ok(kasane, "/meeting", "vote 1 majority 2/3", user=CHAIR)
    assert "vote on #1 is open" in opened
    return kasane


async def test_a_ballot_is_confirmed_privately_and_counted_at_close(voting: Rig) -> None:
    text = await expect_ok(voting, "/vote", "1 yes Russia breached the KP's rules", user=UKRAINE)
    assert "Ukraine votes yes on #1" in text
    await expect_ok(voting, "/vote", "1 no", user=BELARUS)
    await expect_ok(voting, "/vote", "#1 yes", user=MALI)
    closed = await expect_ok(voting, "/meeting", "vote close 1", user=CHAIR)
    assert "adopted" in closed
    [vote] = await votes_of(voting)
    assert vote.result is not None
    assert vote.result.outcome is VoteOutcome.ADOPTED
    assert (vote.result.count.yes, vote.result.count.no, vote.result.needed) == (2, 1, 2)
    assert [i.status for i in await items_of(voting)] == [ItemStatus.ADOPTED]


async def test_an_observers_ballot_is_refused_and_nothing_changes(voting: Rig) -> None:
    text = await refused(voting, "/vote", "1 yes", user=KPCSC)
    assert "observer" in text
    outsider = await refused(voting, "/vote", "1 yes", user=OUTSIDER)
    assert "not a member of any delegation" in outsider
    [vote] = await votes_of(voting)
    assert await ballots_of(voting, vote.id) == []


async def test_a_ballot_after_close_is_refused_and_nothing_changes(voting: Rig) -> None:
    await expect_ok(voting, "/vote", "1 no", user=RUSSIA)
    await expect_ok(voting, "/meeting", "vote close 1", user=CHAIR)
    text = await refused(voting, "/vote", "1 yes", user=UKRAINE)
    assert "closed" in text
    [vote] = await votes_of(voting)
    assert [(b.delegation, b.choice) for b in await ballots_of(voting, vote.id)] == [
        ("Russian Federation", Ballot.NO)
    ]
    assert vote.result is not None
    assert vote.result.outcome is VoteOutcome.NOT_ADOPTED
    assert [i.status for i in await items_of(voting)] == [ItemStatus.REJECTED]


async def test_a_second_vote_on_an_item_is_refused_and_nothing_changes(voting: Rig) -> None:
    text = await refused(voting, "/meeting", "vote 1 secret", user=CHAIR)
    assert "already open" in text
    [vote] = await votes_of(voting)
    assert not vote.secret


async def test_a_vote_on_a_decided_item_is_refused_and_nothing_changes(kasane: Rig) -> None:
    await expect_ok(kasane, "/table-motion", "Note the report", user=UKRAINE)
    await expect_ok(kasane, "/meeting", "decide 1", user=CHAIR)
    text = await refused(kasane, "/meeting", "vote 1", user=CHAIR)
    assert "already adopted" in text
    assert await votes_of(kasane) == []


async def test_a_vote_on_an_unknown_item_or_without_one_open_is_refused_with_the_reason(
    kasane: Rig,
) -> None:
    assert "no item #9" in await refused(kasane, "/vote", "9 yes", user=UKRAINE)
    await expect_ok(kasane, "/table-motion", "Note the report", user=UKRAINE)
    assert "No vote is open on #1" in await refused(kasane, "/vote", "1 yes", user=UKRAINE)
    assert "Only the meeting's chairs" in await refused(kasane, "/meeting", "vote 1", user=MALI)


async def test_a_second_member_replaces_the_delegations_ballot_and_the_history_is_kept(
    voting: Rig,
) -> None:
    await expect_ok(voting, "/vote", "1 yes", user=UKRAINE)
    text = await expect_ok(voting, "/vote", "1 abstain Instructions changed", user=UKRAINE_ALT)
    assert "changed its ballot" in text
    [vote] = await votes_of(voting)
    history = await ballots_of(voting, vote.id)
    assert [(b.choice, b.user_id, b.current) for b in history] == [
        (Ballot.YES, UKRAINE, False),
        (Ballot.ABSTAIN, UKRAINE_ALT, True),
    ]
    await expect_ok(voting, "/meeting", "vote close 1", user=CHAIR)
    [closed] = await votes_of(voting)
    assert closed.result is not None
    assert (closed.result.count.yes, closed.result.count.abstain) == (0, 1)
    assert closed.result.outcome is VoteOutcome.NO_VOTES_CAST


async def test_a_delegation_removed_while_the_vote_is_open_no_longer_counts(
    voting: Rig,
) -> None:
    await expect_ok(voting, "/vote", "1 no", user=BELARUS)
    await expect_ok(voting, "/vote", "1 yes", user=UKRAINE)
    await expect_ok(voting, "/meeting", "delegation remove Belarus", user=CHAIR)
    await expect_ok(voting, "/meeting", "vote close 1", user=CHAIR)
    [vote] = await votes_of(voting)
    assert vote.result is not None
    assert (vote.result.count.yes, vote.result.count.no, vote.result.count.members) == (1, 0, 3)
    assert vote.result.outcome is VoteOutcome.ADOPTED
    assert "Belarus" not in vote.voted + vote.not_voted


async def test_the_card_buttons_cast_ballots_under_the_same_rules_as_the_command(
    voting: Rig,
) -> None:
    meeting = await meeting_at(voting)
    assert meeting is not None
    [item] = await items_of(voting)
    value = ItemRef(meeting.id, item.id).pack()
    told = {}
    for user, action in ((MALI, Action.VOTE_NO), (KPCSC, Action.VOTE_YES)):
        key = f"{user}-{action}"
        reply = await voting.send(
            voting.signer.block_action(
                user_id=user, action_id=action, value=value, response_key=key
            )
        )
        assert reply.status == 200
        await voting.settle()
        told[user] = " ".join(str(p.get("text", "")) for p in voting.slack.responses[key])
    assert "Mali votes no on #1" in told[MALI]
    assert "observer" in told[KPCSC]
    [vote] = await votes_of(voting)
    assert [(b.delegation, b.choice) for b in await ballots_of(voting, vote.id)] == [
        ("Mali", Ballot.NO)
    ]


async def test_while_a_vote_is_open_the_items_deadline_does_not_decide_it_but_the_votes_does(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/table-motion", "Exclude deadline: in 1h", user=UKRAINE)
    await expect_ok(kasane, "/meeting", "vote 1 deadline: in 2h", user=CHAIR)
    await expect_ok(kasane, "/vote", "1 yes", user=MALI)
    kasane.clock.advance(timedelta(minutes=90))
    sweep = await kasane.plenary.timekeeper.run_due()
    assert sweep.decided == []
    assert [i.status for i in await items_of(kasane)] == [ItemStatus.OPEN]
    assert "vote on #1 is open" in await refused(kasane, "/meeting", "decide 1", user=CHAIR)
    kasane.clock.advance(timedelta(minutes=31))
    first = await kasane.plenary.timekeeper.run_due()
    again = await kasane.plenary.timekeeper.run_due()
    assert len(first.votes) == 1
    assert again.votes == []
    assert [i.status for i in await items_of(kasane)] == [ItemStatus.ADOPTED]
    [vote] = await votes_of(kasane)
    assert vote.status is VoteStatus.CLOSED
    assert vote.closed_by == "deadline"


async def test_under_the_vote_rule_deciding_is_refused_telling_the_chair_to_open_a_vote(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/meeting", "set rule vote 2/3 of present", user=CHAIR)
    await expect_ok(kasane, "/table-motion", "Exclude", user=UKRAINE)
    text = await refused(kasane, "/meeting", "decide 1", user=CHAIR)
    assert "/meeting vote 1" in text
    await expect_ok(kasane, "/meeting", "vote 1", user=CHAIR)
    [vote] = await votes_of(kasane)
    assert vote.majority.describe() == "a 2/3 majority of present"


async def test_under_consensus_then_vote_a_blocked_item_is_offered_a_vote_or_excised(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/meeting", "set rule consensus-then-vote 2/3", user=CHAIR)
    await expect_ok(kasane, "/table-motion", "Exclude", user=UKRAINE)
    await expect_ok(kasane, "/object", "1 Not the KP's business", user=BELARUS)
    text = await refused(kasane, "/meeting", "decide 1", user=CHAIR)
    assert "/meeting vote 1" in text
    assert "/meeting decide 1 excise" in text
    assert [i.status for i in await items_of(kasane)] == [ItemStatus.OPEN]
    await expect_ok(kasane, "/meeting", "decide 1 excise", user=CHAIR)
    assert [i.status for i in await items_of(kasane)] == [ItemStatus.BLOCKED]


async def test_the_old_majority_rule_is_refused_with_its_honest_name(kasane: Rig) -> None:
    text = await refused(kasane, "/meeting", "set rule majority 2/3", user=CHAIR)
    assert "blocking-minority 1/3" in text
    await expect_ok(kasane, "/meeting", "set rule blocking-minority 1/3", user=CHAIR)
    meeting = await meeting_at(kasane)
    assert meeting is not None
    assert meeting.rule.encode() == "blocking-minority:1/3"


async def test_cancelling_a_vote_keeps_it_on_record_and_leaves_the_item_open(
    voting: Rig,
) -> None:
    await expect_ok(voting, "/vote", "1 yes", user=UKRAINE)
    await expect_ok(voting, "/meeting", "vote cancel 1", user=CHAIR)
    [vote] = await votes_of(voting)
    assert vote.status is VoteStatus.CANCELLED
    assert vote.result is None
    assert [i.status for i in await items_of(voting)] == [ItemStatus.OPEN]
    assert "cancelled" in await refused(voting, "/vote", "1 no", user=MALI)


async def test_two_hundred_delegations_voting_at_once_are_each_counted_once_and_the_card_edited(
    rig: Rig,
) -> None:
    await expect_ok(rig, "/meeting", "start Burst", user=CHAIR)
    users = [f"U0V{i:03d}" for i in range(200)]
    for i, user in enumerate(users):
        await expect_ok(
            rig, "/meeting", f"delegation add Country {i} participant <@{user}>", user=CHAIR
        )
    await expect_ok(rig, "/table-motion", "Contested", user=users[0])
    await expect_ok(rig, "/meeting", "vote 1", user=CHAIR)
    rig.slack.reset_calls()
    choices = ["yes", "no", "abstain"]
    replies = await asyncio.gather(
        *(
            rig.send(rig.signer.slash_command("/vote", f"1 {choices[i % 3]}", user_id=u))
            for i, u in enumerate(users)
        ),
        *(rig.send(rig.signer.slash_command("/vote", "1 yes", user_id=u)) for u in users[:20]),
    )
    await rig.settle()
    assert all(r.status == 200 and "votes" in r.text for r in replies)
    [vote] = await votes_of(rig)
    ballots = await ballots_of(rig, vote.id)
    current = [b for b in ballots if b.current]
    assert len(ballots) == 220
    assert len(current) == len({b.delegation for b in current}) == 200
    assert len(vote.voted) == 200
    assert vote.not_voted == ()
    chat = [c for c in rig.slack.calls if c.method.startswith("chat.")]
    assert 1 <= len(chat) <= 5
    assert {c.method for c in chat} == {"chat.update"}


SECRET_MARKER = "Marker-of-a-secret-explanation-7f3a"


async def close_a_secret_vote_belarus_explained(rig: Rig) -> None:
    """A secret vote on #1, Belarus's "no" explained with ``SECRET_MARKER``, then closed:
    counted, and every ballot kept with its delegation but without its choice or reason."""
    await expect_ok(rig, "/table-motion", "Exclude", user=UKRAINE)
    await expect_ok(rig, "/meeting", "vote 1 secret", user=CHAIR)
    await expect_ok(rig, "/vote", f"1 no {SECRET_MARKER}", user=BELARUS)
    await expect_ok(rig, "/vote", "1 yes", user=UKRAINE)
    await expect_ok(rig, "/vote", "1 yes", user=MALI)
    await expect_ok(rig, "/meeting", "vote close 1", user=CHAIR)
    [vote] = await votes_of(rig)
    assert vote.result is not None
    assert (vote.result.count.yes, vote.result.count.no) == (2, 1)
    ballots = await ballots_of(rig, vote.id)
    assert sorted(b.delegation for b in ballots) == ["Belarus", "Mali", "Ukraine"]
    assert all(b.choice is None and b.explanation == "" for b in ballots)


async def test_a_closed_secret_vote_keeps_who_voted_but_not_how_or_why_and_logs_neither(
    kasane: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    await close_a_secret_vote_belarus_explained(kasane)
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert SECRET_MARKER not in logged


@pytest.mark.sqlite_only(reason="reads the SQLite file and its write-ahead log byte by byte")
async def test_a_closed_secret_vote_leaves_no_link_between_delegation_and_ballot_in_the_file(
    kasane: Rig,
) -> None:
    await close_a_secret_vote_belarus_explained(kasane)
    database = sqlite_file(kasane)
    for path in (database, Path(f"{database}-wal")):
        assert SECRET_MARKER.encode() not in stored_bytes(path), path
