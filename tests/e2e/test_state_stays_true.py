"""What the channel says about an item stays true when what decides it changes: the rule,
the delegations, the quorum, and a rival modification adopted first (issue 11, items 3-5)."""

from __future__ import annotations

from datetime import timedelta

from bot.demo.rig import Rig
from tests.support.answers import expect_ok
from tests.support.cast import BELARUS, CHAIR, MALI, RUSSIA, UKRAINE
from tests.support.state import statuses

CHANNEL = "C0MEETING"


def texts(rig: Rig) -> list[str]:
    return [m.text for m in rig.slack.channel_messages(CHANNEL)]


def said(rig: Rig) -> list[str]:
    """Every text the bot sent to the channel, posts and edits alike, in order."""
    return [
        str(call.params.get("text"))
        for call in rig.slack.calls
        if call.method in ("chat.postMessage", "chat.update")
    ]


def card(rig: Rig, number: int) -> str:
    found = [
        m for m in rig.slack.channel_messages(CHANNEL) if m.text.startswith(f"#{number} tabled by")
    ]
    assert len(found) == 1
    return found[0].text + str(found[0].blocks)


async def test_registering_or_removing_delegations_announces_when_an_item_starts_or_stops_being_blocked(  # noqa: E501
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/meeting", "set rule blocking-minority 1/3", user=CHAIR)
    await expect_ok(kasane, "/table-motion", "Exclude the Russian Federation", user=UKRAINE)
    await expect_ok(kasane, "/object", "1 Participation is a right", user=BELARUS)
    assert not any("is blocked" in t for t in said(kasane))  # 1 of 4 does not block
    # Two participants fewer: one objection of two is more than a third.
    await expect_ok(kasane, "/meeting", "delegation remove Mali", user=CHAIR)
    assert not any("is blocked" in t for t in said(kasane))  # 1 of 3 is exactly a third
    await expect_ok(kasane, "/meeting", "delegation remove Russian Federation", user=CHAIR)
    assert texts(kasane)[-1] == "#1 is blocked by Belarus."
    assert "provisionally blocked by 1" in card(kasane, 1)
    # One more participant: one of three no longer blocks, and the channel is told.
    await expect_ok(kasane, "/meeting", "delegation add Chile participant <@U0CL>", user=CHAIR)
    assert texts(kasane)[-1] == (
        "#1 is no longer blocked: 1 objection standing, not blocking under the"
        " blocking-minority rule of 1/3."
    )
    assert "#1 was provisionally blocked; 1 objection standing, not blocking" in texts(kasane)[-2]
    assert "not blocking under the blocking-minority rule of 1/3" in card(kasane, 1)
    reply = await expect_ok(kasane, "/meeting", "decide 1", user=CHAIR)
    assert reply.startswith("#1 is decided: *adopted*.")
    assert texts(kasane)[-1].startswith("#1 adopted by the blocking-minority rule of 1/3")
    assert not any("was blocked by" in t for t in said(kasane))
    assert not any("is blocked" in t for t in texts(kasane))


async def test_an_outcome_never_edits_an_old_block_notice_into_was_blocked_when_adopted(
    kasane: Rig,
) -> None:
    # The block is announced; its lifting and the decision both land before the announcer
    # runs again: the block notice is next rendered when the item is already adopted. (Had
    # the block itself not been posted yet, it would never be: see test_flapping.py.)
    await expect_ok(kasane, "/table-motion", "Adopt the report", user=UKRAINE)
    await expect_ok(kasane, "/object", "1 Not yet", user=MALI)
    assert "#1 is blocked by Mali." in texts(kasane)
    await kasane.send(
        kasane.signer.slash_command("/meeting", "set rule consensus-minus 1", user_id=CHAIR)
    )
    await kasane.send(kasane.signer.slash_command("/meeting", "decide 1", user_id=CHAIR))
    await kasane.settle()
    assert await statuses(kasane) == {1: "adopted"}
    assert not any("was blocked by" in t for t in said(kasane))
    assert "#1 is no longer blocked and was adopted." in texts(kasane)
    assert not any(t.startswith("#1 is no longer blocked:") for t in texts(kasane))


async def test_an_inquorate_agenda_adoption_says_so_with_the_numbers_and_keeps_or_excises_nothing(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/meeting", "set quorum 2", user=CHAIR)
    await expect_ok(kasane, "/meeting", "present", user=MALI)
    await expect_ok(kasane, "/table-motion", "Adopt the report", user=UKRAINE)
    await expect_ok(kasane, "/table-motion", "Discuss Russian diamonds", user=UKRAINE)
    await expect_ok(kasane, "/meeting", "agenda propose deadline: in 1h", user=CHAIR)
    await expect_ok(kasane, "/object", "2 Outside the mandate", user=RUSSIA)
    kasane.clock.advance(timedelta(hours=1))
    await kasane.plenary.timekeeper.run_due()
    await kasane.settle()
    notice = kasane.slack.channel_messages(CHANNEL)[-1]
    assert notice.text == (
        "The agenda was not adopted: no quorum (1 of the 2 participant delegations required"
        " is present). Nothing was kept or excised; 2 items stay open, undecided."
    )
    body = str(notice.blocks)
    assert "The quorum is 2 participant delegations and 1 is present" in body
    assert "#2* Discuss Russian diamonds — provisionally blocked by Russian Federation" in body
    assert "Adopted agenda" not in body
    assert "Excised" not in body
    assert await statuses(kasane) == {1: "open", 2: "open"}
    assert not any(t.startswith("Agenda adopted") for t in said(kasane))
    # Nothing is left circulating: the chair can propose it again once the quorum is there.
    await expect_ok(kasane, "/meeting", "present", user=BELARUS)
    reply = await expect_ok(kasane, "/meeting", "agenda propose deadline: in 1h", user=CHAIR)
    assert "2 items" in reply


async def test_agenda_adoption_counts_only_what_it_kept_or_excised_at_its_deadline(
    kasane: Rig,
) -> None:
    for text in ("Adopt the report", "Discuss Russian diamonds", "Review the definition"):
        await expect_ok(kasane, "/table-motion", text, user=UKRAINE)
    await expect_ok(kasane, "/meeting", "agenda propose deadline: in 1h", user=CHAIR)
    await expect_ok(kasane, "/object", "2 Outside the mandate", user=RUSSIA)
    await expect_ok(kasane, "/meeting", "decide 3", user=CHAIR)
    kasane.clock.advance(timedelta(hours=1))
    await kasane.plenary.timekeeper.run_due()
    await kasane.settle()
    adopted = kasane.slack.channel_messages(CHANNEL)[-1]
    assert adopted.text == "Agenda adopted: 1 items kept, 1 excised."
    assert "Decided or withdrawn before adoption" in str(adopted.blocks)
    assert "Review the definition (adopted)" in str(adopted.blocks)
    # Deciding a kept item afterwards does not rewrite what the adoption did.
    await expect_ok(kasane, "/meeting", "decide 1", user=CHAIR)
    assert [t for t in said(kasane) if t.startswith("Agenda adopted")] == [adopted.text]


async def test_an_original_replaced_by_an_adopted_modification_is_called_superseded_everywhere(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/table-motion", "Exclude the Russian Federation", user=UKRAINE)
    await expect_ok(kasane, "/table-motion", "Suspend certification amends: 1", user=UKRAINE)
    await expect_ok(kasane, "/table-motion", "Review in a year amends: 1", user=BELARUS)
    await expect_ok(kasane, "/object", "1 Participation is a right", user=BELARUS)
    await expect_ok(kasane, "/meeting", "decide 2", user=CHAIR)
    assert await statuses(kasane) == {1: "superseded", 2: "adopted", 3: "open"}
    outcome = next(m for m in kasane.slack.channel_messages(CHANNEL) if "#2 adopted" in m.text)
    assert "It supersedes #1." in str(outcome.blocks)
    assert "superseded by #2" in card(kasane, 1)
    assert "Status: *superseded*" in card(kasane, 1)
    assert "#1 was superseded by #2 and left the agenda." in texts(kasane)
    assert "modifies #1, which #2 already superseded" in card(kasane, 3)
    agenda = str((await kasane.command("/meeting", "agenda", user=MALI)).json["blocks"])
    assert "Exclude the Russian Federation — _Ukraine_, superseded · superseded by #2" in agenda
    whatif = await kasane.command("/meeting", "whatif 1", user=MALI)
    assert whatif.text.startswith("#1 was superseded by #2, its modified version")
    await expect_ok(kasane, "/meeting", "record", user=CHAIR)
    record = next(
        u["content"].decode() for u in kasane.slack.uploads if u["filename"][-3:] == ".md"
    )
    assert "- Status: superseded" in record
    assert "Superseded by #2 " in record
    assert not any("#1" in t and "withdrawn" in t for t in said(kasane))


async def test_deciding_a_modification_of_a_superseded_item_asks_the_chair_to_confirm(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/table-motion", "Exclude the Russian Federation", user=UKRAINE)
    await expect_ok(kasane, "/table-motion", "Suspend certification amends: 1", user=UKRAINE)
    await expect_ok(kasane, "/table-motion", "Review in a year amends: 1", user=BELARUS)
    await expect_ok(kasane, "/meeting", "decide 2", user=CHAIR)
    before = len(said(kasane))
    refused = await kasane.command("/meeting", "decide 3", user=CHAIR)
    assert refused.text.startswith(
        "#3 modifies #1, which is already superseded: its modified version #2 was adopted."
    )
    assert "`/meeting decide 3 confirm`" in refused.text
    assert (await statuses(kasane))[3] == "open"
    assert len(said(kasane)) == before  # a refusal tells the channel nothing
    unasked = await kasane.command("/meeting", "decide 2 confirm", user=CHAIR)
    assert "already decided" in unasked.text
    reply = await expect_ok(kasane, "/meeting", "decide 3 confirm", user=CHAIR)
    assert reply.startswith("#3 is decided: *adopted*.")
    assert await statuses(kasane) == {1: "superseded", 2: "adopted", 3: "adopted"}


async def test_at_its_deadline_a_modification_of_a_superseded_item_waits_for_the_chair(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/table-motion", "Exclude the Russian Federation", user=UKRAINE)
    await expect_ok(kasane, "/table-motion", "Suspend certification amends: 1", user=UKRAINE)
    await expect_ok(
        kasane, "/table-motion", "Review in a year amends: 1 deadline: in 1h", user=BELARUS
    )
    await expect_ok(kasane, "/meeting", "decide 2", user=CHAIR)
    kasane.clock.advance(timedelta(hours=1))
    await kasane.plenary.timekeeper.run_due()
    await kasane.settle()
    assert (await statuses(kasane))[3] == "open"
    notice = kasane.slack.channel_messages(CHANNEL)[-1]
    assert notice.text == (
        "The deadline of #3 passed without a decision; it stays open: the item it modifies,"
        " #1, is already superseded."
    )
    assert "`/meeting decide 3 confirm`" in str(notice.blocks)
