"""``/vote`` and the vote subcommands of ``/meeting`` (vote, vote close, vote cancel); pure
parsers to typed requests."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands.reference import usage_of
from bot.commands.rules import parse_majority
from bot.commands.tokens import ShowHelp, limited, parse_item_number
from bot.domain.errors import UsageError
from bot.domain.rules import MAX_REASON
from bot.domain.text import plain_text
from bot.domain.votes import Ballot, Majority


@dataclass(frozen=True)
class CastVote:
    number: int
    choice: Ballot
    explanation: str = ""


VoteCommand = CastVote | ShowHelp


@dataclass(frozen=True)
class OpenVote:
    number: int
    majority: Majority | None = None  # None: the meeting's vote rule, else a simple majority
    secret: bool = False
    deadline: str | None = None


@dataclass(frozen=True)
class CloseVote:
    number: int


@dataclass(frozen=True)
class CancelVote:
    number: int


VoteChairRequest = OpenVote | CloseVote | CancelVote


def parse_vote(text: str) -> VoteCommand:
    """``/vote <item> yes|no|abstain [explanation]`` or ``/vote help``."""
    usage = usage_of("/vote")
    words = text.split(maxsplit=2)
    if not words or (len(words) == 1 and words[0].lower() == "help"):
        return ShowHelp()
    number = parse_item_number(words[0], usage)
    if len(words) < 2:
        raise UsageError(
            f"Say how your delegation votes on #{number}: yes, no or abstain.", usage=usage
        )
    try:
        choice = Ballot(words[1].lower())
    except ValueError:
        shown = plain_text(words[1])[:40]
        raise UsageError(
            f"“{shown}” is not a ballot; vote yes, no or abstain.", usage=usage
        ) from None
    explanation = plain_text(words[2]).strip() if len(words) > 2 else ""
    return CastVote(number, choice, limited(explanation, MAX_REASON, "An explanation", usage))


def parse_meeting_vote(rest: str) -> VoteChairRequest:
    """After ``/meeting vote``: ``<item> [majority <p/q>] [of <base>] [secret] [deadline:
    <when>]``, ``close <item>`` or ``cancel <item>``."""
    text = plain_text(rest).strip()
    words = text.split()
    if len(words) == 2 and words[0].lower() in ("close", "cancel"):
        usage = usage_of(f"/meeting vote {words[0].lower()}")
        number = parse_item_number(words[1], usage)
        return CloseVote(number) if words[0].lower() == "close" else CancelVote(number)
    usage = usage_of("/meeting vote")
    if not words:
        raise UsageError("Name the item to put to a vote.", usage=usage)
    deadline = None
    head, marker, after = text.partition("deadline:")
    if marker:
        deadline = after.strip()
        if not deadline:
            raise UsageError("Write the deadline after `deadline:`.", usage=usage)
        words = head.split()
    number = parse_item_number(words[0], usage)
    options = [w.lower() for w in words[1:]]
    secret = "secret" in options
    options = [w for w in options if w != "secret"]
    majority = None
    if options:
        if options[0] == "majority":
            options = options[1:]
        elif options[0] != "of":
            raise UsageError(
                f"“{plain_text(words[1])[:40]}” is not an option of a vote: after the item come"
                " `majority <p/q>`, `of present-and-voting|present|members`, `secret` and"
                " `deadline: <when>`.",
                usage=usage,
            )
        if options and options[0] == "of":
            options = ["1/2", *options]
        try:
            majority = parse_majority(options)
        except ValueError as exc:
            raise UsageError(str(exc), usage=usage) from None
    return OpenVote(number, majority, secret, deadline)
