"""Buttons, forms and the Home tab go through the same services and rules as the commands."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.commands.payloads import Action, Form, ItemRef, MeetingRef
from bot.demo.rig import Reply, Rig
from bot.demo.signing import FORM
from tests.support.answers import expect_ok
from tests.support.cast import BELARUS, CHAIR, KPCSC, MALI, OUTSIDER, RUSSIA, UKRAINE
from tests.support.state import delegations_of, items_of, positions_of, snapshot

CHANNEL = "C0MEETING"


def card(rig: Rig, number: int) -> dict[str, Any]:
    for message in rig.slack.channel_messages(CHANNEL):
        if message.text.startswith(f"#{number} tabled by"):
            return {"text": message.text, "blocks": message.blocks, "ts": message.ts}
    raise AssertionError(f"no card for #{number}")


def button_value(rig: Rig, number: int, action: Action) -> str:
    for block in card(rig, number)["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action:
                return str(element["value"])
    raise AssertionError(f"no {action} button on #{number}")


async def press(rig: Rig, user: str, action: Action, value: str, **kwargs: Any) -> Reply:
    key = f"{user}-{action}"
    rig.slack.responses.pop(key, None)
    reply = await rig.send(
        rig.signer.block_action(
            user_id=user, action_id=action, value=value, response_key=key, **kwargs
        )
    )
    await rig.settle()
    return reply


def answered(rig: Rig, user: str, action: Action) -> str:
    """What the presser was told privately through the response_url."""
    posts = rig.slack.responses.get(f"{user}-{action}", [])
    assert posts, "nothing was answered"
    assert all(p.get("response_type") == "ephemeral" for p in posts)
    return " ".join(str(p.get("text", "")) for p in posts)


@pytest.fixture
async def tabled(kasane: Rig) -> Rig:
    await expect_ok(kasane, "/table-motion", "Discuss Russian diamonds", user=KPCSC)
    return kasane


async def test_an_item_card_carries_four_buttons_with_packed_checked_values(tabled: Rig) -> None:
    value = button_value(tabled, 1, Action.OBJECT)
    assert ItemRef.unpack(value).item_id == 1
    for action in (Action.WITHDRAW_OBJECTION, Action.COSPONSOR, Action.STATE_POSITION):
        assert button_value(tabled, 1, action) == value


async def test_object_button_asks_for_the_reason_and_the_form_records_the_objection(
    tabled: Rig,
) -> None:
    value = button_value(tabled, 1, Action.OBJECT)
    reply = await press(tabled, RUSSIA, Action.OBJECT, value)
    assert reply.status == 200
    opened = tabled.slack.views_opened[-1]
    assert opened["callback_id"] == Form.OBJECTION
    metadata = opened["private_metadata"]
    result = await tabled.submit(
        Form.OBJECTION,
        {"reason": {"type": "plain_text_input", "value": "Outside the mandate"}},
        user=RUSSIA,
        private_metadata=metadata,
    )
    assert result.status == 200
    assert result.raw == ""
    assert "#1 is blocked by Russian Federation." in [
        m.text for m in tabled.slack.channel_messages(CHANNEL)
    ]
    assert "Outside the mandate" in str(card(tabled, 1)["blocks"])


async def test_an_observer_pressing_object_is_told_privately_and_nothing_changes(
    tabled: Rig,
) -> None:
    before = await snapshot(tabled)
    opened = len(tabled.slack.views_opened)
    await press(tabled, KPCSC, Action.OBJECT, button_value(tabled, 1, Action.OBJECT))
    assert "observers cannot block" in answered(tabled, KPCSC, Action.OBJECT)
    assert len(tabled.slack.views_opened) == opened
    assert await snapshot(tabled) == before


async def test_the_objection_form_refuses_an_observer_on_the_field(tabled: Rig) -> None:
    metadata = ItemRef(1, 1).pack()
    reply = await tabled.submit(
        Form.OBJECTION, {"reason": {"value": "x"}}, user=KPCSC, private_metadata=metadata
    )
    assert reply.json["response_action"] == "errors"
    assert "observers cannot block" in reply.json["errors"]["reason"]


async def test_withdraw_button_answers_whoever_cannot_use_it_and_withdraws_for_who_can(
    tabled: Rig,
) -> None:
    value = button_value(tabled, 1, Action.WITHDRAW_OBJECTION)
    await press(tabled, MALI, Action.WITHDRAW_OBJECTION, value)
    assert "Mali has no position on #1" in answered(tabled, MALI, Action.WITHDRAW_OBJECTION)
    await expect_ok(tabled, "/object", "1 no", user=MALI)
    await press(tabled, MALI, Action.WITHDRAW_OBJECTION, value)
    assert "The item is no longer blocked" in answered(tabled, MALI, Action.WITHDRAW_OBJECTION)
    assert [item.positions for item in await items_of(tabled)] == [()]


async def test_cosponsor_button_adds_a_cosponsor_to_the_card_but_not_the_sponsor(
    tabled: Rig,
) -> None:
    value = button_value(tabled, 1, Action.COSPONSOR)
    await press(tabled, UKRAINE, Action.COSPONSOR, value)
    assert "Recorded Ukraine's co-sponsorship of #1" in answered(tabled, UKRAINE, Action.COSPONSOR)
    assert "co-sponsored by *Ukraine*" in str(card(tabled, 1)["blocks"])
    await press(tabled, KPCSC, Action.COSPONSOR, value)
    assert "sponsor cannot co-sponsor" in answered(tabled, KPCSC, Action.COSPONSOR)


async def test_reservation_form_checks_its_fields_then_puts_the_statement_on_record(
    tabled: Rig,
) -> None:
    value = button_value(tabled, 1, Action.STATE_POSITION)
    await press(tabled, KPCSC, Action.STATE_POSITION, value)  # observers may state positions
    form = tabled.slack.views_opened[-1]
    assert form["callback_id"] == Form.POSITION
    empty = await tabled.submit(
        Form.POSITION,
        {"statement": {"value": "x"}},
        user=KPCSC,
        private_metadata=form["private_metadata"],
    )
    assert empty.json == {"response_action": "errors", "errors": {"kind": "Choose a position."}}
    ok = await tabled.submit(
        Form.POSITION,
        {
            "kind": {"type": "radio_buttons", "selected_option": {"value": "stand-aside"}},
            "statement": {"value": "We take no part"},
        },
        user=KPCSC,
        private_metadata=form["private_metadata"],
    )
    assert ok.raw == ""
    blocks = str(card(tabled, 1)["blocks"])
    assert "*On record*" in blocks
    assert "*KP Civil Society Coalition* (stands aside): We take no part" in blocks
    await expect_ok(tabled, "/meeting", "decide 1", user=CHAIR)
    outcome = tabled.slack.channel_messages(CHANNEL)[-1]
    assert "We take no part" in str(outcome.blocks)


async def test_a_new_position_replaces_the_old_and_the_record_keeps_both(tabled: Rig) -> None:
    await expect_ok(tabled, "/object", "1 Not yet", user=BELARUS)
    reply = await expect_ok(tabled, "/object", "1 reservation: We can live with it", user=BELARUS)
    assert "replaces the objection" in reply
    assert [(p.kind, p.ended_at is None) for p in await positions_of(tabled)] == [
        ("objection", False),
        ("reservation", True),
    ]
    assert "#1 is no longer blocked: every objection has been withdrawn." in [
        m.text for m in tabled.slack.channel_messages(CHANNEL)
    ]


@pytest.mark.parametrize(
    ("value", "kwargs"),
    [
        ("i1:1:999", {}),  # no such item
        ("i1:999:1", {}),  # no such meeting
        ("garbage", {}),
        ("i1:1:1" + "0" * 2000, {}),
        ("i1:1:1", {"channel_id": "C0ELSEWHERE"}),  # pressed in another channel
        ("i1:1:1", {"team_id": "T0OTHER"}),  # a user of another workspace
    ],
)
async def test_a_forged_or_stale_button_value_gets_a_private_answer_and_changes_nothing(
    tabled: Rig, value: str, kwargs: dict[str, str]
) -> None:
    before = await snapshot(tabled)
    for action in (Action.OBJECT, Action.WITHDRAW_OBJECTION, Action.COSPONSOR, Action.DECIDE):
        reply = await press(
            tabled, RUSSIA if action != Action.DECIDE else CHAIR, action, value, **kwargs
        )
        assert reply.status == 200
        who = RUSSIA if action != Action.DECIDE else CHAIR
        assert "no longer matches" in answered(tabled, who, action)
    assert await snapshot(tabled) == before


async def test_a_forged_form_metadata_is_refused_on_the_form(tabled: Rig) -> None:
    reply = await tabled.submit(
        Form.OBJECTION, {"reason": {"value": "x"}}, user=RUSSIA, private_metadata="i1:9:9"
    )
    assert reply.json["response_action"] == "errors"
    assert "no longer matches" in reply.json["errors"]["reason"]


async def test_table_motion_without_text_opens_the_tabling_form(tabled: Rig) -> None:
    await expect_ok(tabled, "/meeting", "session add 2026-11-03 09:00 Plenary II", user=CHAIR)
    reply = await tabled.command("/table-motion", "", user=UKRAINE)
    assert reply.status == 200
    view = tabled.slack.views_opened[-1]
    assert view["callback_id"] == Form.TABLING
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert {"title", "text", "deadline_date", "deadline_time", "cosponsors", "session"} <= set(
        blocks
    )
    names = [o["text"]["text"] for o in blocks["cosponsors"]["element"]["options"]]
    assert "Ukraine" not in names
    assert "European Union" not in names
    assert "Russian Federation" in names


async def test_the_tabling_form_shows_mistakes_on_its_fields(tabled: Rig) -> None:
    metadata = MeetingRef(1).pack()
    missing = await tabled.submit(
        Form.TABLING, {"title": {"value": ""}}, user=UKRAINE, private_metadata=metadata
    )
    assert set(missing.json["errors"]) == {"title", "text"}
    half = await tabled.submit(
        Form.TABLING,
        {
            "title": {"value": "T"},
            "text": {"value": "x"},
            "deadline_date": {"selected_date": "2026-11-04"},
        },
        user=UKRAINE,
        private_metadata=metadata,
    )
    assert set(half.json["errors"]) == {"deadline_time"}
    past = await tabled.submit(
        Form.TABLING,
        {
            "title": {"value": "T"},
            "text": {"value": "x"},
            "deadline_date": {"selected_date": "2026-10-01"},
            "deadline_time": {"selected_time": "09:00"},
        },
        user=UKRAINE,
        private_metadata=metadata,
    )
    assert "already passed" in past.json["errors"]["deadline_date"]
    assert len(await items_of(tabled)) == 1


async def test_the_tabling_form_tables_with_title_cosponsors_deadline_and_session(
    tabled: Rig,
) -> None:
    await expect_ok(tabled, "/meeting", "session add 2026-11-03 09:00 Plenary II", user=CHAIR)
    ids = {d.name: d.id for d in await delegations_of(tabled)}
    reply = await tabled.submit(
        Form.TABLING,
        {
            "title": {"value": "Exclude the Russian Federation"},
            "text": {"value": "The meeting excludes the Russian Federation."},
            "deadline_date": {"selected_date": "2026-11-04"},
            "deadline_time": {"selected_time": "17:00"},
            "cosponsors": {"selected_options": [{"value": str(ids["Mali"])}]},
            "session": {"selected_option": {"value": "1"}},
        },
        user=UKRAINE,
        private_metadata=MeetingRef(1).pack(),
    )
    assert reply.raw == ""
    second = (await items_of(tabled))[1]
    assert (second.number, second.title, second.deadline, second.session_id) == (
        2,
        "Exclude the Russian Federation",
        datetime(2026, 11, 4, 17, 0, tzinfo=UTC),
        1,
    )
    blocks = str(card(tabled, 2)["blocks"])
    assert "#2 Exclude the Russian Federation" in blocks
    assert "co-sponsored by *Mali*" in blocks


async def test_cosponsors_can_be_named_when_tabling_by_command(kasane: Rig) -> None:
    await expect_ok(
        kasane, "/table-motion", "Exclude Russia cosponsors: mali, Belarus", user=UKRAINE
    )
    assert "co-sponsored by *Mali*, *Belarus*" in str(card(kasane, 1)["blocks"])


@pytest.mark.parametrize(
    ("name", "listed"),
    [
        ("Beta", "Beta, beta"),
        ("Côte d'Ivoire", "côte d'ivoire, CÔTE D'IVOIRE"),
        ("Côte d'Ivoire", "Côte d'Ivoire, Co\u0302te d'Ivoire,  côte  d'ivoire "),
    ],
)
async def test_a_repeated_cosponsor_in_any_case_or_accent_is_counted_once(
    kasane: Rig, caplog: pytest.LogCaptureFixture, name: str, listed: str
) -> None:
    await expect_ok(kasane, "/meeting", f"delegation add {name} participant <@U0NEW>", user=CHAIR)
    reply = await expect_ok(kasane, "/table-motion", f"Text cosponsors: {listed}", user=UKRAINE)
    assert "Tabled as *#1*" in reply
    await kasane.settle()
    assert f"co-sponsored by *{name}* · Status" in str(card(kasane, 1)["blocks"])
    assert [(p.delegation, p.kind) for p in await positions_of(kasane)] == [(name, "support")]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_the_tabling_form_offers_each_cosponsor_once_and_counts_each_once(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/meeting", "delegation remove Mali", user=CHAIR)
    await expect_ok(kasane, "/meeting", f"delegation add MALI participant <@{MALI}>", user=CHAIR)
    await kasane.command("/table-motion", "", user=UKRAINE)
    opened = [c for c in kasane.slack.calls if c.method == "views.open"][-1]
    blocks = {b.get("block_id"): b for b in opened.params["view"]["blocks"]}
    offered = [o["text"]["text"] for o in blocks["cosponsors"]["element"]["options"]]
    assert sorted(offered) == sorted(
        ["Belarus", "KP Civil Society Coalition", "Mali", "Russian Federation"]
    )
    mali = str(next(d.id for d in await delegations_of(kasane) if d.name == "Mali"))
    reply = await kasane.submit(
        Form.TABLING,
        {
            "title": {"value": "T"},
            "text": {"value": "x"},
            "cosponsors": {"selected_options": [{"value": mali}, {"value": mali}]},
        },
        user=UKRAINE,
        private_metadata=MeetingRef(1).pack(),
    )
    assert reply.raw == ""
    assert "co-sponsored by *Mali* · Status" in str(card(kasane, 1)["blocks"])
    assert [(p.delegation, p.kind) for p in await positions_of(kasane)] == [("Mali", "support")]


async def test_withdrawal_by_the_sponsor_or_a_chair_takes_the_item_off_the_agenda(
    tabled: Rig,
) -> None:
    await expect_ok(tabled, "/meeting", "withdraw 1", user=KPCSC)
    assert tabled.slack.channel_messages(CHANNEL)[-1].text == (
        "#1 was withdrawn by its sponsor, KP Civil Society Coalition; it leaves the agenda."
    )
    await expect_ok(tabled, "/table-motion", "Second", user=UKRAINE)
    await expect_ok(tabled, "/meeting", "withdraw 2", user=CHAIR)
    assert tabled.slack.channel_messages(CHANNEL)[-1].text.startswith(
        "#2 was withdrawn by the chair"
    )
    reply = await tabled.command("/object", "2 late", user=MALI)
    assert "already withdrawn" in reply.text


async def home_open(rig: Rig, user: str, team: str | None = None) -> None:
    request = rig.signer.event(
        {"type": "app_home_opened", "user": user, "channel": "D0", "tab": "home"}, team_id=team
    )
    reply = await rig.send(request)
    assert reply.status == 200
    await rig.settle()


async def home_press(rig: Rig, user: str, action: Action, value: str) -> Reply:
    """A button on the Home tab: no channel and no response_url in the payload."""
    payload = {
        "type": "block_actions",
        "user": {"id": user, "team_id": rig.signer.team_id},
        "team": {"id": rig.signer.team_id},
        "container": {"type": "view", "view_id": "V1"},
        "trigger_id": "1.2.home",
        "api_app_id": "A0PLENARY",
        "view": {"id": "V1", "type": "home"},
        "actions": [{"action_id": action, "block_id": "b", "value": value, "type": "button"}],
    }
    from urllib.parse import urlencode

    reply = await rig.send(rig.signer.sign(urlencode({"payload": json.dumps(payload)}), FORM))
    await rig.settle()
    return reply


async def test_app_home_shows_open_items_stance_and_blockers_and_stays_fresh(
    tabled: Rig,
) -> None:
    await home_open(tabled, MALI)
    home = str(tabled.slack.views_published[MALI])
    assert "KP Intersessional, Kasane" in home
    assert "You speak for *Mali* (participant)" in home
    assert "no position yet" in home
    assert "Decide now" not in home
    await expect_ok(tabled, "/object", "1 Outside the mandate", user=MALI)
    home = str(tabled.slack.views_published[MALI])
    assert "you object" in home
    assert "Blocked by Mali" in home


async def test_a_chair_decides_from_the_home_tab_and_sees_the_result_in_a_modal(
    tabled: Rig,
) -> None:
    await home_open(tabled, CHAIR)
    assert "Decide now" in str(tabled.slack.views_published[CHAIR])
    reply = await home_press(tabled, CHAIR, Action.DECIDE, ItemRef(1, 1).pack())
    assert reply.status == 200
    assert "is decided" in str(tabled.slack.views_opened[-1]["blocks"])
    assert tabled.slack.channel_messages(CHANNEL)[-1].text.startswith("#1 adopted by consensus")
    refused = await home_press(tabled, RUSSIA, Action.DECIDE, ItemRef(1, 1).pack())
    assert refused.status == 200


async def test_home_for_a_user_in_no_meeting_explains_how_to_join(rig: Rig) -> None:
    await home_open(rig, OUTSIDER)
    assert "not in any meeting yet" in str(rig.slack.views_published[OUTSIDER])


async def test_home_table_button_opens_the_tabling_form(tabled: Rig) -> None:
    await home_open(tabled, UKRAINE)
    await home_press(tabled, UKRAINE, Action.TABLE, MeetingRef(1).pack())
    assert tabled.slack.views_opened[-1]["callback_id"] == Form.TABLING


BUTTON_TABLE = [
    # (who, button, opens a form?, what the presser is told when no form opens)
    (RUSSIA, Action.OBJECT, True, ""),
    (KPCSC, Action.OBJECT, False, "observers cannot block"),
    (OUTSIDER, Action.OBJECT, False, "not a member of any delegation"),
    (RUSSIA, Action.STATE_POSITION, True, ""),
    (KPCSC, Action.STATE_POSITION, True, ""),
    (OUTSIDER, Action.STATE_POSITION, False, "not a member of any delegation"),
    (RUSSIA, Action.WITHDRAW_OBJECTION, False, "has no position on #1"),
    (KPCSC, Action.WITHDRAW_OBJECTION, False, "has no position on #1"),
    (OUTSIDER, Action.WITHDRAW_OBJECTION, False, "not a member of any delegation"),
    (RUSSIA, Action.COSPONSOR, False, "Recorded Russian Federation's co-sponsorship"),
    (UKRAINE, Action.COSPONSOR, False, "Recorded Ukraine's co-sponsorship"),
    (OUTSIDER, Action.COSPONSOR, False, "not a member of any delegation"),
    (RUSSIA, Action.DECIDE, False, "Only the meeting's chairs"),
    (CHAIR, Action.DECIDE, False, "is decided"),
]


@pytest.mark.parametrize(("who", "action", "opens", "told"), BUTTON_TABLE)
async def test_every_button_for_every_role_does_what_the_rules_allow(
    kasane: Rig, who: str, action: Action, opens: bool, told: str
) -> None:
    await expect_ok(
        kasane, "/meeting", f"delegation add Botswana participant <@{CHAIR}>", user=CHAIR
    )
    await expect_ok(kasane, "/table-motion", "Adopt the agenda", user=MALI)
    forms_before = len(kasane.slack.views_opened)
    before = await snapshot(kasane)
    reply = await press(kasane, who, action, ItemRef(1, 1).pack())
    assert reply.status == 200
    assert (len(kasane.slack.views_opened) > forms_before) is opens
    if told:
        assert told in answered(kasane, who, action)
    changes = "Recorded" in told or "decided" in told
    assert (await snapshot(kasane) != before) is changes
