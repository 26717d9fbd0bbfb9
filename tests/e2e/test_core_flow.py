"""The Kasane story through the real app: tabling, objections, announcements, decisions."""

from __future__ import annotations

import asyncio

from bot.commands.tokens import name_key
from bot.demo.rig import Rig
from bot.domain.model import Delegation
from tests.support.answers import expect_ok
from tests.support.cast import BELARUS, CHAIR, KPCSC, MALI, RUSSIA, UKRAINE, UKRAINE_ALT
from tests.support.state import (
    decisions_of,
    delegations_of,
    items_of,
    meeting_at,
    positions_of,
    read,
)

CHANNEL = "C0MEETING"


def channel_texts(rig: Rig) -> list[str]:
    return [m.text for m in rig.slack.channel_messages(CHANNEL)]


async def test_starting_a_meeting_makes_the_caller_chair_and_tells_the_channel(rig: Rig) -> None:
    text = await expect_ok(rig, "/meeting", "start KP Intersessional, Kasane", user=CHAIR)
    assert "you chair it" in text
    assert channel_texts(rig) == [f"Meeting started: KP Intersessional, Kasane. Chair: <@{CHAIR}>."]


async def test_tabling_replies_with_the_number_and_announces_sponsor_and_text(
    kasane: Rig,
) -> None:
    text = await expect_ok(kasane, "/table-motion", "Discuss Russian diamonds", user=KPCSC)
    assert "#1" in text
    assert "KP Civil Society Coalition" in text
    second = await expect_ok(kasane, "/table-motion", "Exclude Russia", user=UKRAINE)
    assert "#2" in second
    cards = [t for t in channel_texts(kasane) if "tabled by" in t]
    assert cards[0].startswith("#1 tabled by KP Civil Society Coalition")
    assert "Discuss Russian diamonds" in cards[0]
    assert cards[1].startswith("#2 tabled by Ukraine")


