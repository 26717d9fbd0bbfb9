"""Pure rules of consensus decision-making: roles, positions, decision rules, outcomes.

Imports only the standard library: no Slack, no SQL, no clock, no logging.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from bot.domain.votes import Base, Majority

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

RULE_WORDS = (
    "The rule is `consensus`, `consensus-minus <n>`, `blocking-minority <fraction>`,"
    " `vote <p/q> [of present-and-voting|of present|of members]` or"
    " `consensus-then-vote <p/q> [of …]`."
)


def _fraction(word: str) -> Fraction:
    try:
        return Fraction(word)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"“{word}” is not a fraction; write it like 2/3.") from None


def parse_majority(words: list[str]) -> Majority:
    """``2/3``, ``2/3 of present``, ``1/2 of members``: a majority and its base (present
    and voting unless named). Raises ValueError with a sentence for the user."""
    if not words or len(words) not in (1, 3) or (len(words) == 3 and words[1] != "of"):
        raise ValueError(
            "Give the majority as a fraction, then optionally its base: `2/3`,"
            " `2/3 of present-and-voting`, `2/3 of present` or `2/3 of members`."
        )
    fraction = _fraction(words[0])
    if not Fraction(1, 2) <= fraction <= 1:
        raise ValueError("A majority is a fraction from 1/2 up to 1, e.g. 2/3.")
    base = Base.PRESENT_AND_VOTING
    if len(words) == 3:
        try:
            base = Base(words[2])
        except ValueError:
            raise ValueError(
                f"“{words[2]}” is not a base; write `present-and-voting`, `present` or `members`."
            ) from None
    return Majority(fraction, base)


def parse_rule(text: str) -> Rule:
    """``consensus``, ``consensus-minus <n>`` (n ≥ 1), ``blocking-minority <f>``
    (0 < f ≤ 1/2), ``vote <p/q> [of <base>]`` or ``consensus-then-vote <p/q> [of <base>]``.

    Raises ValueError with a sentence for the user when the text is none of these."""
    words = text.lower().split()
    if words == ["consensus"]:
        return CONSENSUS
    if len(words) == 2 and words[0] == "consensus-minus":
        if not (words[1].isascii() and words[1].isdigit()) or not 1 <= int(words[1]) <= 1000:
            raise ValueError("consensus-minus takes a whole number from 1 up, e.g. 1.")
        return Rule(RuleKind.CONSENSUS_MINUS, minus=int(words[1]))
    if len(words) == 2 and words[0] == "blocking-minority":
        fraction = _fraction(words[1])
        if not 0 < fraction <= Fraction(1, 2):
            raise ValueError(
                "A blocking minority is a fraction above 0 up to 1/2: under"
                " `blocking-minority 1/3` an item is blocked when more than a third of the"
                " participant delegations object."
            )
        return Rule(RuleKind.BLOCKING_MINORITY, fraction=fraction)
    if words and words[0] in (RuleKind.VOTE, RuleKind.CONSENSUS_THEN_VOTE):
        return Rule(RuleKind(words[0]), majority=parse_majority(words[1:]))
    if words and words[0] == "majority":
        raise ValueError(
            "`majority` counted only objections, so it is now called what it is:"
            " `blocking-minority 1/3` blocks an item when more than a third of the"
            " participant delegations object. For a real majority, decide by vote:"
            " `vote 2/3` or `consensus-then-vote 2/3`."
        )
    raise ValueError(RULE_WORDS)


def quorate(present: int, quorum: int) -> bool:
    """A quorum of 0 means none is required."""
    return quorum <= 0 or present >= quorum


@dataclass(frozen=True)
class WhatIf:
    """The outcome under the meeting's rule, and under each standard rule beside it."""

    rule: Rule
    outcome: Outcome
    objectors: int
    participants: int
    others: tuple[tuple[Rule, Outcome], ...]

    def sentence(self) -> str:
        """``blocked under consensus by 4 of 58 participants; would pass under consensus
        minus 1 … or the blocking-minority rule of 1/3`` — plain words for announcements and
        the agenda."""
        head = f"{self.outcome.value} under {self.rule.describe()}" + (
            f" by {self.objectors} of {self.participants} participants"
            if self.outcome is Outcome.BLOCKED
            else f" ({self.objectors} of {self.participants} participants objecting)"
        )
        alternative = self.alternative()
        return f"{head}; {alternative}"

    def alternative(self) -> str:
        """``would pass under consensus minus 4 or the blocking-minority rule of 1/3``, or that
        no standard rule would change it."""
        flipped = [r for r, o in self.others if o is not self.outcome]
        if not flipped:
            return "the same under every standard rule"
        verb = "would pass" if self.outcome is Outcome.BLOCKED else "would be blocked"
        names = [r.describe() for r in flipped]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        return f"{verb} under {listed}"


def what_if(tally: Tally, rule: Rule) -> WhatIf:
    """Pure: the outcome under ``rule`` and under every other standard rule. When consensus
    minus 1 is not enough, the smallest consensus-minus that would change it is named too."""
    others = [r for r in STANDARD_RULES if r != rule]
    needed = len(tally.objections)
    # Naming "consensus minus everyone" would say nothing: only while some participant
    # does not object.
    if 1 < needed < tally.participants and Rule(RuleKind.CONSENSUS_MINUS, minus=needed) != rule:
        others.insert(
            sum(1 for r in others if r.kind is not RuleKind.BLOCKING_MINORITY),
            Rule(RuleKind.CONSENSUS_MINUS, minus=needed),
        )
    return WhatIf(
        rule=rule,
        outcome=outcome(tally, rule),
        objectors=len(tally.objections),
        participants=tally.participants,
        others=tuple((r, outcome(tally, r)) for r in others),
    )
