"""Decision rules, quorum and what-if at their edges: pure, no I/O."""

from __future__ import annotations

from fractions import Fraction

import pytest

from bot.commands.rules import parse_rule
from bot.domain.rules import (
    BLOCKING_HALF,
    BLOCKING_THIRD,
    CONSENSUS,
    Objection,
    Outcome,
    Rule,
    RuleKind,
    Tally,
    outcome,
    quorate,
)
from bot.domain.votes import Base, Majority
from bot.domain.what_if import what_if


def tally(objectors: int, participants: int) -> Tally:
    return Tally(tuple(Objection(f"D{i}", "") for i in range(objectors)), participants)


@pytest.mark.parametrize(
    ("rule", "objectors", "participants", "expected"),
    [
        (CONSENSUS, 0, 0, Outcome.ADOPTED),  # zero participants: nothing can block
        (CONSENSUS, 1, 58, Outcome.BLOCKED),
        (Rule(RuleKind.CONSENSUS_MINUS, minus=1), 1, 58, Outcome.ADOPTED),
        (Rule(RuleKind.CONSENSUS_MINUS, minus=1), 2, 58, Outcome.BLOCKED),
        (Rule(RuleKind.CONSENSUS_MINUS, minus=4), 4, 58, Outcome.ADOPTED),
        (BLOCKING_THIRD, 3, 9, Outcome.ADOPTED),  # exactly one third: not more than a third
        (BLOCKING_THIRD, 4, 9, Outcome.BLOCKED),
        (BLOCKING_THIRD, 1, 3, Outcome.ADOPTED),
        (BLOCKING_THIRD, 4, 13, Outcome.ADOPTED),
        (BLOCKING_THIRD, 5, 13, Outcome.BLOCKED),
        (BLOCKING_HALF, 2, 4, Outcome.ADOPTED),  # a tie does not block
        (BLOCKING_HALF, 3, 4, Outcome.BLOCKED),
        (BLOCKING_HALF, 0, 0, Outcome.ADOPTED),
    ],
)
def test_each_rule_blocks_exactly_when_it_should(
    rule: Rule, objectors: int, participants: int, expected: Outcome
) -> None:
    assert outcome(tally(objectors, participants), rule) is expected


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("consensus", CONSENSUS),
        ("Consensus-Minus 2", Rule(RuleKind.CONSENSUS_MINUS, minus=2)),
        ("blocking-minority 1/3", BLOCKING_THIRD),
        ("blocking-minority 1/4", Rule(RuleKind.BLOCKING_MINORITY, fraction=Fraction(1, 4))),
        ("blocking-minority 1/2", BLOCKING_HALF),
        ("vote 2/3", Rule(RuleKind.VOTE, majority=Majority(Fraction(2, 3)))),
        (
            "vote 1/2 of present",
            Rule(RuleKind.VOTE, majority=Majority(Fraction(1, 2), Base.PRESENT)),
        ),
        (
            "consensus-then-vote 2/3 of members",
            Rule(RuleKind.CONSENSUS_THEN_VOTE, majority=Majority(Fraction(2, 3), Base.MEMBERS)),
        ),
    ],
)
def test_rules_parse_from_what_a_chair_types(text: str, rule: Rule) -> None:
    assert parse_rule(text) == rule
    assert Rule.decode(rule.encode()) == rule


@pytest.mark.parametrize(
    "text",
    [
        "",
        "unanimity",
        "consensus-minus 0",
        "consensus-minus x",
        "majority 2/3",  # renamed: it never was a majority
        "blocking-minority 2/3",
        "blocking-minority 0",
        "blocking-minority two-thirds",
        "blocking-minority 2/0",
        "vote",
        "vote 1/3",
        "vote 2/3 of everyone",
        "vote 2/3 present",
    ],
)
def test_a_rule_that_is_not_one_is_refused_with_a_sentence(text: str) -> None:
    with pytest.raises(ValueError, match=r"\w"):
        parse_rule(text)


@pytest.mark.parametrize(
    ("present", "quorum", "expected"),
    [(0, 0, True), (5, 0, True), (29, 30, False), (30, 30, True), (31, 30, True), (0, 1, False)],
)
def test_quorum_is_met_at_exactly_the_number(present: int, quorum: int, expected: bool) -> None:
    assert quorate(present, quorum) is expected


def test_what_if_names_the_rules_that_would_change_a_block_as_the_kasane_reformers_asked() -> None:
    found = what_if(tally(4, 58), CONSENSUS)
    assert found.sentence() == (
        "blocked under consensus by 4 of 58 participants; would pass under consensus minus 4,"
        " the blocking-minority rule of 1/3 or the blocking-minority rule of 1/2"
    )


def test_what_if_of_an_adoption_says_which_rules_would_have_blocked_it() -> None:
    found = what_if(tally(1, 13), Rule(RuleKind.CONSENSUS_MINUS, minus=1))
    assert found.outcome is Outcome.ADOPTED
    assert found.sentence().endswith("would be blocked under consensus")


def test_what_if_says_so_when_no_standard_rule_would_change_it() -> None:
    assert what_if(tally(0, 13), CONSENSUS).alternative() == "the same under every standard rule"
    assert what_if(tally(13, 13), CONSENSUS).alternative() == "the same under every standard rule"


def test_what_if_table_covers_every_standard_rule_besides_the_meetings() -> None:
    found = what_if(tally(5, 13), BLOCKING_THIRD)
    described = [r.describe() for r, _ in found.others]
    assert described == [
        "consensus",
        "consensus minus 1",
        "consensus minus 5",
        "the blocking-minority rule of 1/2",
    ]
    assert [o for _, o in found.others] == [
        Outcome.BLOCKED,
        Outcome.BLOCKED,
        Outcome.ADOPTED,
        Outcome.ADOPTED,
    ]
