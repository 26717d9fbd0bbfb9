"""Everything people read about a vote: the card in the channel while it is open, the result
with the recorded vote as the UN prints it, and the short lines the agenda, Home and digest
show; pure.

While a vote is open nothing says how anyone voted; once a secret vote closes, only counts.
User text (delegation names, explanations) is escaped here, once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from bot.commands.payloads import Action, ItemRef
from bot.domain.model import Item, Meeting
from bot.domain.text import escape, truncate
from bot.domain.votes import (
    Ballot,
    CastBallot,
    RecordedVote,
    Vote,
    VoteOutcome,
    VoteResult,
    VoteStatus,
    recorded_vote,
)
from bot.render.blocks import (
    MAX_BLOCKS,
    MAX_SECTION,
    Message,
    context,
    count,
    message,
    pack,
    quote,
    section,
    when,
)
from bot.render.what_if import vote_what_if

CHOICE_WORDS = {Ballot.YES: "in favour", Ballot.NO: "against", Ballot.ABSTAIN: "abstaining"}
_EMOJI = {
    VoteOutcome.ADOPTED: ":white_check_mark:",
    VoteOutcome.NOT_ADOPTED: ":x:",
    VoteOutcome.NO_VOTES_CAST: ":x:",
    VoteOutcome.INQUORATE: ":hourglass:",
}
# Each group of names starts with its count, so what does not fit is pointed to, not counted.
_MORE_NAMES = "…the list goes on: `/meeting record` has every name."
# A line of names stays under a section's limit with room for its label.
_NAMES_WIDTH = MAX_SECTION - 200


# ---- sentences shared by the channel, Home, the digest and the record ---------------------


def counts(result: VoteResult) -> str:
    """``14 in favour, 8 against, 8 abstentions``."""
    c = result.count
    return f"{c.yes} in favour, {c.no} against, {count(c.abstain, 'abstention')}"


def result_sentence(result: VoteResult) -> str:
    """``Not adopted: 14 in favour, 8 against, 8 abstentions; a 2/3 majority of present and
    voting needed 15 of 22.`` No user text: plain and mrkdwn alike."""
    needed = f"{result.majority.describe()} needed {result.needed} of {result.base_size}"
    if result.outcome is VoteOutcome.INQUORATE:
        c = result.count
        return (
            f"No decision: inquorate, {c.present} of the {result.quorum} participant"
            f" delegations required for a quorum present ({counts(result)}); the item stays open."
        )
    if result.outcome is VoteOutcome.NO_VOTES_CAST:
        # A base of nobody needs nothing meaningful: all abstained on present and voting.
        tail = f"; {needed}" if result.base_size else ""
        return f"Not adopted: no votes cast ({counts(result)}){tail}."
    said = "Adopted" if result.outcome is VoteOutcome.ADOPTED else "Not adopted"
    return f"{said}: {counts(result)}; {needed}."


def closed_by(vote: Vote, timezone: str) -> str:
    by = "at its deadline" if vote.closed_by == "deadline" else f"by <@{vote.closed_by}>"
    at = f" {when(vote.closed_at, timezone)}" if vote.closed_at is not None else ""
    return by + at


def status_phrase(vote: Vote) -> str:
    """A vote in a listing: ``vote open: 12 of 30 voted`` or its result sentence."""
    if vote.status is VoteStatus.OPEN:
        return (
            f"vote open ({vote.majority.describe()}):"
            f" {len(vote.voted)} of {len(vote.voted) + len(vote.not_voted)} voted"
        )
    if vote.status is VoteStatus.CANCELLED or vote.result is None:
        return "vote cancelled"
    return "vote: " + short_result(vote.result)


def short_result(result: VoteResult) -> str:
    """``not adopted, 14 in favour, 8 against, 8 abstentions (a 2/3 majority of present and
    voting needed 15 of 22)``: the result inside a listing's line."""
    if result.outcome is VoteOutcome.INQUORATE:
        return (
            f"no decision, inquorate ({result.count.present} present of the {result.quorum}"
            f" required; {counts(result)})"
        )
    if result.outcome is VoteOutcome.NO_VOTES_CAST:
        return f"not adopted, no votes cast ({counts(result)})"
    return (
        f"{result.outcome.value}, {counts(result)} ({result.majority.describe()} needed"
        f" {result.needed} of {result.base_size})"
    )


def _name_lines(label: str, names: Sequence[str]) -> list[str]:
    """``label (n): A, B, …``, escaped, split into lines a section can hold, never cutting a
    name."""
    shown = [escape(n) for n in names] or ["none"]
    lines: list[str] = []
    line = f"{label} ({len(names)}): "
    start = len(line)
    for name in shown:
        part = name if len(line) == start else ", " + name
        if len(line) + len(part) > _NAMES_WIDTH and len(line) > start:
            lines.append(line + ",")
            line, start = "", 0
            part = name
        line += part
    lines.append(line)
    return lines


_GROUPS = ("In favour", "Against", "Abstaining", "Not voting")


def _groups(recorded: RecordedVote) -> tuple[tuple[str, tuple[str, ...]], ...]:
    names = (recorded.in_favour, recorded.against, recorded.abstaining, recorded.not_voting)
    return tuple(zip(_GROUPS, names, strict=True))


def recorded_lines(recorded: RecordedVote) -> list[str]:
    """In favour: …; Against: …; Abstaining: …; Not voting: …, as mrkdwn lines."""
    lines: list[str] = []
    for label, names in _groups(recorded):
        lines += _name_lines(f"*{label}*", names)
    return lines


def recorded_text(recorded: RecordedVote) -> str:
    """The recorded vote in plain text, unescaped: ``In favour (2): A, B; Against (0): none; …``."""
    return "; ".join(
        f"{label} ({len(names)}): {', '.join(names) or 'none'}"
        for label, names in _groups(recorded)
    )


