"""A decision rule and a majority as chairs type them: text to the domain's rules; pure."""

from __future__ import annotations

from fractions import Fraction

from bot.domain.rules import CONSENSUS, Rule, RuleKind
from bot.domain.votes import Base, Majority

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
