"""Recorded votes counted the way real bodies count them: a majority of a base, in exact
fractions. Pure: no Slack, no SQL, no clock.

The bases (UN General Assembly rules 83 to 88; ISO; the Kimberley Process reform proposal):
- *present and voting*: those casting a yes or a no; abstaining counts as not voting.
- *present*: the participant delegations present (registered with ``/meeting present``, or
  casting a ballot); abstaining and not voting count against.
- *members*: every registered participant delegation.

A simple majority (1/2) needs more than half of the base (on present and voting: more yes
than no, so a tie fails); any other fraction p/q needs yes ≥ p/q of the base. Observers
never vote and never count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from fractions import Fraction
from math import ceil, floor

HALF = Fraction(1, 2)
TWO_THIRDS = Fraction(2, 3)


class Base(StrEnum):
    PRESENT_AND_VOTING = "present-and-voting"
    PRESENT = "present"
    MEMBERS = "members"

    @property
    def words(self) -> str:
        return {
            Base.PRESENT_AND_VOTING: "present and voting",
            Base.PRESENT: "present",
            Base.MEMBERS: "all members",
        }[self]


class Ballot(StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


@dataclass(frozen=True)
class Majority:
    """A fraction of a base: ``Majority(2/3, PRESENT_AND_VOTING)``."""

    fraction: Fraction = HALF
    base: Base = Base.PRESENT_AND_VOTING

    def __post_init__(self) -> None:
        if not HALF <= self.fraction <= 1:
            raise ValueError("A majority is a fraction from 1/2 up to 1.")

    @property
    def is_simple(self) -> bool:
        return self.fraction == HALF

    def describe(self) -> str:
        """``a 2/3 majority of present and voting`` or ``a simple majority of present``."""
        size = (
            "a simple majority"
            if self.is_simple
            else f"a {self.fraction.numerator}/{self.fraction.denominator} majority"
        )
        return f"{size} of {self.base.words}"

    def needed(self, base_size: int) -> int:
        """The fewest yes votes that carry it on a base of ``base_size``."""
        if self.is_simple:
            return floor(Fraction(base_size, 2)) + 1
        return ceil(self.fraction * base_size)

    def encode(self) -> str:
        """Stable storage form: ``2/3 present-and-voting``."""
        return f"{self.fraction.numerator}/{self.fraction.denominator} {self.base.value}"

    @classmethod
    def decode(cls, text: str) -> Majority:
        fraction, base = text.split()
        return cls(Fraction(fraction), Base(base))


STANDARD_MAJORITIES: tuple[Majority, ...] = tuple(
    Majority(fraction, base) for base in Base for fraction in (HALF, TWO_THIRDS)
)


@dataclass(frozen=True)
class Count:
    """The ballots when the vote closes, and the bodies the bases are counted on.

    ``present`` counts participant delegations present (registered present or voting);
    ``members`` every registered participant delegation."""

    yes: int
    no: int
    abstain: int
    present: int
    members: int

    def __post_init__(self) -> None:
        if min(self.yes, self.no, self.abstain) < 0:
            raise ValueError("ballot counts cannot be negative")
        if self.cast > self.present or self.present > self.members:
            raise ValueError("more ballots than present, or more present than members")

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain

    def base_size(self, base: Base) -> int:
        return {
            Base.PRESENT_AND_VOTING: self.yes + self.no,
            Base.PRESENT: self.present,
            Base.MEMBERS: self.members,
        }[base]


class VoteOutcome(StrEnum):
    ADOPTED = "adopted"
    NOT_ADOPTED = "not adopted"
    NO_VOTES_CAST = "no votes cast"
    INQUORATE = "inquorate"

    @property
    def decides(self) -> bool:
        """Whether the item is decided: an inquorate vote leaves it open."""
        return self is not VoteOutcome.INQUORATE


@dataclass(frozen=True)
class VoteResult:
    outcome: VoteOutcome
    majority: Majority
    count: Count
    base_size: int
    needed: int
    quorum: int = 0

    @property
    def adopted(self) -> bool:
        return self.outcome is VoteOutcome.ADOPTED


def count_vote(count: Count, majority: Majority, quorum: int = 0) -> VoteResult:
    """The result of a vote: adopted when yes reaches what the majority needs on its base."""
    size = count.base_size(majority.base)
    needed = majority.needed(size)
    if quorum and count.present < quorum:
        outcome = VoteOutcome.INQUORATE
    elif (count.yes + count.no if majority.base is Base.PRESENT_AND_VOTING else count.cast) == 0:
        outcome = VoteOutcome.NO_VOTES_CAST
    elif count.yes >= needed:
        outcome = VoteOutcome.ADOPTED
    else:
        outcome = VoteOutcome.NOT_ADOPTED
    return VoteResult(outcome, majority, count, size, needed, quorum)


def other_outcomes(result: VoteResult) -> list[VoteResult]:
    """The same ballots under the other standard majorities and bases (each with what it
    needed): what-if after a vote, stated from the counts alone."""
    return [
        count_vote(result.count, majority, result.quorum)
        for majority in STANDARD_MAJORITIES
        if majority != result.majority
    ]


@dataclass(frozen=True)
class VoteNeed:
    """What a vote would need to overturn a consensus block, from the objections alone."""

    majority: Majority
    objectors: int
    participants: int
    yes_needed: int | None  # None: no number of yes votes could carry it

    @property
    def possible(self) -> bool:
        return self.yes_needed is not None


def vote_needed(objectors: int, participants: int, majority: Majority) -> VoteNeed:
    """The fewest yes votes that could carry it if every objector voted no.

    Objections are not "no" votes and silence is not "yes": this states only what a vote
    would need (a necessary condition, counted with nobody else present or abstaining),
    never that it would pass; None when even every other participant voting yes falls short.
    """
    for yes in range(participants - objectors + 1):
        count = Count(yes, objectors, 0, yes + objectors, participants)
        if count_vote(count, majority).adopted:
            return VoteNeed(majority, objectors, participants, yes)
    return VoteNeed(majority, objectors, participants, None)


# ---- the records a vote leaves ------------------------------------------------------------


class VoteStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class CastBallot:
    """One ballot in a vote's history. ``choice`` is None once a secret vote has closed:
    who voted stays on record, how is erased."""

    delegation: str
    choice: Ballot | None
    explanation: str
    user_id: str
    cast_at: datetime
    replaced_at: datetime | None = None

    @property
    def current(self) -> bool:
        return self.replaced_at is None


@dataclass(frozen=True)
class Vote:
    """A vote on an item, open or done. ``voted`` and ``not_voted`` name the participant
    delegations with and without a current ballot (live while open, frozen at close)."""

    id: int
    meeting_id: int
    item_id: int
    item_number: int
    majority: Majority
    secret: bool
    opened_by: str
    opened_at: datetime
    deadline: datetime | None
    status: VoteStatus
    closed_at: datetime | None = None
    closed_by: str | None = None  # a chair's user id, or "deadline"
    result: VoteResult | None = None
    voted: tuple[str, ...] = ()
    not_voted: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordedVote:
    """The recorded vote as the UN prints it: who voted how (empty for a secret vote)."""

    in_favour: tuple[str, ...]
    against: tuple[str, ...]
    abstaining: tuple[str, ...]
    not_voting: tuple[str, ...]


def recorded_vote(vote: Vote, ballots: list[CastBallot]) -> RecordedVote | None:
    """Who voted how, from the current ballots; None for a secret vote."""
    if vote.secret:
        return None
    current = [b for b in ballots if b.current and b.choice is not None]

    def named(choice: Ballot) -> tuple[str, ...]:
        return tuple(sorted(b.delegation for b in current if b.choice is choice))

    return RecordedVote(
        named(Ballot.YES), named(Ballot.NO), named(Ballot.ABSTAIN), tuple(sorted(vote.not_voted))
    )


@dataclass(frozen=True)
class HomeVote:
    """An open vote as one reader's Home tab shows it. ``own_ballot`` is the current ballot of
    the reader's own delegation: only that delegation's members are ever handed it."""

    vote: Vote
    heading: str  # the item's heading
    own_ballot: CastBallot | None = None
