"""Counting votes as real bodies count them: majorities of a base, exact fractions."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from bot.domain.votes import (
    HALF,
    STANDARD_MAJORITIES,
    TWO_THIRDS,
    Base,
    Count,
    Majority,
    VoteOutcome,
    count_vote,
    other_outcomes,
    vote_needed,
)

PV = Base.PRESENT_AND_VOTING


def pv(yes: int, no: int, abstain: int = 0) -> Count:
    return Count(yes, no, abstain, yes + no + abstain, yes + no + abstain)


def test_twenty_to_ten_carries_a_two_thirds_majority_of_present_and_voting() -> None:
    result = count_vote(pv(20, 10), Majority(TWO_THIRDS, PV))
    assert (result.outcome, result.needed, result.base_size) == (VoteOutcome.ADOPTED, 20, 30)


def test_nineteen_to_ten_falls_short_of_two_thirds_of_present_and_voting() -> None:
    result = count_vote(pv(19, 10), Majority(TWO_THIRDS, PV))
    assert (result.outcome, result.needed, result.base_size) == (VoteOutcome.NOT_ADOPTED, 20, 29)


def test_a_tie_fails_a_simple_majority() -> None:
    result = count_vote(pv(10, 10), Majority(HALF, PV))
    assert (result.outcome, result.needed) == (VoteOutcome.NOT_ADOPTED, 11)


def test_when_everyone_abstains_no_votes_are_cast_and_nothing_is_adopted() -> None:
    result = count_vote(pv(0, 0, 12), Majority(HALF, PV))
    assert result.outcome is VoteOutcome.NO_VOTES_CAST
    assert not result.adopted


def test_when_nobody_votes_on_any_base_no_votes_are_cast() -> None:
    for majority in STANDARD_MAJORITIES:
        assert count_vote(Count(0, 0, 0, 5, 9), majority).outcome is VoteOutcome.NO_VOTES_CAST


# 58 registered, 30 present, 14 yes, 8 no, 8 abstentions: the example.
EXAMPLE = Count(yes=14, no=8, abstain=8, present=30, members=58)


@pytest.mark.parametrize(
    ("majority", "outcome", "needed", "base"),
    [
        (Majority(TWO_THIRDS, PV), VoteOutcome.NOT_ADOPTED, 15, 22),
        (Majority(HALF, PV), VoteOutcome.ADOPTED, 12, 22),
        (Majority(HALF, Base.PRESENT), VoteOutcome.NOT_ADOPTED, 16, 30),
        (Majority(TWO_THIRDS, Base.MEMBERS), VoteOutcome.NOT_ADOPTED, 39, 58),
    ],
)
def test_the_same_ballots_count_differently_on_each_base(
    majority: Majority, outcome: VoteOutcome, needed: int, base: int
) -> None:
    result = count_vote(EXAMPLE, majority)
    assert (result.outcome, result.needed, result.base_size) == (outcome, needed, base)


def test_a_vote_without_its_quorum_decides_nothing_and_keeps_its_numbers() -> None:
    result = count_vote(EXAMPLE, Majority(HALF, PV), quorum=31)
    assert result.outcome is VoteOutcome.INQUORATE
    assert not result.outcome.decides
    assert (result.count.present, result.needed) == (30, 12)


def test_a_majority_describes_itself_in_plain_words() -> None:
    assert Majority(TWO_THIRDS, PV).describe() == "a 2/3 majority of present and voting"
    assert Majority(HALF, Base.MEMBERS).describe() == "a simple majority of all members"
    assert Majority.decode(Majority(Fraction(3, 4), Base.PRESENT).encode()) == Majority(
        Fraction(3, 4), Base.PRESENT
    )


@pytest.mark.parametrize("fraction", [Fraction(1, 3), Fraction(0), Fraction(5, 4)])
def test_a_majority_below_one_half_or_above_all_is_refused(fraction: Fraction) -> None:
    with pytest.raises(ValueError, match="from 1/2 up to 1"):
        Majority(fraction, PV)


def test_more_ballots_than_delegations_present_is_not_a_count() -> None:
    with pytest.raises(ValueError, match="more ballots than present"):
        Count(5, 5, 5, 10, 20)


def test_after_a_vote_the_other_standard_majorities_are_each_counted_with_their_need() -> None:
    result = count_vote(EXAMPLE, Majority(TWO_THIRDS, PV))
    others = {
        (r.majority.fraction, r.majority.base): (r.outcome, r.needed)
        for r in other_outcomes(result)
    }
    assert others == {
        (HALF, PV): (VoteOutcome.ADOPTED, 12),
        (HALF, Base.PRESENT): (VoteOutcome.NOT_ADOPTED, 16),
        (TWO_THIRDS, Base.PRESENT): (VoteOutcome.NOT_ADOPTED, 20),
        (HALF, Base.MEMBERS): (VoteOutcome.NOT_ADOPTED, 30),
        (TWO_THIRDS, Base.MEMBERS): (VoteOutcome.NOT_ADOPTED, 39),
    }


def test_what_a_vote_would_need_against_the_objections_is_a_number_never_a_verdict() -> None:
    need = vote_needed(objectors=5, participants=20, majority=Majority(TWO_THIRDS, PV))
    assert need.yes_needed == 10  # 10 of 15 is two thirds
    hopeless = vote_needed(objectors=5, participants=13, majority=Majority(TWO_THIRDS, PV))
    assert not hopeless.possible  # the 8 others cannot reach two thirds against 5


# ---- against a reference -----------------------------------------------------------------


def reference(count: Count, majority: Majority) -> bool:
    """Adopted, by the definitions, with no arithmetic shortcuts: the smallest yes that
    carries it is found by trying every number up to the base."""
    base = count.base_size(majority.base)
    if (count.yes + count.no if majority.base is PV else count.cast) == 0:
        return False
    if majority.fraction == HALF:
        return count.yes * 2 > base
    return Fraction(count.yes) >= majority.fraction * base


counts = st.builds(
    lambda yes, no, abstain, absent, away: Count(
        yes, no, abstain, yes + no + abstain + absent, yes + no + abstain + absent + away
    ),
    *(st.integers(0, 12) for _ in range(5)),
)
majorities = st.builds(
    Majority,
    st.fractions(min_value=HALF, max_value=1, max_denominator=12),
    st.sampled_from(list(Base)),
)


@given(counts, majorities)
def test_counting_matches_the_definitions_on_every_small_count(
    count: Count, majority: Majority
) -> None:
    assert count_vote(count, majority).adopted == reference(count, majority)


def one_more_yes(count: Count) -> list[Count]:
    """Every way one delegation can add a yes: a present non-voter, an abstainer or a no."""
    c = count
    return [
        *([Count(c.yes + 1, c.no, c.abstain, c.present, c.members)] if c.cast < c.present else []),
        *([Count(c.yes + 1, c.no, c.abstain - 1, c.present, c.members)] if c.abstain else []),
        *([Count(c.yes + 1, c.no - 1, c.abstain, c.present, c.members)] if c.no else []),
        Count(c.yes + 1, c.no, c.abstain, c.present + 1, c.members + 1),  # a newcomer
    ]


@given(counts, majorities)
def test_one_more_yes_never_turns_adopted_into_not_adopted(
    count: Count, majority: Majority
) -> None:
    if count_vote(count, majority).adopted:
        assert all(count_vote(more, majority).adopted for more in one_more_yes(count))
