"""What-if: the outcome a decision had under its rule and would have had under each standard
rule that counts the same objections; pure."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.rules import STANDARD_RULES, Outcome, Rule, RuleKind, Tally, outcome


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
