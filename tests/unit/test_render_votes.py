"""Rendering votes: the card never tells how anyone voted, the result reads as the UN prints
it, secret votes show counts only, the what-if never says "would pass" on a guess, and every
message stays within Slack's limits with user text escaped."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from fractions import Fraction
from typing import Any

from hypothesis import given, strategies as st

from bot.commands.payloads import Action, ItemRef
from bot.domain.digest import build_digest
from bot.domain.model import HomeMeeting, Item
from bot.domain.rules import (
    CONSENSUS,
    MAX_DELEGATION_NAME,
    MAX_REASON,
    ItemStatus,
    Objection,
    Role,
    Tally,
)
from bot.domain.votes import (
    HALF,
    STANDARD_MAJORITIES,
    TWO_THIRDS,
    Ballot,
    Base,
    CastBallot,
    Count,
    HomeVote,
    Majority,
    Vote,
    VoteStatus,
    count_vote,
)
from bot.domain.what_if import what_if
from bot.render import answers, home, sessions
from bot.render.blocks import Message
from bot.render.meeting_record import build_record
from bot.render.votes import result_sentence, vote_card, vote_result
from bot.render.what_if import consensus_what_if, vote_need, vote_what_if
from tests.unit.test_render import (
    BROADCAST_WORD,
    FORBIDDEN,
    HOSTILE,
    NOW,
    WORST,
    assert_within_slack_limits,
    delegation,
    item,
    meeting,
    mrkdwn_texts,
)

PV = Base.PRESENT_AND_VOTING
TWO_THIRDS_PV = Majority(TWO_THIRDS, PV)
# The issue's example: 58 registered, 30 present, 14 yes, 8 no, 8 abstentions.
EXAMPLE = Count(yes=14, no=8, abstain=8, present=30, members=58)
EXCLUSION = item(2, "Exclude the Russian Federation from this meeting", sponsor="Ukraine")


def vote(
    *,
    status: VoteStatus = VoteStatus.OPEN,
    count: Count | None = None,
    majority: Majority = TWO_THIRDS_PV,
    secret: bool = False,
    voted: tuple[str, ...] = ("Ukraine", "Canada"),
    not_voted: tuple[str, ...] = ("Mali", "Belarus"),
    quorum: int = 0,
    the_item: Item = EXCLUSION,
) -> Vote:
    result = count_vote(count, majority, quorum) if count is not None else None
    done = status is not VoteStatus.OPEN
    return Vote(
        id=7,
        meeting_id=1,
        item_id=the_item.id,
        item_number=the_item.number,
        majority=majority,
        secret=secret,
        opened_by="UCHAIR",
        opened_at=NOW,
        deadline=NOW + timedelta(hours=2),
        status=status,
        closed_at=NOW + timedelta(hours=1) if done else None,
        closed_by="UCHAIR" if done else None,
        result=result if status is VoteStatus.CLOSED else None,
        voted=voted,
        not_voted=not_voted,
    )


def ballot(
    delegation_name: str,
    choice: Ballot | None,
    explanation: str = "",
    *,
    minutes: int = 5,
    replaced: bool = False,
) -> CastBallot:
    return CastBallot(
        delegation=delegation_name,
        choice=choice,
        explanation=explanation,
        user_id=f"U{abs(hash(delegation_name)) % 10_000:04d}",
        cast_at=NOW + timedelta(minutes=minutes),
        replaced_at=NOW + timedelta(minutes=minutes + 1) if replaced else None,
    )


def blocks_text(message: Message) -> str:
    return str(message.blocks)


def buttons(message: Message) -> list[dict[str, Any]]:
    return [e for b in message.blocks if b["type"] == "actions" for e in b["elements"]]


# ---- the result, exactly ---------------------------------------------------------------------


def test_the_issues_example_fails_two_thirds_of_present_and_voting_in_exactly_these_words() -> None:
    result = count_vote(EXAMPLE, TWO_THIRDS_PV)
    assert result_sentence(result) == (
        "Not adopted: 14 in favour, 8 against, 8 abstentions; a 2/3 majority of present and"
        " voting needed 15 of 22."
    )


def test_twenty_to_ten_is_announced_adopted_with_the_number_it_needed() -> None:
    result = count_vote(Count(20, 10, 0, 30, 30), TWO_THIRDS_PV)
    assert result_sentence(result) == (
        "Adopted: 20 in favour, 10 against, 0 abstentions; a 2/3 majority of present and"
        " voting needed 20 of 30."
    )


def test_when_everyone_abstains_the_result_says_no_votes_were_cast() -> None:
    result = count_vote(Count(0, 0, 12, 12, 13), Majority(HALF, PV))
    assert result_sentence(result) == (
        "Not adopted: no votes cast (0 in favour, 0 against, 12 abstentions)."
    )


def test_an_inquorate_vote_decides_nothing_and_gives_the_numbers() -> None:
    result = count_vote(EXAMPLE, TWO_THIRDS_PV, quorum=31)
    assert result_sentence(result) == (
        "No decision: inquorate, 30 of the 31 participant delegations required for a quorum"
        " present (14 in favour, 8 against, 8 abstentions); the item stays open."
    )
    assert vote_what_if(result) == []


def test_after_a_vote_the_same_ballots_are_counted_under_each_other_majority_with_its_need() -> (
    None
):
    others = vote_what_if(count_vote(EXAMPLE, TWO_THIRDS_PV))
    assert len(others) == len(STANDARD_MAJORITIES) - 1
    assert "a simple majority of present and voting: adopted (12 of 22 needed)" in others
    assert "a simple majority of present: not adopted (16 of 30 needed)" in others
    assert "a 2/3 majority of all members: not adopted (39 of 58 needed)" in others


# ---- the card --------------------------------------------------------------------------------


def test_an_open_card_counts_and_names_who_has_not_voted_but_never_how_anyone_voted() -> None:
    card = vote_card(vote(), EXCLUSION, meeting())
    said = blocks_text(card)
    assert "2 of 4 participant delegations have voted" in said
    assert "*Not yet voted* (2): Mali, Belarus" in said
    assert "a 2/3 majority of present and voting" in said
    for how in ("in favour", "against", "abstaining", "yes*", "no*"):
        assert how not in said.lower()
    assert "2 of 4 participant delegations have voted" in card.text


def test_an_open_card_shows_its_deadline_as_a_date_token() -> None:
    card = vote_card(vote(), EXCLUSION, meeting())
    stamp = int((NOW + timedelta(hours=2)).timestamp())
    assert f"<!date^{stamp}^" in blocks_text(card)


def test_an_open_card_has_yes_no_and_abstain_buttons_carrying_the_item() -> None:
    card = vote_card(vote(), EXCLUSION, meeting())
    pressed = [(b["action_id"], b["value"]) for b in buttons(card)]
    value = ItemRef(1, EXCLUSION.id).pack()
    assert pressed == [
        (Action.VOTE_YES, value),
        (Action.VOTE_NO, value),
        (Action.VOTE_ABSTAIN, value),
    ]


def test_a_closed_card_shows_the_result_instead_of_buttons() -> None:
    closed = vote(status=VoteStatus.CLOSED, count=EXAMPLE)
    card = vote_card(closed, EXCLUSION, meeting())
    assert buttons(card) == []
    assert "Not adopted: 14 in favour, 8 against, 8 abstentions" in card.text


def test_a_cancelled_card_says_the_item_stays_open_and_has_no_buttons() -> None:
    card = vote_card(vote(status=VoteStatus.CANCELLED), EXCLUSION, meeting())
    assert buttons(card) == []
    assert "Cancelled by <@UCHAIR>" in card.text
    assert "#2 stays open" in card.text


# ---- the result announcement -------------------------------------------------------------------


def test_a_recorded_vote_is_announced_as_the_un_prints_it_with_explanations_on_record() -> None:
    closed = vote(
        status=VoteStatus.CLOSED,
        count=Count(2, 1, 1, 5, 5),
        voted=("Ukraine", "Canada", "Belarus", "Mali"),
        not_voted=("Kyrgyzstan",),
    )
    cast = [
        ballot("Ukraine", Ballot.YES, "Aggression is incompatible with the KP"),
        ballot("Canada", Ballot.NO, minutes=1, replaced=True),
        ballot("Canada", Ballot.YES, minutes=3),
        ballot("Belarus", Ballot.NO),
        ballot("Mali", Ballot.ABSTAIN),
    ]
    said = vote_result(closed, EXCLUSION, meeting(), cast)
    body = blocks_text(said)
    assert said.text.startswith(
        "Vote on #2: Adopted: 2 in favour, 1 against, 1 abstention; a 2/3 majority of present"
        " and voting needed 2 of 3."
    )
    assert "*In favour* (2): Canada, Ukraine" in body
    assert "*Against* (1): Belarus" in body
    assert "*Abstaining* (1): Mali" in body
    assert "*Not voting* (1): Kyrgyzstan" in body
    assert "*Ukraine* (in favour): Aggression is incompatible with the KP" in body
    assert "In favour (2): Canada, Ukraine; Against (1): Belarus" in said.text


def test_a_secret_vote_is_announced_with_counts_only() -> None:
    closed = vote(status=VoteStatus.CLOSED, count=EXAMPLE, secret=True, not_voted=())
    # After a secret vote closes the store keeps who voted, never how nor why.
    cast = [ballot("Ukraine", None), ballot("Canada", None)]
    said = vote_result(closed, EXCLUSION, meeting(), cast)
    everything = blocks_text(said) + said.text
    assert "14 in favour, 8 against, 8 abstentions" in everything
    assert "Secret ballot" in everything
    for name in ("Ukraine", "Canada", "In favour*", "Against*"):
        assert name not in everything


def test_a_secret_vote_shows_no_explanation_even_if_one_were_handed_over() -> None:
    closed = vote(status=VoteStatus.CLOSED, count=EXAMPLE, secret=True)
    said = vote_result(closed, EXCLUSION, meeting(), [ballot("Ukraine", Ballot.YES, "Because")])
    assert "Because" not in blocks_text(said) + said.text
    assert "Ukraine" not in blocks_text(said) + said.text


# ---- what-if after a consensus decision --------------------------------------------------------


def objections(n: int) -> tuple[Objection, ...]:
    return tuple(Objection(f"D{i}", "") for i in range(n))


def test_after_a_consensus_block_a_vote_is_said_only_to_need_so_many_yes_votes() -> None:
    found = what_if(Tally(objections(5), 20), CONSENSUS)
    assert consensus_what_if(found) == [
        "Blocked under consensus by 5 of 20 participant delegations.",
        "Under consensus minus 5, the blocking-minority rule of 1/3 or the blocking-minority"
        " rule of 1/2, it would pass.",
        "Under a 2/3 majority of present and voting it would pass only if at least 10"
        " delegations voted yes against these 5.",
    ]


def test_a_vote_that_no_number_of_yes_votes_could_carry_is_said_to_be_impossible() -> None:
    assert vote_need(5, 13, TWO_THIRDS_PV) == (
        "Under a 2/3 majority of present and voting it could not pass against these 5: the"
        " other 8 participant delegations voting yes would be fewer than the 9 needed."
    )
    assert vote_need(4, 4, TWO_THIRDS_PV) == (
        "Under a 2/3 majority of present and voting it could not pass: every participant"
        " delegation objects."
    )


@given(
    participants=st.integers(1, 60),
    data=st.data(),
    fraction=st.sampled_from([HALF, TWO_THIRDS, Fraction(3, 4)]),
    base=st.sampled_from(list(Base)),
)
def test_no_what_if_after_consensus_says_a_vote_would_pass(
    participants: int, data: st.DataObject, fraction: Fraction, base: Base
) -> None:
    objectors = data.draw(st.integers(0, participants))
    found = what_if(Tally(objections(objectors), participants), CONSENSUS)
    for sentence in consensus_what_if(found, (Majority(fraction, base),)):
        if "majority" in sentence:
            assert "would pass only if" in sentence or "could not pass" in sentence, sentence
            assert "would pass." not in sentence


def test_the_what_if_never_calls_a_rule_that_counts_objections_a_majority() -> None:
    found = what_if(Tally(objections(4), 13), CONSENSUS)
    for sentence in consensus_what_if(found, STANDARD_MAJORITIES):
        if "it would pass." in sentence:
            assert "majority" not in sentence


# ---- Slack's limits and escaping -----------------------------------------------------------------

NAMES = tuple(f"{i:03d}" + WORST * (MAX_DELEGATION_NAME - 3) for i in range(200))


def big_messages() -> dict[str, Message]:
    big_meeting = meeting(WORST * 150)
    big_item = item(2, WORST * 2000, sponsor=WORST * MAX_DELEGATION_NAME)
    cast = [ballot(n, list(Ballot)[i % 3], WORST * MAX_REASON) for i, n in enumerate(NAMES)]
    count = Count(67, 67, 66, 200, 200)
    open_vote = vote(voted=NAMES[:100], not_voted=NAMES[100:], the_item=big_item)
    closed = vote(
        status=VoteStatus.CLOSED, count=count, voted=NAMES, not_voted=(), the_item=big_item
    )
    none_voted = vote(voted=(), not_voted=NAMES, the_item=big_item)
    return {
        "open card": vote_card(open_vote, big_item, big_meeting),
        "nobody voted card": vote_card(none_voted, big_item, big_meeting),
        "closed card": vote_card(closed, big_item, big_meeting),
        "result": vote_result(closed, big_item, big_meeting, cast),
        "secret result": vote_result(
            vote(status=VoteStatus.CLOSED, count=count, secret=True, voted=NAMES, not_voted=()),
            big_item,
            big_meeting,
            [ballot(n, None) for n in NAMES],
        ),
    }


def test_every_vote_message_stays_within_slacks_limits_with_200_delegations() -> None:
    for name, message in big_messages().items():
        try:
            assert_within_slack_limits(message)
        except AssertionError as failure:
            raise AssertionError(name) from failure


def test_a_long_recorded_vote_is_split_between_names_never_inside_one() -> None:
    closed = vote(status=VoteStatus.CLOSED, count=Count(200, 0, 0, 200, 200), voted=NAMES)
    said = vote_result(closed, EXCLUSION, meeting(), [ballot(n, Ballot.YES) for n in NAMES])
    shown = " ".join(mrkdwn_texts(said))
    assert "*In favour* (200):" in shown
    whole = [n for n in NAMES if n.replace("&", "&amp;") in shown]
    begun = [n for n in NAMES if n[:3] + "&amp;" in shown]
    assert whole == begun  # a name is shown whole or not at all
    assert len(whole) == 200 or "`/meeting record` has every name" in shown


HOSTILE_NAMES = ("<!channel> Mali", "@here Belarus", "<@UEVIL|evil>", "<!subteam^S1|@team>")


def hostile_messages() -> dict[str, Message]:
    closed = vote(
        status=VoteStatus.CLOSED,
        count=Count(2, 1, 1, 4, 4),
        voted=HOSTILE_NAMES,
        not_voted=(),
    )
    cast = [
        ballot(HOSTILE_NAMES[0], Ballot.YES, HOSTILE),
        ballot(HOSTILE_NAMES[1], Ballot.YES, HOSTILE),
        ballot(HOSTILE_NAMES[2], Ballot.NO, HOSTILE),
        ballot(HOSTILE_NAMES[3], Ballot.ABSTAIN, HOSTILE),
    ]
    hostile_item = item(2, HOSTILE, sponsor=HOSTILE[:60])
    return {
        "card": vote_card(vote(voted=(), not_voted=HOSTILE_NAMES), hostile_item, meeting()),
        "result": vote_result(closed, hostile_item, meeting(), cast),
    }


def test_hostile_delegation_names_and_explanations_never_ping_anyone() -> None:
    for name, message in hostile_messages().items():
        for text in [*mrkdwn_texts(message), message.text]:
            assert not [f for f in FORBIDDEN if f in text], (name, text)
            assert BROADCAST_WORD.search(text) is None, (name, text)


# ---- Home, agenda, digest ----------------------------------------------------------------------


def home_blocks(homes: list[HomeMeeting]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = home.home_view(homes)["blocks"]
    return blocks


def test_home_shows_an_open_vote_with_only_the_readers_own_delegations_ballot() -> None:
    ukraine = delegation(3, "Ukraine")
    own = ballot("Ukraine", Ballot.YES)
    shown = home_blocks(
        [
            HomeMeeting(
                meeting(),
                ukraine,
                is_chair=False,
                open_items=(EXCLUSION,),
                blocked=(),
                votes=(HomeVote(vote(), EXCLUSION.heading, own),),
            )
        ]
    )
    said = str(shown)
    assert "2 of 4 participant delegations have voted" in said
    assert "*Ukraine* voted *yes*" in said
    actions = [e["action_id"] for b in shown if b["type"] == "actions" for e in b["elements"]]
    assert Action.VOTE_YES in actions
    assert Action.VOTE_CLOSE not in actions


def test_home_gives_a_chair_the_close_vote_button_and_an_observer_no_ballot() -> None:
    observer = delegation(9, "KP Civil Society Coalition", Role.OBSERVER)
    shown = home_blocks(
        [
            HomeMeeting(
                meeting(),
                observer,
                is_chair=True,
                open_items=(EXCLUSION,),
                blocked=(),
                votes=(HomeVote(vote(), EXCLUSION.heading),),
            )
        ]
    )
    actions = [e["action_id"] for b in shown if b["type"] == "actions" for e in b["elements"]]
    assert Action.VOTE_CLOSE in actions
    assert Action.VOTE_YES not in actions
    assert "has not voted" not in str(shown)


def test_the_agenda_lists_an_open_vote_and_a_result() -> None:
    adopted = item(3, "Adopt the report", status=ItemStatus.ADOPTED)
    closed = vote(status=VoteStatus.CLOSED, count=EXAMPLE, the_item=adopted)
    said = str(
        answers.agenda(
            meeting(), [EXCLUSION, adopted], votes={EXCLUSION.id: vote(), adopted.id: closed}
        ).blocks
    )
    assert "vote open (a 2/3 majority of present and voting): 2 of 4 voted" in said
    assert (
        "vote: not adopted, 14 in favour, 8 against, 8 abstentions (a 2/3 majority of present"
        " and voting needed 15 of 22)"
    ) in said


def test_the_digest_lists_votes_opened_and_results_in_its_window() -> None:
    adopted = item(3, "Adopt the report", status=ItemStatus.ADOPTED)
    closed = vote(status=VoteStatus.CLOSED, count=EXAMPLE, the_item=adopted)
    digest = build_digest(
        meeting(),
        [EXCLUSION, adopted],
        {},
        [],
        since=NOW - timedelta(hours=1),
        until=NOW + timedelta(hours=3),
        day=(NOW, NOW + timedelta(days=1)),
        votes=[vote(), closed],
    )
    assert [v.item_id for _, v in digest.votes_opened] == [EXCLUSION.id, adopted.id]
    assert [v.item_id for _, v in digest.votes_closed] == [adopted.id]
    assert not digest.is_quiet
    said = sessions.digest(digest)
    assert "*Votes opened*" in blocks_text(said)
    assert "not adopted, 14 in favour, 8 against, 8 abstentions" in blocks_text(said)
    assert "1 vote closed" in said.text


# ---- the record ----------------------------------------------------------------------------------


def record(the_vote: Vote, cast: list[CastBallot]) -> tuple[str, list[list[str]]]:
    markdown, table = build_record(
        meeting(), [EXCLUSION], {}, [], NOW + timedelta(days=1), votes=[(the_vote, cast)]
    )
    return markdown, list(csv.reader(io.StringIO(table)))


def test_the_record_keeps_every_ballot_with_its_time_and_member_and_the_result() -> None:
    closed = vote(status=VoteStatus.CLOSED, count=Count(1, 1, 0, 2, 4), voted=("Canada", "Mali"))
    cast = [
        ballot("Canada", Ballot.NO, minutes=1, replaced=True),
        ballot("Canada", Ballot.YES, "We support it", minutes=3),
        ballot("Mali", Ballot.NO, minutes=4),
    ]
    markdown, rows = record(closed, cast)
    assert "Vote opened 2024-06-18 09:30 by the chair (Slack user UCHAIR)" in markdown
    assert f"Canada voted against, cast by Slack user {cast[0].user_id}" in markdown
    assert "(replaced 2024-06-18 09:32)" in markdown
    assert "Canada voted in favour, cast by" in markdown
    assert ": We support it" in markdown
    assert (
        "closed by the chair (Slack user UCHAIR): Not adopted: 1 in favour, 1 against,"
        " 0 abstentions; a 2/3 majority of present and voting needed 2 of 2."
    ) in markdown
    assert "Recorded vote: In favour (1): Canada; Against (1): Mali" in markdown
    events = [r[5] for r in rows[1:]]
    assert sum(1 for e in events if e.startswith("ballot:")) == 3
    assert "vote result: not adopted" in events


def test_the_record_of_a_secret_vote_keeps_who_voted_never_how() -> None:
    closed = vote(status=VoteStatus.CLOSED, count=Count(1, 1, 0, 2, 4), secret=True)
    markdown, rows = record(closed, [ballot("Canada", None), ballot("Mali", None)])
    assert "Canada voted, cast by" in markdown
    assert "Secret ballot: 2 voted; how each voted is not recorded." in markdown
    for how in ("in favour,", "against,", "abstaining"):
        assert f"voted {how}" not in markdown
    assert all("voted in favour" not in cell for row in rows for cell in row)


def test_the_record_of_an_open_vote_does_not_say_how_anyone_has_voted() -> None:
    markdown, _ = record(vote(), [ballot("Canada", Ballot.YES, "Reasons")])
    assert "Canada voted, cast by" in markdown
    assert "in favour" not in markdown
    assert "Reasons" not in markdown


def test_the_vote_module_names_the_action_ids_the_design_agreed() -> None:
    assert (Action.VOTE_YES, Action.VOTE_NO, Action.VOTE_ABSTAIN) == (
        "vote_yes",
        "vote_no",
        "vote_abstain",
    )
