"""An item's votes as the meeting record keeps them: when each was opened and on which
majority, every ballot with its time and member (history kept), the result with its counts
and the number needed, and the recorded vote; pure, plain text for Markdown and CSV.

How a delegation voted is written only once a recorded (not secret) vote has closed: while a
vote is open the record, uploaded to the channel, must not say what the card does not; after
a secret vote the record keeps who voted, never how.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.votes import Ballot, CastBallot, Vote, VoteStatus, recorded_vote
from bot.render.votes import CHOICE_WORDS, recorded_text, result_sentence
from bot.render.what_if import vote_what_if


@dataclass(frozen=True)
class Entry:
    """One CSV row of the record about a vote (the item's own columns are added by the caller)."""

    at: datetime
    event: str
    delegation: str
    statement: str
    rule: str


def _local(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _line(text: str) -> str:
    return " ".join(text.split())


def _by(user: str | None, *, public: bool = False) -> str:
    if user == "deadline":
        return "at its deadline"
    return "by the chair" if public else f"by the chair (Slack user {user})"


def _ballot_said(vote: Vote, ballot: CastBallot) -> str:
    """``voted in favour`` (or ``abstained``) once a recorded vote closed; otherwise ``voted``."""
    shows = not vote.secret and vote.status is VoteStatus.CLOSED and ballot.choice is not None
    if not (shows and ballot.choice):
        return "voted"
    if ballot.choice is Ballot.ABSTAIN:
        return "abstained"
    return f"voted {CHOICE_WORDS[ballot.choice]}"


def vote_entries(
    vote: Vote, ballots: Sequence[CastBallot], tz: ZoneInfo, *, public: bool = False
) -> tuple[list[str], list[Entry]]:
    """(Markdown lines, CSV entries) of one vote, in the order things happened; ``public``:
    delegations only, never the Slack users who opened, cast or closed."""

    def by(user: str | None) -> str:
        return _by(user, public=public)

    rule = vote.majority.describe()
    kind = "secret ballot" if vote.secret else "recorded vote"
    deadline = f", deadline {_local(vote.deadline, tz)}" if vote.deadline is not None else ""
    opened = f"Vote opened {_local(vote.opened_at, tz)} {by(vote.opened_by)}: {rule}, {kind}"
    lines = [opened + deadline + ".", ""]
    entries = [
        Entry(vote.opened_at, f"vote opened ({kind}{deadline})", "", by(vote.opened_by), rule)
    ]
    if ballots:
        lines += ["Ballots:", ""]
    for ballot in sorted(ballots, key=lambda b: b.cast_at):
        said = _ballot_said(vote, ballot)
        cast_by = "" if public else f", cast by Slack user {ballot.user_id}"
        explained = (
            f": {_line(ballot.explanation)}"
            if ballot.explanation and not vote.secret and vote.status is VoteStatus.CLOSED
            else ""
        )
        replaced = (
            f" (replaced {_local(ballot.replaced_at, tz)})"
            if ballot.replaced_at is not None
            else ""
        )
        lines.append(
            f"- {_local(ballot.cast_at, tz)} {ballot.delegation} {said}{cast_by}{explained}"
            f"{replaced}"
        )
        entries.append(
            Entry(
                ballot.cast_at,
                f"ballot: {said}{cast_by}{replaced}",
                ballot.delegation,
                explained[2:],
                rule,
            )
        )
    if ballots:
        lines.append("")
    if vote.status is VoteStatus.CANCELLED and vote.closed_at is not None:
        lines += [f"Vote cancelled {_local(vote.closed_at, tz)} {by(vote.closed_by)}.", ""]
        entries.append(Entry(vote.closed_at, "vote cancelled", "", by(vote.closed_by), rule))
    elif vote.result is not None and vote.closed_at is not None:
        sentence = result_sentence(vote.result)
        recorded = recorded_vote(vote, list(ballots))
        said = (
            "Recorded vote: " + recorded_text(recorded) + "."
            if recorded is not None
            else f"Secret ballot: {len(vote.voted)} voted; how each voted is not recorded."
        )
        others = vote_what_if(vote.result)
        under = f" Under the other majorities: {'; '.join(others)}." if others else ""
        lines += [
            f"Vote result, {_local(vote.closed_at, tz)}, closed {by(vote.closed_by)}:"
            f" {sentence} {said}{under}",
            "",
        ]
        entries.append(
            Entry(
                vote.closed_at,
                f"vote result: {vote.result.outcome.value}",
                "",
                f"{sentence} {said}",
                rule,
            )
        )
    return lines, entries
