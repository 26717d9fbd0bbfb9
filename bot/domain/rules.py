"""Pure rules of consensus decision-making: roles, positions, decision rules, outcomes.

Imports only the standard library: no Slack, no SQL, no clock, no logging.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from bot.domain.votes import Majority

MAX_TITLE = 150
MAX_ITEM_TEXT = 2000
MAX_REASON = 500
MAX_DELEGATION_NAME = 80
MAX_MEMBERS_PER_COMMAND = 20


class Role(StrEnum):
    PARTICIPANT = "participant"
    OBSERVER = "observer"

    @property
    def may_block(self) -> bool:
        return self is Role.PARTICIPANT


class ItemStatus(StrEnum):
    OPEN = "open"
    ADOPTED = "adopted"
    BLOCKED = "blocked"
    WITHDRAWN = "withdrawn"
    # Left the agenda because a modified version of it was adopted: nobody withdrew it.
    SUPERSEDED = "superseded"
    # Put to a vote and not adopted (or no votes were cast): decided, not excised.
    REJECTED = "rejected"

    @property
    def is_decided(self) -> bool:
        return self is not ItemStatus.OPEN


class PositionKind(StrEnum):
    OBJECTION = "objection"
    RESERVATION = "reservation"
    STAND_ASIDE = "stand-aside"
    SUPPORT = "support"

    @property
    def blocks(self) -> bool:
        return self is PositionKind.OBJECTION


class Outcome(StrEnum):
    ADOPTED = "adopted"
    BLOCKED = "blocked"


class RuleKind(StrEnum):
    CONSENSUS = "consensus"
    CONSENSUS_MINUS = "consensus-minus"
    # Formerly (and wrongly) called a majority: it counts only objections, against every
    # registered participant, and treats silence as agreement.
    BLOCKING_MINORITY = "blocking-minority"
    VOTE = "vote"
    CONSENSUS_THEN_VOTE = "consensus-then-vote"

    @property
    def by_vote(self) -> bool:
        return self in (RuleKind.VOTE, RuleKind.CONSENSUS_THEN_VOTE)


@dataclass(frozen=True)
class Rule:
    """How an item is decided.

    consensus: any one standing participant objection blocks. consensus-minus n: n+1
    objections block. blocking-minority f: blocked when more than f of the registered
    participant delegations object. vote m: objections block nothing; a vote by the
    majority m decides. consensus-then-vote m: consensus first (any objection blocks), and
    a vote by the majority m decides an item blocked under consensus.
    """

    kind: RuleKind = RuleKind.CONSENSUS
    minus: int = 0
    fraction: Fraction = Fraction(0)  # blocking-minority: the share of objectors it takes
    majority: Majority | None = None  # vote, consensus-then-vote

    def blocks(self, objectors: int, participants: int) -> bool:
        if objectors <= 0 or self.kind is RuleKind.VOTE:
            return False
        if self.kind in (RuleKind.CONSENSUS, RuleKind.CONSENSUS_THEN_VOTE):
            return True
        if self.kind is RuleKind.CONSENSUS_MINUS:
            return objectors > self.minus
        return Fraction(objectors) > self.fraction * participants

    def describe(self) -> str:
        if self.kind is RuleKind.CONSENSUS:
            return "consensus"
        if self.kind is RuleKind.CONSENSUS_MINUS:
            return f"consensus minus {self.minus}"
        if self.kind is RuleKind.BLOCKING_MINORITY:
            return f"the blocking-minority rule of {_ratio(self.fraction)}"
        assert self.majority is not None
        if self.kind is RuleKind.VOTE:
            return f"a vote by {self.majority.describe()}"
        return f"consensus, then a vote by {self.majority.describe()}"

    def describe_without_vote(self) -> str:
        """The rule a decision taken without a vote was taken under: under consensus-then-vote
        that is consensus (the vote is only for what consensus blocks)."""
        if self.kind is RuleKind.CONSENSUS_THEN_VOTE:
            return "consensus"
        return self.describe()

    def encode(self) -> str:
        """Stable storage form: ``consensus``, ``consensus-minus:1``,
        ``blocking-minority:1/3``, ``vote:2/3 present-and-voting``,
        ``consensus-then-vote:2/3 present``."""
        if self.kind is RuleKind.CONSENSUS:
            return self.kind.value
        if self.kind is RuleKind.CONSENSUS_MINUS:
            return f"{self.kind.value}:{self.minus}"
        if self.kind is RuleKind.BLOCKING_MINORITY:
            return f"{self.kind.value}:{_ratio(self.fraction)}"
        assert self.majority is not None
        return f"{self.kind.value}:{self.majority.encode()}"

    @classmethod
    def decode(cls, text: str) -> Rule:
        kind, _, arg = text.partition(":")
        rule_kind = RuleKind(kind)
        if rule_kind is RuleKind.CONSENSUS_MINUS:
            return cls(rule_kind, minus=int(arg))
        if rule_kind is RuleKind.BLOCKING_MINORITY:
            return cls(rule_kind, fraction=Fraction(arg))
        if rule_kind.by_vote:
            return cls(rule_kind, majority=Majority.decode(arg))
        return cls(rule_kind)


def _ratio(fraction: Fraction) -> str:
    return f"{fraction.numerator}/{fraction.denominator}"


CONSENSUS = Rule()


@dataclass(frozen=True)
class Objection:
    """A standing objection of one delegation, with its reason (may be empty)."""

    delegation: str
    reason: str


@dataclass(frozen=True)
class Tally:
    """What the checker needs: standing participant objections and how many participants."""

    objections: tuple[Objection, ...]
    participants: int

    @property
    def objectors(self) -> tuple[str, ...]:
        return tuple(o.delegation for o in self.objections)


def outcome(tally: Tally, rule: Rule) -> Outcome:
    """The consensus checker: who blocks under which rule. No I/O, no clock."""
    if rule.blocks(len(tally.objections), tally.participants):
        return Outcome.BLOCKED
    return Outcome.ADOPTED


class BlockChange(StrEnum):
    """How an open item's provisional standing changed after a position was recorded."""

    NONE = "none"
    NOW_BLOCKED = "now-blocked"
    STILL_BLOCKED = "still-blocked"
    UNBLOCKED = "unblocked"


