"""PLACEHOLDER until ``bot.render.votes`` (the vote card and result, built beside this) lands:
the barest vote card and result, so the backend's tests can deliver the two notices. Replace
the two calls in ``bot.delivery.notice_views`` and delete this module."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.model import Item, Meeting
from bot.domain.votes import CastBallot, Vote, VoteStatus
from bot.render.blocks import Message, message, section


def vote_card(vote: Vote, item: Item, meeting: Meeting) -> Message:
    state = "open" if vote.status is VoteStatus.OPEN else vote.status.value
    said = (
        f"Vote on #{vote.item_number} ({state}): {len(vote.voted)} of"
        f" {len(vote.voted) + len(vote.not_voted)} participant delegations have voted."
    )
    return message(said, [section(said)])


def vote_result(vote: Vote, item: Item, meeting: Meeting, ballots: Sequence[CastBallot]) -> Message:
    outcome = vote.result.outcome.value if vote.result is not None else vote.status.value
    said = f"Vote on #{vote.item_number}: {outcome}."
    return message(said, [section(said)])
