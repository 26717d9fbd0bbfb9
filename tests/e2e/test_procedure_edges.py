"""Edges found in review: agenda adoption is its own question, wording follows the rule,
superseded originals close, the record cannot be forged, nothing is uploaded twice."""

from __future__ import annotations

from datetime import timedelta

from bot.commands.payloads import Form
from bot.demo.rig import Rig
from tests.support.answers import expect_ok
from tests.support.cast import BELARUS, CHAIR, KPCSC, MALI, RUSSIA, UKRAINE
from tests.support.state import statuses

CHANNEL = "C0MEETING"


def texts(rig: Rig) -> list[str]:
    return [m.text for m in rig.slack.channel_messages(CHANNEL)]


async def test_adopting_the_agenda_keeps_unopposed_motions_open_instead_of_adopting_them(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/table-motion", "Exclude the Russian Federation", user=UKRAINE)
    await expect_ok(kasane, "/table-motion", "Discuss Russian diamonds", user=KPCSC)
    await expect_ok(kasane, "/meeting", "agenda propose deadline: in 1h", user=CHAIR)
    assert "agenda:1" in kasane.plenary.planner.job_ids()
    await expect_ok(kasane, "/object", "2 Outside the mandate", user=RUSSIA)
    kasane.clock.advance(timedelta(hours=1))
    await kasane.plenary.timekeeper.run_due()
    await kasane.settle()
    assert await statuses(kasane) == {1: "open", 2: "blocked"}
    assert texts(kasane)[-1] == "Agenda adopted: 1 items kept, 1 excised."
    assert not any(t.startswith("#1 adopted") for t in texts(kasane))


async def test_a_circulating_agenda_is_planned_again_after_a_restart(kasane: Rig) -> None:
    await expect_ok(kasane, "/table-motion", "Adopt the report", user=UKRAINE)
    await expect_ok(kasane, "/meeting", "agenda propose deadline: in 1h", user=CHAIR)
    await expect_ok(kasane, "/meeting", "decide 1", user=CHAIR)
    await kasane.restart()
    await kasane.plenary.timekeeper.plan_all()
    assert "agenda:1" in kasane.plenary.planner.job_ids()


async def test_under_consensus_minus_one_a_single_objection_is_not_called_a_block(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/meeting", "set rule consensus-minus 1", user=CHAIR)
    await expect_ok(kasane, "/table-motion", "Adopt the report", user=UKRAINE)
    await expect_ok(kasane, "/object", "1 Not yet", user=MALI)
    assert not any("is blocked" in t for t in texts(kasane))
    card = next(m for m in kasane.slack.channel_messages(CHANNEL) if " tabled by " in m.text)
    assert "1 objection standing, not blocking under consensus minus 1" in card.text
    await expect_ok(kasane, "/object", "1 Nor we", user=BELARUS)
    assert "#1 is blocked by Mali, Belarus." in texts(kasane)
    reply = await expect_ok(kasane, "/object", "withdraw 1", user=BELARUS)
    assert "no longer blocked" in reply
    assert texts(kasane)[-1] == (
        "#1 is no longer blocked: 1 objection standing, not blocking under consensus minus 1."
    )


async def test_changing_the_rule_announces_items_that_stop_or_start_being_blocked(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/table-motion", "Adopt the report", user=UKRAINE)
    await expect_ok(kasane, "/object", "1 No", user=BELARUS)
    assert "#1 is blocked by Belarus." in texts(kasane)
    await expect_ok(kasane, "/meeting", "set rule blocking-minority 1/3", user=CHAIR)
    assert texts(kasane)[-1].startswith("#1 is no longer blocked: 1 objection standing")
    await expect_ok(kasane, "/meeting", "set rule consensus", user=CHAIR)
    assert texts(kasane)[-1] == "#1 is blocked by Belarus."


async def test_outcomes_keep_delegation_names_as_written(kasane: Rig) -> None:
    await expect_ok(kasane, "/table-motion", "Adopt the report", user=KPCSC)
    await expect_ok(kasane, "/meeting", "decide 1", user=CHAIR)
    assert "Tabled by *KP Civil Society Coalition*" in str(
        kasane.slack.channel_messages(CHANNEL)[-1].blocks
    )


async def test_a_new_reason_for_a_standing_objection_is_acknowledged_as_an_update(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/table-motion", "Adopt the report", user=UKRAINE)
    await expect_ok(kasane, "/object", "1 First reason", user=MALI)
    reply = await expect_ok(kasane, "/object", "1 Better reason", user=MALI)
    assert reply == "Updated Mali's objection to #1: the new wording is on record."


async def test_adopting_a_modified_proposal_closes_the_original_as_superseded(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/table-motion", "Exclude Russia", user=UKRAINE)
    await expect_ok(kasane, "/table-motion", "Suspend certification amends: 1", user=UKRAINE)
    await expect_ok(kasane, "/meeting", "decide 2", user=CHAIR)
    assert await statuses(kasane) == {1: "superseded", 2: "adopted"}
    refused = await kasane.command("/meeting", "decide 1", user=CHAIR)
    assert refused.text.startswith(
        "#1 was superseded by #2, its modified version, and left the agenda"
    )


async def test_the_record_cannot_be_forged_by_a_reason_or_run_a_spreadsheet_formula(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/table-motion", '=HYPERLINK("http://x")', user=UKRAINE)
    forged = "ok\n\n## #9 Forged\n\nDecision, 2026-01-01: adopted"
    await kasane.submit(
        Form.OBJECTION,
        {"reason": {"type": "plain_text_input", "value": forged}},
        user=MALI,
        private_metadata="i1:1:1",
    )
    await expect_ok(kasane, "/meeting", "delegation remove Mali", user=CHAIR)
    await expect_ok(kasane, "/meeting", "record", user=CHAIR)
    uploads = {u["filename"].rsplit(".", 1)[1]: u["content"].decode() for u in kasane.slack.uploads}
    assert "\n## #9" not in uploads["md"]
    assert "ok ## #9 Forged Decision, 2026-01-01: adopted" in uploads["md"]
    assert "lapsed when the delegation was removed" in uploads["md"]
    assert "\"'=HYPERLINK" in uploads["csv"]
    assert ",=HYPERLINK" not in uploads["csv"]


async def test_a_record_upload_whose_connection_dropped_is_not_uploaded_twice(
    kasane: Rig,
) -> None:
    kasane.slack.drop_next("files.completeUploadExternal", after_accepting=True)
    await expect_ok(kasane, "/meeting", "record", user=CHAIR)
    kasane.clock.advance(timedelta(minutes=10))
    await kasane.settle()
    assert len(kasane.slack.uploads) == 2  # the Markdown and the CSV, once


async def test_the_bot_joins_the_meeting_channel_when_it_starts(rig: Rig) -> None:
    await expect_ok(rig, "/meeting", "start Board", user=CHAIR)
    assert CHANNEL in rig.slack.joined


async def test_a_new_chair_sees_the_decide_buttons_on_their_home_tab(kasane: Rig) -> None:
    await expect_ok(kasane, "/table-motion", "Adopt the report", user=UKRAINE)
    event = {"type": "app_home_opened", "user": MALI, "channel": "D0", "tab": "home"}
    await kasane.send(kasane.signer.event(event))
    await kasane.settle()
    assert "Decide now" not in str(kasane.slack.views_published[MALI])
    await expect_ok(kasane, "/meeting", f"chair add <@{MALI}>", user=CHAIR)
    assert "Decide now" in str(kasane.slack.views_published[MALI])