def explanations(vote: Vote, ballots: Iterable[CastBallot]) -> list[CastBallot]:
    """The current ballots that came with an explanation; none for a secret vote."""
    if vote.secret:
        return []
    return [b for b in ballots if b.current and b.choice is not None and b.explanation]


# ---- the card in the channel ----------------------------------------------------------------


def ballot_buttons(vote: Vote) -> list[ButtonElement]:
    value = ItemRef(vote.meeting_id, vote.item_id).pack()
    return [
        ButtonElement(text="Yes", action_id=Action.VOTE_YES, value=value, style="primary"),
        ButtonElement(text="No", action_id=Action.VOTE_NO, value=value, style="danger"),
        ButtonElement(text="Abstain", action_id=Action.VOTE_ABSTAIN, value=value),
    ]


def vote_buttons(vote: Vote) -> ActionsBlock:
    return ActionsBlock(block_id=f"vote-{vote.id}", elements=ballot_buttons(vote))


def _subject(vote: Vote, item: Item) -> str:
    return f"#{vote.item_number} {escape(truncate(item.heading, 140))}"


def _ballot_kind(vote: Vote) -> str:
    if vote.secret:
        return "Secret ballot: only the counts are published."
    return "Recorded vote: how each delegation voted is published when it closes."


def vote_card(vote: Vote, item: Item, meeting: Meeting) -> Message:
    """Posted when the vote opens and edited in place: who has voted, never how; once closed
    or cancelled, its result instead of the buttons."""
    head = f":ballot_box_with_ballot: *Vote on {_subject(vote, item)}*"
    if vote.status is not VoteStatus.OPEN:
        if vote.status is VoteStatus.CANCELLED or vote.result is None:
            said = f"Cancelled {closed_by(vote, meeting.timezone)}; #{vote.item_number} stays open."
        else:
            said = (
                f"Closed {closed_by(vote, meeting.timezone)}. {result_sentence(vote.result)}"
                " The result is announced below."
            )
        return message(f"Vote on #{vote.item_number}: {said}", [section(f"{head}\n{said}")])
    members = len(vote.voted) + len(vote.not_voted)
    closes = (
        f"closes {when(vote.deadline, meeting.timezone)}"
        if vote.deadline is not None
        else "open until a chair closes it"
    )
    lines = [head]
    if item.text != item.heading:
        lines.append(quote(item.text, 600))
    tally = f"*{len(vote.voted)} of {members} participant delegations have voted.*"
    blocks: list[Block] = [
        section("\n".join(lines)),
        context(
            f"Needs {vote.majority.describe()} · {closes} · opened by <@{vote.opened_by}>."
            f" {_ballot_kind(vote)}"
        ),
        section(tally),
    ]
    if vote.not_voted:
        blocks += pack(
            _name_lines("*Not yet voted*", vote.not_voted),
            max_blocks=MAX_BLOCKS - 6,
            more=_MORE_NAMES,
        )
    blocks.append(vote_buttons(vote))
    blocks.append(
        context(
            f"Or type `/vote {vote.item_number} yes|no|abstain [explanation]`. One ballot per"
            " participant delegation; any of its members can change it until the vote closes."
        )
    )
    return message(
        f"Vote on #{vote.item_number} ({vote.majority.describe()}):"
        f" {len(vote.voted)} of {members} participant delegations have voted.",
        blocks,
    )


# ---- the result announcement ----------------------------------------------------------------


def vote_result(vote: Vote, item: Item, meeting: Meeting, ballots: Sequence[CastBallot]) -> Message:
    """Once, at close: the result sentence, then the recorded vote (counts only if secret),
    the explanations on record, and the same ballots under the other majorities."""
    subject = _subject(vote, item)
    if vote.result is None:  # cancelled: nothing was counted
        said = f"The vote on #{vote.item_number} was cancelled; the item stays open."
        return message(said, [section(f":ballot_box_with_ballot: *{subject}*\n{said}")])
    result = vote.result
    sentence = result_sentence(result)
    blocks: list[Block] = [
        section(f"{_EMOJI[result.outcome]} *Vote on {subject}*\n*{sentence}*"),
    ]
    budget = MAX_BLOCKS - 4  # the what-if, the footer and the explanations' heading
    recorded = recorded_vote(vote, list(ballots))
    if recorded is None:
        voted = len(vote.voted)
        blocks.append(
            section(
                f"Secret ballot: {count(voted, 'participant delegation')} voted; how each"
                " voted is not recorded."
            )
        )
        fallback = ""
    else:
        fallback = " " + recorded_text(recorded)
        blocks += pack(
            ["*Recorded vote*", *recorded_lines(recorded)], max_blocks=budget // 2, more=_MORE_NAMES
        )
    explained = explanations(vote, ballots)
    if explained:
        lines = [
            f"• *{escape(b.delegation)}* ({CHOICE_WORDS[b.choice]}): "
            f"{escape(truncate(b.explanation, 500))}"
            for b in explained
            if b.choice is not None
        ]
        room = max(2, budget - len(blocks))
        blocks += pack(["*Explanations of vote*", *lines], max_blocks=room)
    others = vote_what_if(result)
    if others:
        blocks.append(
            context(
                "The same ballots under the other majorities: "
                + "; ".join(others)
                + ". Counted from the ballots cast, not guessed."
            )
        )
    blocks.append(context(f"Closed {closed_by(vote, meeting.timezone)}."))
    fallback_names = escape(fallback) if fallback else ""
    return message(f"Vote on #{vote.item_number}: {sentence}{fallback_names}", blocks)


# ---- the Home tab ---------------------------------------------------------------------------
