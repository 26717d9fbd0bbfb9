"""The consensus checker: which standing objections block an item under which rule."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from bot.domain.rules import (
    CONSENSUS,
    BlockChange,
    ItemStatus,
    Objection,
    Outcome,
    PositionKind,
    Role,
    Rule,
    RuleKind,
    Tally,
    block_change,
    outcome,
    standing_notice_is_news,
)
from bot.domain.votes import Base, Majority

MINUS_ONE = Rule(RuleKind.CONSENSUS_MINUS, minus=1)
BLOCKING_THIRD = Rule(RuleKind.BLOCKING_MINORITY, fraction=Fraction(1, 3))
BLOCKING_HALF = Rule(RuleKind.BLOCKING_MINORITY, fraction=Fraction(1, 2))
RULES = [
    CONSENSUS,
    MINUS_ONE,
    Rule(RuleKind.CONSENSUS_MINUS, minus=3),
    BLOCKING_THIRD,
    BLOCKING_HALF,
]
KASANE_BLOCKERS = ("Russia", "Belarus", "Central African Republic", "Kyrgyzstan", "Mali")


def tally(*objectors: str, participants: int = 10, reason: str = "") -> Tally:
    return Tally(tuple(Objection(name, reason) for name in objectors), participants)


# ---- outcome ----------------------------------------------------------------------------


@pytest.mark.parametrize("rule", RULES, ids=Rule.encode)
def test_an_item_nobody_objects_to_is_adopted_under_every_rule(rule: Rule) -> None:
    assert outcome(tally(participants=54), rule) is Outcome.ADOPTED


@pytest.mark.parametrize("rule", RULES, ids=Rule.encode)
def test_a_meeting_with_no_participants_adopts_what_nobody_objects_to(rule: Rule) -> None:
    assert outcome(tally(participants=0), rule) is Outcome.ADOPTED
    assert not rule.blocks(0, 0)


def test_consensus_is_the_default_rule() -> None:
    assert Rule() == CONSENSUS
    assert CONSENSUS.kind is RuleKind.CONSENSUS


def test_one_participant_objection_blocks_under_consensus() -> None:
    assert outcome(tally("Mali", participants=54), CONSENSUS) is Outcome.BLOCKED


def test_the_kasane_objections_excise_the_item_under_consensus() -> None:
    assert outcome(tally(*KASANE_BLOCKERS, participants=54), CONSENSUS) is Outcome.BLOCKED


@pytest.mark.parametrize(
    ("minus", "objectors", "blocked"),
    [
        (1, 1, False),
        (1, 2, True),
        (2, 2, False),
        (2, 3, True),
        (0, 1, True),
    ],
)
def test_consensus_minus_n_tolerates_n_objections_and_falls_to_one_more(
    minus: int, objectors: int, blocked: bool
) -> None:
    rule = Rule(RuleKind.CONSENSUS_MINUS, minus=minus)
    names = [f"Delegation {i}" for i in range(objectors)]
    expected = Outcome.BLOCKED if blocked else Outcome.ADOPTED
    assert outcome(tally(*names, participants=20), rule) is expected


@pytest.mark.parametrize(
    ("participants", "objectors", "blocked"),
    [
        (9, 3, False),  # exactly one third: the two-thirds majority still stands
        (9, 4, True),
        (3, 1, False),
        (3, 2, True),
        (10, 3, False),
        (10, 4, True),
        (1, 1, True),
    ],
)
def test_a_blocking_third_blocks_only_when_more_than_one_third_objects(
    participants: int, objectors: int, blocked: bool
) -> None:
    assert BLOCKING_THIRD.blocks(objectors, participants) is blocked


@given(participants=st.integers(0, 500), data=st.data())
def test_a_blocking_third_blocks_exactly_when_objectors_exceed_a_third(
    participants: int, data: st.DataObject
) -> None:
    objectors = data.draw(st.integers(0, participants))
    assert BLOCKING_THIRD.blocks(objectors, participants) is (3 * objectors > participants)


def test_a_blocking_half_stands_on_a_tie_and_falls_to_one_more_objection() -> None:
    assert not BLOCKING_HALF.blocks(5, 10)
    assert BLOCKING_HALF.blocks(6, 10)


def test_under_a_vote_rule_objections_block_nothing_and_consensus_then_vote_blocks_on_one() -> None:
    majority = Majority(Fraction(2, 3), Base.PRESENT_AND_VOTING)
    assert not Rule(RuleKind.VOTE, majority=majority).blocks(40, 58)
    assert Rule(RuleKind.CONSENSUS_THEN_VOTE, majority=majority).blocks(1, 58)


def test_a_tally_names_its_objectors_in_order() -> None:
    assert tally(*KASANE_BLOCKERS).objectors == KASANE_BLOCKERS


# ---- describing and storing rules -----------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "encoded", "described"),
    [
        (CONSENSUS, "consensus", "consensus"),
        (MINUS_ONE, "consensus-minus:1", "consensus minus 1"),
        (BLOCKING_THIRD, "blocking-minority:1/3", "the blocking-minority rule of 1/3"),
        (
            Rule(RuleKind.VOTE, majority=Majority(Fraction(2, 3), Base.PRESENT_AND_VOTING)),
            "vote:2/3 present-and-voting",
            "a vote by a 2/3 majority of present and voting",
        ),
        (
            Rule(RuleKind.CONSENSUS_THEN_VOTE, majority=Majority(Fraction(1, 2), Base.MEMBERS)),
            "consensus-then-vote:1/2 members",
            "consensus, then a vote by a simple majority of all members",
        ),
    ],
)
def test_a_rule_has_a_stable_storage_form_and_a_readable_name(
    rule: Rule, encoded: str, described: str
) -> None:
    assert rule.encode() == encoded
    assert rule.describe() == described
    assert Rule.decode(encoded) == rule


@given(minus=st.integers(0, 1000))
def test_every_consensus_minus_rule_survives_a_storage_round_trip(minus: int) -> None:
    rule = Rule(RuleKind.CONSENSUS_MINUS, minus=minus)
    assert Rule.decode(rule.encode()) == rule


@given(fraction=st.fractions(min_value=Fraction(1, 100), max_value=1))
def test_every_blocking_minority_rule_survives_a_storage_round_trip(fraction: Fraction) -> None:
    rule = Rule(RuleKind.BLOCKING_MINORITY, fraction=fraction)
    assert Rule.decode(rule.encode()) == rule


def test_an_unknown_stored_rule_is_refused_rather_than_guessed() -> None:
    with pytest.raises(ValueError, match="unanimity"):
        Rule.decode("unanimity")


# ---- how a change of positions is announced -----------------------------------------


def test_a_first_objection_makes_an_open_item_now_blocked() -> None:
    assert block_change(tally(), tally("Russia"), CONSENSUS) is BlockChange.NOW_BLOCKED


def test_a_further_objection_leaves_the_item_still_blocked() -> None:
    change = block_change(tally("Russia"), tally("Russia", "Belarus"), CONSENSUS)
    assert change is BlockChange.STILL_BLOCKED


def test_withdrawing_one_of_two_objections_leaves_the_item_still_blocked() -> None:
    change = block_change(tally("Russia", "Belarus"), tally("Belarus"), CONSENSUS)
    assert change is BlockChange.STILL_BLOCKED


def test_a_restated_reason_leaves_the_item_still_blocked() -> None:
    before = tally("Mali", reason="Outside the mandate")
    after = tally("Mali", reason="Outside the mandate of the KP")
    assert block_change(before, after, CONSENSUS) is BlockChange.STILL_BLOCKED


def test_withdrawing_the_last_objection_unblocks_the_item() -> None:
    assert block_change(tally("Mali"), tally(), CONSENSUS) is BlockChange.UNBLOCKED


def test_nothing_is_announced_when_the_standing_objections_do_not_change() -> None:
    assert block_change(tally("Mali"), tally("Mali"), CONSENSUS) is BlockChange.NONE
    assert block_change(tally(), tally(), CONSENSUS) is BlockChange.NONE


def test_under_consensus_minus_one_a_lone_objection_announces_nothing() -> None:
    assert block_change(tally(), tally("Mali"), MINUS_ONE) is BlockChange.NONE
    assert block_change(tally("Mali"), tally("Mali", "Belarus"), MINUS_ONE) is (
        BlockChange.NOW_BLOCKED
    )
    assert block_change(tally("Mali", "Belarus"), tally("Mali"), MINUS_ONE) is (
        BlockChange.UNBLOCKED
    )


def test_a_majority_rule_blocks_once_the_objections_pass_one_third() -> None:
    three = tally("Russia", "Belarus", "Mali", participants=9)
    four = tally("Russia", "Belarus", "Mali", "Kyrgyzstan", participants=9)
    assert block_change(three, four, BLOCKING_THIRD) is BlockChange.NOW_BLOCKED
    assert block_change(four, three, BLOCKING_THIRD) is BlockChange.UNBLOCKED


# ---- roles, positions, statuses ---------------------------------------------------------


def test_only_participants_may_block() -> None:
    assert Role.PARTICIPANT.may_block
    assert not Role.OBSERVER.may_block


def test_only_an_objection_blocks_among_positions() -> None:
    assert [k for k in PositionKind if k.blocks] == [PositionKind.OBJECTION]


def test_every_status_but_open_is_decided() -> None:
    assert [s for s in ItemStatus if not s.is_decided] == [ItemStatus.OPEN]


@pytest.mark.parametrize(
    ("says_blocked", "blocked", "shown_blocked", "news"),
    [
        (True, True, False, True),  # newly blocked: say so
        (True, True, True, False),  # the channel already says it (a withdrawal undone)
        (True, False, False, False),  # blocked and unblocked again before it went out
        (True, False, True, False),  # the "no longer blocked" notice is the news
        (False, False, True, True),  # no longer blocked: say so
        (False, False, False, False),  # the channel never heard of the block
        (False, True, True, False),  # blocked again before it went out
        (False, True, False, False),  # the "blocked" notice is the news
    ],
)
def test_a_standing_notice_is_posted_only_when_it_changes_what_the_channel_shows_to_the_truth(
    says_blocked: bool, blocked: bool, shown_blocked: bool, news: bool
) -> None:
    assert (
        standing_notice_is_news(
            says_blocked=says_blocked, blocked=blocked, channel_shows_blocked=shown_blocked
        )
        is news
    )
