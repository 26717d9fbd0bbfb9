"""Rules, quorum, agenda adoption, modified proposals and the record, through the real app."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.demo.rig import Rig
from bot.demo.story import play
from tests.support.answers import expect_ok
from tests.support.cast import BELARUS, CHAIR, KPCSC, MALI, RUSSIA, UKRAINE, UKRAINE_ALT
from tests.support.state import decisions_of

CHANNEL = "C0MEETING"
DATA = Path(__file__).resolve().parents[1] / "data"


def texts(rig: Rig) -> list[str]:
    return [m.text for m in rig.slack.channel_messages(CHANNEL)]


def last_blocks(rig: Rig) -> str:
    return str(rig.slack.channel_messages(CHANNEL)[-1].blocks)


async def test_under_a_blocking_third_one_objection_of_four_does_not_block(
    kasane: Rig,
) -> None:
    reply = await expect_ok(kasane, "/meeting", "set rule blocking-minority 1/3", user=CHAIR)
    assert "the blocking-minority rule of 1/3" in reply
    await expect_ok(kasane, "/table-motion", "Exclude Russia", user=UKRAINE)
    await expect_ok(kasane, "/object", "1 No", user=BELARUS)
    assert not any("is blocked" in t for t in texts(kasane))  # not blocking under this rule
    await expect_ok(kasane, "/meeting", "decide 1", user=CHAIR)
    assert texts(kasane)[-1].startswith("#1 adopted by the blocking-minority rule of 1/3")
    assert "Under consensus it would be blocked." in last_blocks(kasane)
    [decision] = await decisions_of(kasane)
    assert (decision.rule.encode(), decision.participants) == ("blocking-minority:1/3", 4)


async def test_a_blocked_outcome_says_what_other_rules_settle_and_only_what_a_vote_would_need(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/table-motion", "Discuss Russian diamonds", user=KPCSC)
    await expect_ok(kasane, "/object", "1 Outside the mandate", user=RUSSIA)
    await expect_ok(kasane, "/meeting", "decide 1", user=CHAIR)
    assert (
        "What if: Blocked under consensus by 1 of 4 participant delegations. Under consensus"
        " minus 1, the blocking-minority rule of 1/3 or the blocking-minority rule of 1/2, it"
        " would pass. Under a 2/3 majority of present and voting it would pass only if at least"
        " 2 delegations voted yes against this one."
    ) in last_blocks(kasane)
    agenda = str((await kasane.command("/meeting", "agenda", user=MALI)).json["blocks"])
    assert (
        "consensus minus 1, the blocking-minority rule of 1/3 or the blocking-minority rule of"
        " 1/2 would pass it"
    ) in agenda
    assert "a 2/3 majority of present and voting would need at least 2 yes against 1 no" in agenda
    whatif = await kasane.command("/meeting", "whatif 1", user=MALI)
    assert whatif.text.startswith("#1: Blocked under consensus by 1 of 4 participant delegations.")
    said = str(whatif.json["blocks"])
    assert (
        "Under a simple majority of all members it would pass only if at least 3 delegations"
        " voted yes against this one."
    ) in said
    assert "would pass under" not in said


async def test_an_inquorate_decision_is_refused_with_the_numbers(kasane: Rig) -> None:
    await expect_ok(kasane, "/meeting", "set quorum 3", user=CHAIR)
    await expect_ok(kasane, "/table-motion", "Adopt the agenda deadline: in 1h", user=UKRAINE)
    present = await expect_ok(kasane, "/meeting", "present", user=UKRAINE)
    assert "1 of the 3 required are present" in present
    again = await expect_ok(kasane, "/meeting", "present", user=UKRAINE_ALT)
    assert "already registered" in again
    refused = await kasane.command("/meeting", "decide 1", user=CHAIR)
    assert "the quorum is 3 participant delegations and 1 is present" in refused.text
    observer = await kasane.command("/meeting", "present", user=KPCSC)
    assert "is an observer" in observer.text
    kasane.clock.advance(timedelta(hours=2))
    await kasane.plenary.timekeeper.run_due()
    await kasane.settle()
    assert texts(kasane)[-1] == "The deadline of #1 passed without a quorum; it stays open."
    await expect_ok(kasane, "/meeting", "present", user=MALI)
    await expect_ok(kasane, "/meeting", "present", user=RUSSIA)
    await expect_ok(kasane, "/meeting", "decide 1", user=CHAIR)
    assert "Quorum 3: 3 present." in last_blocks(kasane)
    [decision] = await decisions_of(kasane)
    assert (decision.quorum, decision.present) == (3, 3)


async def test_a_delegation_that_leaves_no_longer_counts_toward_the_quorum(kasane: Rig) -> None:
    await expect_ok(kasane, "/meeting", "set quorum 2", user=CHAIR)
    await expect_ok(kasane, "/table-motion", "Adopt the report", user=UKRAINE)
    for user in (UKRAINE, MALI):
        await expect_ok(kasane, "/meeting", "present", user=user)
    left = await expect_ok(kasane, "/meeting", "absent", user=MALI)
    assert "*Mali* is no longer registered present. 1 of the 2 required are present." in left
    again = await expect_ok(kasane, "/meeting", "absent", user=MALI)
    assert "was not registered present" in again
    refused = await kasane.command("/meeting", "decide 1", user=CHAIR)
    assert "the quorum is 2 participant delegations and 1 is present" in refused.text
    await expect_ok(kasane, "/meeting", "present", user=MALI)  # back in the room
    await expect_ok(kasane, "/meeting", "decide 1", user=CHAIR)
    assert "Quorum 2: 2 present." in last_blocks(kasane)


async def test_agenda_adoption_excises_what_is_objected_to_as_at_kasane(kasane: Rig) -> None:
    await expect_ok(kasane, "/table-motion", "Discuss Russian diamonds", user=KPCSC)
    await expect_ok(kasane, "/table-motion", "Adopt the report of the Working Group", user=UKRAINE)
    await expect_ok(
        kasane, "/table-motion", "Review the KP's definition of conflict diamonds", user=UKRAINE
    )
    reply = await expect_ok(kasane, "/meeting", "agenda propose deadline: in 2h", user=CHAIR)
    assert "3 items" in reply
    assert texts(kasane)[-1].startswith("Provisional agenda circulated: 3 items")
    again = await kasane.command("/meeting", "agenda propose", user=CHAIR)
    assert "already circulating" in again.text
    await expect_ok(kasane, "/object", "1 Outside the mandate", user=RUSSIA)
    await expect_ok(kasane, "/object", "1 Not for the KP", user=BELARUS)
    kasane.clock.advance(timedelta(hours=2))
    await kasane.plenary.timekeeper.run_due()
    await kasane.settle()
    adopted = kasane.slack.channel_messages(CHANNEL)[-1]
    assert adopted.text == "Agenda adopted: 2 items kept, 1 excised."
    body = str(adopted.blocks)
    assert "blocked by Russian Federation, Belarus" in body
    assert "Adopt the report of the Working Group" in body


async def test_a_modified_proposal_is_linked_both_ways_and_supersedes_the_original(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/table-motion", "Exclude the Russian Federation", user=UKRAINE)
    await expect_ok(kasane, "/object", "1 Participation is a right", user=BELARUS)
    await expect_ok(kasane, "/meeting", "decide 1", user=CHAIR)
    await expect_ok(
        kasane,
        "/table-motion",
        "Suspend certification of Russian diamonds pending review amends: 1",
        user=UKRAINE,
    )
    cards = {
        m.text.split()[0]: str(m.blocks)
        for m in kasane.slack.channel_messages(CHANNEL)
        if " tabled by " in m.text
    }
    assert "modifies #1" in cards["#2"]
    assert "modified by #2" in cards["#1"]
    await expect_ok(kasane, "/meeting", "decide 2", user=CHAIR)
    cards = {
        m.text.split()[0]: str(m.blocks)
        for m in kasane.slack.channel_messages(CHANNEL)
        if " tabled by " in m.text
    }
    assert "superseded by #2" in cards["#1"]
    agenda = str((await kasane.command("/meeting", "agenda", user=MALI)).json["blocks"])
    assert "superseded by #2" in agenda
    assert "modifies #1" in agenda
    refused = await kasane.command("/table-motion", "Again amends: 2", user=UKRAINE)
    assert "only an open, blocked or rejected item can be modified" in refused.text


async def test_the_record_of_the_kasane_story_matches_the_golden_files(rig: Rig) -> None:
    await play(rig)
    reply = await rig.command("/meeting", "record", user="U0BW01", channel="C0KASANE")
    assert "being prepared" in reply.text
    uploads = {u["filename"].rsplit(".", 1)[1]: u for u in rig.slack.uploads}
    assert set(uploads) == {"md", "csv"}
    markdown = uploads["md"]["content"].decode()
    table = uploads["csv"]["content"].decode()
    assert markdown == (DATA / "kasane_record.md").read_text(encoding="utf-8")
    assert table == (DATA / "kasane_record.csv").read_text(encoding="utf-8")
    assert uploads["md"]["channel_id"] == "C0KASANE"
    refused = await rig.command("/meeting", "record", user="U0ML01", channel="C0KASANE")
    assert "Only the meeting's chairs" in refused.text
