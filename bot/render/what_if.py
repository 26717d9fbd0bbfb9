"""What-if, told honestly: what another rule would have done with the same objections, and
what a vote would need; or, after a vote, what the same ballots give under the other
majorities. Pure sentences without user text, so Slack messages and the record share them.

Objections are not "no" votes and silence is not "yes": after a consensus decision a vote
can only be said to *need* so many yes votes, never to pass. Only rules that count the same
objections (consensus, consensus minus n) can be said to pass or block for certain.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.rules import Outcome, RuleKind
from bot.domain.votes import (
    TWO_THIRDS,
    Base,
    Majority,
    VoteOutcome,
    VoteResult,
    other_outcomes,
    vote_needed,
)
from bot.domain.what_if import WhatIf

# The Kasane reform proposal and the UN's important questions: the vote the channel and the
# record name after a consensus decision; `/meeting whatif` names every standard one.
REFORM_VOTE = Majority(TWO_THIRDS, Base.PRESENT_AND_VOTING)
# Rules that count the very objections a consensus decision counted: the only ones whose
# outcome the objections settle for certain.
_COUNTING_OBJECTIONS = (RuleKind.CONSENSUS, RuleKind.CONSENSUS_MINUS, RuleKind.BLOCKING_MINORITY)


def _either(names: list[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _delegations(n: int) -> str:
    return f"{n} participant delegation" + ("" if n == 1 else "s")


def consensus_head(found: WhatIf, *, provisional: bool = False) -> str:
    """``Blocked under consensus by 5 of 13 participant delegations.``"""
    rule = found.rule.describe_without_vote()
    if found.outcome is Outcome.BLOCKED:
        blocked = "Provisionally blocked" if provisional else "Blocked"
        return f"{blocked} under {rule} by {found.objectors} of {_delegations(found.participants)}."
    if found.objectors == 0:
        return f"Adopted under {rule}: none of the {_delegations(found.participants)} objected."
    adopted = "Not blocked" if provisional else "Adopted"
    return (
        f"{adopted} under {rule} with {found.objectors} of"
        f" {_delegations(found.participants)} objecting."
    )


def certain_alternatives(found: WhatIf) -> list[str]:
    """The other objection-counting rules that would have decided otherwise, for certain."""
    flipped = [
        r.describe()
        for r, o in found.others
        if r.kind in _COUNTING_OBJECTIONS and o is not found.outcome
    ]
    if not flipped:
        return []
    listed = _either(flipped)
    verb = "it would pass" if found.outcome is Outcome.BLOCKED else "it would be blocked"
    return [f"Under {listed}{',' if len(flipped) > 1 else ''} {verb}."]


def vote_need(objectors: int, participants: int, majority: Majority) -> str:
    """``Under a 2/3 majority of present and voting it would pass only if at least 10
    delegations voted yes against these 5.`` or why no number of yes votes could carry it."""
    need = vote_needed(objectors, participants, majority)
    under = f"Under {majority.describe()}"
    against = (
        ""
        if objectors == 0
        else " against this one"
        if objectors == 1
        else f" against these {objectors}"
    )
    if need.yes_needed is not None:
        yes = need.yes_needed
        return (
            f"{under} it would pass only if at least {yes}"
            f" {'delegation' if yes == 1 else 'delegations'} voted yes{against}."
        )
    others = participants - objectors
    if others == 0:
        return f"{under} it could not pass: every participant delegation objects."
    return (
        f"{under} it could not pass{against}: the other {_delegations(others)} voting yes"
        f" would be fewer than the {majority.needed(participants)} needed."
    )


def consensus_what_if(
    found: WhatIf, majorities: Sequence[Majority] = (), *, provisional: bool = False
) -> list[str]:
    """The honest what-if after a consensus decision (or of an open item, ``provisional``):
    the head, the objection-counting rules that would differ, what a vote would need (under
    ``majorities``; by default the meeting's own vote majority, else the reform proposal's)."""
    if not majorities:
        majorities = (found.rule.majority or REFORM_VOTE,)
    sentences = [consensus_head(found, provisional=provisional), *certain_alternatives(found)]
    if found.objectors:
        sentences += [vote_need(found.objectors, found.participants, m) for m in majorities]
    return sentences


def consensus_what_if_short(found: WhatIf, majority: Majority = REFORM_VOTE) -> str:
    """One clause for a listing: ``consensus minus 4 would pass it; a 2/3 majority of present
    and voting would need at least 10 yes against these 4``."""
    parts = []
    flipped = [
        r.describe()
        for r, o in found.others
        if r.kind in _COUNTING_OBJECTIONS and o is not found.outcome
    ]
    if flipped:
        verb = "would pass it" if found.outcome is Outcome.BLOCKED else "would block it"
        parts.append(f"{_either(flipped)} {verb}")
    if found.objectors:
        need = vote_needed(found.objectors, found.participants, majority)
        parts.append(
            f"{majority.describe()} would need at least {need.yes_needed} yes against"
            f" {found.objectors} no"
            if need.yes_needed is not None
            else f"{majority.describe()} could not carry it against {found.objectors} no"
        )
    return "; ".join(parts)


def _outcome_words(result: VoteResult) -> str:
    if result.outcome is VoteOutcome.NO_VOTES_CAST:
        return "no votes cast"
    return f"{result.outcome.value} ({result.needed} of {result.base_size} needed)"


def vote_what_if(result: VoteResult) -> list[str]:
    """The same ballots under each other standard majority, each with the number it needed:
    certain, because the ballots are counted, not guessed. Nothing when the vote was
    inquorate, since every base is then inquorate too."""
    if result.outcome is VoteOutcome.INQUORATE:
        return []
    return [f"{r.majority.describe()}: {_outcome_words(r)}" for r in other_outcomes(result)]
