"""What one person is told about a vote, privately: their ballot's receipt, and a chair's
vote opened, closed or cancelled; pure. The channel's vote card and result are
``bot.render.votes``'s."""

from __future__ import annotations

from bot.domain.text import escape
from bot.domain.votes import Ballot, Vote, VoteResult
from bot.render.blocks import Message, context, message, section

_CHOICE = {
    Ballot.YES: "*yes*",
    Ballot.NO: "*no*",
    Ballot.ABSTAIN: "to *abstain*",
}


def _deadline(vote: Vote) -> str:
    if vote.deadline is None:
        return "It stays open until a chair closes it."
    at = int(vote.deadline.timestamp())
    return f"It closes <!date^{at}^{{date_short_pretty}} at {{time}}|at its deadline>."


def ballot_cast(
    vote: Vote, delegation: str, choice: Ballot, explanation: str, *, replaced: bool
) -> Message:
    """Only the caster sees how their delegation voted."""
    verb = "changed its ballot: it now votes" if replaced else "votes"
    said = f"{escape(delegation)} {verb} {_CHOICE[choice]} on #{vote.item_number}."
    lines = [said]
    if explanation:
        lines.append(f"Explanation on record: “{escape(explanation)}”")
    undisclosed = " This vote is secret: once it closes, nobody can tell how a delegation voted."
    return message(
        said.replace("*", ""),
        [
            section("\n".join(lines)),
            context(
                f"Any member of your delegation can change it until the vote closes with"
                f" `/vote {vote.item_number} yes|no|abstain`. {_deadline(vote)}"
                + (undisclosed if vote.secret else "")
            ),
        ],
    )


def vote_opened(vote: Vote) -> Message:
    kind = "secret" if vote.secret else "recorded"
    said = (
        f"A {kind} vote on #{vote.item_number} is open, by {vote.majority.describe()}."
        f" {_deadline(vote)}"
    )
    return message(
        said,
        [
            section(said),
            context(
                f"Participant delegations vote with `/vote {vote.item_number} yes|no|abstain`"
                f" or the card's buttons. `/meeting vote close {vote.item_number}` closes it."
            ),
        ],
    )


def vote_closed(vote: Vote, result: VoteResult) -> Message:
    count = result.count
    said = (
        f"The vote on #{vote.item_number} is closed: {result.outcome.value}"
        f" ({count.yes} yes, {count.no} no, {count.abstain} abstaining). The result is"
        " announced in the channel."
    )
    return message(said, [section(said)])


def vote_cancelled(vote: Vote) -> Message:
    said = (
        f"The vote on #{vote.item_number} is cancelled; nothing was counted and the item"
        " stays open."
    )
    return message(said, [section(said)])