async def test_first_objection_announces_the_block_by_itself_naming_who_and_why(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/table-motion", "Discuss Russian diamonds", user=KPCSC)
    reply = await expect_ok(kasane, "/object", "#1 Outside the KP's mandate", user=RUSSIA)
    assert "now blocked" in reply
    blocked = [m for m in kasane.slack.channel_messages(CHANNEL) if "is blocked" in m.text]
    assert len(blocked) == 1
    assert blocked[0].text == "#1 is blocked by Russian Federation."
    body = str(blocked[0].blocks)
    assert "Outside the KP's mandate" in body


async def test_further_objections_edit_the_block_announcement_instead_of_posting(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/table-motion", "Discuss Russian diamonds", user=KPCSC)
    await expect_ok(kasane, "/object", "1 Outside the mandate", user=RUSSIA)
    posts_before = len(kasane.slack.calls_to("chat.postMessage"))
    await expect_ok(kasane, "/object", "1 Not for the KP", user=BELARUS)
    await expect_ok(kasane, "/object", "1", user=MALI)
    assert len(kasane.slack.calls_to("chat.postMessage")) == posts_before
    blocked = [m for m in kasane.slack.channel_messages(CHANNEL) if "is blocked" in m.text]
    assert [m.text for m in blocked] == ["#1 is blocked by Russian Federation, Belarus, Mali."]
    assert blocked[0].edits == 2


async def test_a_second_member_or_a_repeat_does_not_add_a_second_objector(kasane: Rig) -> None:
    await expect_ok(kasane, "/table-motion", "Exclude the Russian Federation", user=UKRAINE)
    await expect_ok(kasane, "/object", "1 Participation is a right", user=BELARUS)
    await expect_ok(kasane, "/table-motion", "Second item", user=UKRAINE)
    await expect_ok(kasane, "/object", "2 No", user=UKRAINE)
    repeat = await expect_ok(kasane, "/object", "2 No", user=UKRAINE_ALT)
    assert "already stands" in repeat
    await expect_ok(kasane, "/object", "#2", user=UKRAINE)
    second = (await items_of(kasane))[1]
    assert [(p.delegation, p.kind) for p in second.positions] == [("Ukraine", "objection")]
    blocked = [m.text for m in kasane.slack.channel_messages(CHANNEL) if "#2 is blocked" in m.text]
    assert blocked == ["#2 is blocked by Ukraine."]


async def test_withdrawing_the_last_objection_tells_the_channel_it_is_no_longer_blocked(
    kasane: Rig,
) -> None:
    await expect_ok(
        kasane, "/meeting", "delegation add Botswana participant <@U0CHAIR>", user=CHAIR
    )
    await expect_ok(kasane, "/table-motion", "Adopt the report", user=CHAIR)
    await expect_ok(kasane, "/object", "1 Not seen the annex", user=MALI)
    reply = await expect_ok(kasane, "/object", "withdraw 1", user=MALI)
    assert "no longer blocked" in reply
    texts = channel_texts(kasane)
    assert "#1 is no longer blocked: every objection has been withdrawn." in texts
    assert "#1 was provisionally blocked; every objection has been withdrawn." in texts


async def test_deciding_announces_blocked_and_excised_with_every_objector_and_reason(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/table-motion", "Discuss Russian diamonds", user=KPCSC)
    await expect_ok(kasane, "/object", "1 Outside the mandate", user=RUSSIA)
    await expect_ok(kasane, "/object", "1 Not for the KP", user=BELARUS)
    reply = await expect_ok(kasane, "/meeting", "decide 1", user=CHAIR)
    assert "blocked" in reply
    outcome = kasane.slack.channel_messages(CHANNEL)[-1]
    assert outcome.text == (
        "#1 blocked and excised from the agenda; objecting: Russian Federation, Belarus."
    )
    body = str(outcome.blocks)
    assert "Outside the mandate" in body
    assert "Not for the KP" in body
    assert "2 of 4 participant delegations" in body
    assert "KP Civil Society Coalition" not in outcome.text  # observers never block
    decisions = await decisions_of(kasane)
    assert [(d.outcome, d.rule.encode(), d.decided_by) for d in decisions] == [
        ("blocked", "consensus", CHAIR)
    ]


async def test_deciding_an_item_nobody_objects_to_announces_adoption_by_consensus(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/table-motion", "Adopt the agenda", user=UKRAINE)
    await expect_ok(kasane, "/meeting", "decide #1", user=CHAIR)
    assert channel_texts(kasane)[-1] == "#1 adopted by consensus: Adopt the agenda"
    card = next(m for m in kasane.slack.channel_messages(CHANNEL) if "tabled by" in m.text)
    assert "(adopted)" in card.text


async def test_the_agenda_lists_every_item_with_sponsor_status_and_objections(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/table-motion", "Discuss Russian diamonds", user=KPCSC)
    await expect_ok(kasane, "/table-motion", "Adopt the agenda", user=UKRAINE)
    await expect_ok(kasane, "/object", "1 no", user=MALI)
    await expect_ok(kasane, "/meeting", "decide 2", user=CHAIR)
    reply = await kasane.command("/meeting", "agenda", user=RUSSIA)
    assert reply.ephemeral
    blocks = str(reply.json["blocks"])
    assert "*#1* Discuss Russian diamonds" in blocks
    assert "_KP Civil Society Coalition_, open; objecting: Mali" in blocks
    assert "*#2* Adopt the agenda" in blocks
    assert "_Ukraine_, adopted" in blocks


async def test_delegations_lists_roles_and_members(kasane: Rig) -> None:
    reply = await kasane.command("/meeting", "delegations", user=MALI)
    blocks = str(reply.json["blocks"])
    assert "5 delegations, 4 participants, 1 observers" in blocks
    assert f"*Ukraine* (participant): <@{UKRAINE}>, <@{UKRAINE_ALT}>" in blocks
    assert f"*KP Civil Society Coalition* (observer): <@{KPCSC}>" in blocks


async def test_unicode_delegation_names_work_end_to_end(rig: Rig) -> None:
    await expect_ok(rig, "/meeting", "start Board", user=CHAIR)
    await expect_ok(rig, "/meeting", "delegation add Côte d'Ivoire participant <@U0CI>", user=CHAIR)
    await expect_ok(rig, "/meeting", "delegation add Türkiye participant <@U0TR>", user=CHAIR)
    await expect_ok(rig, "/table-motion", "Adopt the budget", user="U0TR")
    await expect_ok(rig, "/object", "1 Pas encore", user="U0CI")
    assert "#1 is blocked by Côte d'Ivoire." in channel_texts(rig)
    await expect_ok(rig, "/meeting", "delegation remove CÔTE D'IVOIRE", user=CHAIR)
    assert "#1 is no longer blocked: every objection has been withdrawn." in channel_texts(rig)


async def mali(rig: Rig) -> Delegation | None:
    """Mali's delegation, found by name even while it is removed."""
    meeting = await meeting_at(rig)
    assert meeting is not None
    return await read(rig, lambda uow: uow.meetings.delegation_named(meeting.id, name_key("Mali")))


async def test_a_delegation_registered_again_after_removal_keeps_its_items_and_history(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/table-motion", "Adopt the agenda", user=MALI)
    await expect_ok(kasane, "/table-motion", "Exclude Russia", user=UKRAINE)
    await expect_ok(kasane, "/object", "2 Not now", user=MALI)
    await expect_ok(kasane, "/meeting", "present", user=MALI)
    before = await mali(kasane)
    assert before is not None
    await expect_ok(kasane, "/meeting", "delegation remove Mali", user=CHAIR)
    refused = await kasane.command("/meeting", "withdraw 1", user=UKRAINE)
    assert refused.text.startswith(
        "Only a chair can withdraw #1: Mali, which tabled it, is no longer registered."
    )

    reply = await expect_ok(
        kasane, "/meeting", "delegation add MALI observer <@U0MLNEW> <@U0MLALT>", user=CHAIR
    )
    assert reply == (
        "Registered *Mali* again as observer; its items and positions on record are its own"
        " again. Added <@U0MLNEW>, <@U0MLALT>."
    )
    again = await mali(kasane)
    assert again is not None
    assert (again.id, again.name, again.role) == (before.id, "Mali", "observer")
    assert again in await delegations_of(kasane)  # registered, no longer removed
    listed = await kasane.command("/meeting", "delegations", user=CHAIR)
    lines = str(listed.json["blocks"][1]["text"]["text"]).splitlines()
    assert [line for line in lines if "Mali" in line] == [
        "• *Mali* (observer): <@U0MLALT>, <@U0MLNEW>"  # members added together: by id
    ]
    # It comes back as registered now: new members, new role, and absent until it says so
    # (that its attendance itself is cleared, the contract suite's delegation tests show).
    meeting_id = again.meeting_id
    assert await read(kasane, lambda uow: uow.meetings.count_present(meeting_id)) == 0
    gone = await kasane.command("/meeting", "withdraw 1", user=MALI)
    assert "Only Mali, which tabled #1, or a chair can withdraw it." in gone.text

    await expect_ok(kasane, "/meeting", "withdraw 1", user="U0MLNEW")
    await kasane.settle()
    assert channel_texts(kasane)[-1] == (
        "#1 was withdrawn by its sponsor, Mali; it leaves the agenda."
    )
    # Its objection lapsed at the removal and stays on record as such, under its one name.
    assert [
        (p.delegation, p.kind, p.statement, p.end_reason) for p in await positions_of(kasane)
    ] == [("Mali", "objection", "Not now", "lapsed")]


async def test_concurrent_objections_from_many_delegations_are_each_stored_once(
    rig: Rig,
) -> None:
    await expect_ok(rig, "/meeting", "start Burst", user=CHAIR)
    users = [f"U0P{i:03d}" for i in range(40)]
    for i, user in enumerate(users):
        await expect_ok(
            rig, "/meeting", f"delegation add Country {i} participant <@{user}>", user=CHAIR
        )
    await expect_ok(rig, "/table-motion", "Contested", user=users[0])
    requests = [
        rig.send(rig.signer.slash_command("/object", f"1 reason {i}", user_id=u))
        for i, u in enumerate(users)
    ] + [rig.send(rig.signer.slash_command("/object", "1 again", user_id=u)) for u in users[:10]]
    replies = await asyncio.gather(*requests)
    assert all(r.status == 200 for r in replies)
    await rig.settle()
    [contested] = await items_of(rig)
    standing = sorted((p.delegation, p.kind) for p in contested.positions)
    assert standing == sorted((f"Country {i}", "objection") for i in range(40))
    blocked = [m for m in rig.slack.channel_messages(CHANNEL) if "#1 is blocked" in m.text]
    assert len(blocked) == 1
    assert blocked[0].text.count("Country") == 40


async def test_a_command_whose_text_says_payload_is_still_handled(kasane: Rig) -> None:
    # slack_bolt reads any form body containing "payload" as an interactivity payload.
    reply = await expect_ok(
        kasane, "/table-motion", "Limit the payload of export permits", user=UKRAINE
    )
    assert "Tabled as *#1*" in reply