def block_change(before: Tally, after: Tally, rule: Rule) -> BlockChange:
    """Decide which announcement an objection or a withdrawal calls for."""
    return block_change_in_counts(
        len(before.objections),
        len(after.objections),
        after.participants,
        rule,
        changed=before.objections != after.objections,
    )


def block_change_in_counts(
    before: int, after: int, participants: int, rule: Rule, *, changed: bool
) -> BlockChange:
    """The same decision from counts alone: ``changed`` says whether the standing
    objections (who, or why) differ, which a still-blocked announcement must show."""
    was = rule.blocks(before, participants)
    now = rule.blocks(after, participants)
    if now and not was:
        return BlockChange.NOW_BLOCKED
    if was and not now:
        return BlockChange.UNBLOCKED
    if now and changed:
        return BlockChange.STILL_BLOCKED
    return BlockChange.NONE


def block_change_between(
    before: Tally, after: Tally, rule_before: Rule, rule_after: Rule
) -> BlockChange:
    """Which announcement an open item calls for when anything its standing depends on
    changed: its objections, how many participants count, or the rule itself."""
    was = outcome(before, rule_before) is Outcome.BLOCKED
    now = outcome(after, rule_after) is Outcome.BLOCKED
    if now and not was:
        return BlockChange.NOW_BLOCKED
    if was and not now:
        return BlockChange.UNBLOCKED
    if now and before.objections != after.objections:
        return BlockChange.STILL_BLOCKED
    return BlockChange.NONE


def standing_notice_is_news(
    *, says_blocked: bool, blocked: bool, channel_shows_blocked: bool
) -> bool:
    """Whether a "blocked" (``says_blocked``) or "no longer blocked" notice not yet posted is
    still worth posting when its turn comes: only if it states the item's standing now and
    the channel does not show that standing already. Changes that cancel out before then
    are never announced; the channel goes from the standing it shows to the final one."""
    return says_blocked == blocked and channel_shows_blocked != blocked


# ---- procedure beyond plain consensus ---------------------------------------------------

CONSENSUS_MINUS_1 = Rule(RuleKind.CONSENSUS_MINUS, minus=1)
BLOCKING_THIRD = Rule(RuleKind.BLOCKING_MINORITY, fraction=Fraction(1, 3))
BLOCKING_HALF = Rule(RuleKind.BLOCKING_MINORITY, fraction=Fraction(1, 2))
# The rules that count objections: the what-if can say for certain what each would do.
STANDARD_RULES: tuple[Rule, ...] = (CONSENSUS, CONSENSUS_MINUS_1, BLOCKING_THIRD, BLOCKING_HALF)


def quorate(present: int, quorum: int) -> bool:
    """A quorum of 0 means none is required."""
    return quorum <= 0 or present >= quorum
