"""Pure rules of consensus decision-making: roles, positions, decision rules, outcomes.

Imports only the standard library: no Slack, no SQL, no clock, no logging.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

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
    MAJORITY = "majority"


@dataclass(frozen=True)
class Rule:
    """How many standing participant objections block an item.

    consensus: any one objection blocks. consensus-minus n: n+1 objections block.
    majority f: blocked only when more than (1 - f) of participant delegations object,
    so under a two-thirds majority an item falls when over one third objects.
    """

    kind: RuleKind = RuleKind.CONSENSUS
    minus: int = 0
    fraction: Fraction = Fraction(1)

    def blocks(self, objectors: int, participants: int) -> bool:
        if objectors <= 0:
            return False
        if self.kind is RuleKind.CONSENSUS:
            return True
        if self.kind is RuleKind.CONSENSUS_MINUS:
            return objectors > self.minus
        return Fraction(objectors) > (1 - self.fraction) * participants

    def describe(self) -> str:
        if self.kind is RuleKind.CONSENSUS:
            return "consensus"
        if self.kind is RuleKind.CONSENSUS_MINUS:
            return f"consensus minus {self.minus}"
        return f"{self.fraction.numerator}/{self.fraction.denominator} majority"

    def encode(self) -> str:
        """Stable storage form: ``consensus``, ``consensus-minus:1``, ``majority:2/3``."""
        if self.kind is RuleKind.CONSENSUS:
            return self.kind.value
        if self.kind is RuleKind.CONSENSUS_MINUS:
            return f"{self.kind.value}:{self.minus}"
        return f"{self.kind.value}:{self.fraction}"

    @classmethod
    def decode(cls, text: str) -> Rule:
        kind, _, arg = text.partition(":")
        rule_kind = RuleKind(kind)
        if rule_kind is RuleKind.CONSENSUS_MINUS:
            return cls(rule_kind, minus=int(arg))
        if rule_kind is RuleKind.MAJORITY:
            return cls(rule_kind, fraction=Fraction(arg))
        return cls(rule_kind)


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
    was = outcome(before, rule) is Outcome.BLOCKED
    now = outcome(after, rule) is Outcome.BLOCKED
    if now and not was:
        return BlockChange.NOW_BLOCKED
    if was and not now:
        return BlockChange.UNBLOCKED
    if now and before.objections != after.objections:
        return BlockChange.STILL_BLOCKED
    return BlockChange.NONE
