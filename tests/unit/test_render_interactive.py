"""Cards, forms and the Home tab stay within Slack's limits whatever the meeting holds."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.commands.payloads import ItemRef
from bot.domain.model import Decision, Delegation, HomeMeeting, Item, Meeting, Position, Session
from bot.domain.rules import (
    CONSENSUS,
    MAX_DELEGATION_NAME,
    MAX_ITEM_TEXT,
    MAX_REASON,
    ItemStatus,
    Outcome,
    PositionKind,
    Role,
)
from bot.render import forms, notices
from bot.render.home import home_view

NOW = datetime(2026, 11, 2, 7, 30, tzinfo=UTC)
MEETING = Meeting(1, "T1", "C1", "M" * 150, "Africa/Gaborone", CONSENSUS, "U1", NOW, chairs=("U1",))


def big_item(number: int = 1, objectors: int = 200) -> Item:
    kinds = [
        PositionKind.OBJECTION,
        PositionKind.RESERVATION,
        PositionKind.STAND_ASIDE,
        PositionKind.SUPPORT,
    ]
    positions = tuple(
        Position(
            i,
            f"Delegation {i:03d} " + "n" * (MAX_DELEGATION_NAME - 15),
            Role.PARTICIPANT,
            kinds[i % 4],
            "r" * MAX_REASON,
            "U",
            NOW,
        )
        for i in range(objectors)
    )
    return Item(
        number,
        1,
        number,
        1,
        "S" * MAX_DELEGATION_NAME,
        "t" * MAX_ITEM_TEXT,
        ItemStatus.OPEN,
        "U",
        NOW,
        NOW + timedelta(hours=1),
        positions,
        title="T" * 150,
    )


def check_blocks(blocks: list[dict[str, Any]], max_blocks: int = 50) -> None:
    assert len(blocks) <= max_blocks
    for block in blocks:
        text: dict[str, Any] = block.get("text") or {}
        if block["type"] == "section":
            assert len(text["text"]) <= 3000
        if block["type"] == "header":
            assert len(text["text"]) <= 150
        for element in block.get("elements", []) + (
            [block["accessory"]] if "accessory" in block else []
        ):
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= 75
                assert len(element["value"]) <= 2000
            if element.get("type") == "mrkdwn":
                assert len(element["text"]) <= 2000


def test_an_item_card_with_two_hundred_positions_stays_within_limits() -> None:
    message = notices.item_card(big_item(), MEETING, 200)
    check_blocks(message.blocks)
    assert message.text
    assert len(message.text) <= 3000
    assert any(b["type"] == "actions" for b in message.blocks)


def test_outcome_and_blocked_notices_with_two_hundred_objectors_stay_within_limits() -> None:
    item = big_item()
    check_blocks(notices.blocked_notice(item, MEETING, closed=False).blocks)
    decision = Decision(1, Outcome.BLOCKED, CONSENSUS, 200, item.objections, NOW, "U1")
    blocked = replace(item, status=ItemStatus.BLOCKED)
    check_blocks(notices.outcome_notice(blocked, decision, MEETING).blocks)


def test_forms_stay_within_slacks_modal_limits() -> None:
    item = big_item()
    for view in (forms.objection_form(item), forms.position_form(item)):
        assert len(view["blocks"]) <= 100
        assert len(view["private_metadata"]) <= 3000
        assert len(view["title"]["text"]) <= 24
    delegations = [Delegation(i, 1, f"D{i}" + "n" * 70, Role.PARTICIPANT) for i in range(300)]
    sessions = [Session(i, 1, i, "s" * 150, NOW, NOW) for i in range(300)]
    tabling = forms.tabling_form(MEETING, delegations[0], delegations[1:], sessions)
    assert len(tabling["blocks"]) <= 100
    for block in tabling["blocks"]:
        options = block.get("element", {}).get("options", [])
        assert len(options) <= 100
        assert all(len(o["text"]["text"]) <= 75 for o in options)


def test_the_home_tab_for_many_busy_meetings_stays_within_100_blocks() -> None:
    items = tuple(big_item(n, objectors=20) for n in range(1, 40))
    homes = [
        HomeMeeting(MEETING, Delegation(1, 1, "Mali", Role.PARTICIPANT), True, items, ())
        for _ in range(20)
    ]
    view = home_view(homes)
    check_blocks(view["blocks"], max_blocks=100)
    assert view["type"] == "home"


def test_button_values_round_trip_and_stay_short() -> None:
    ref = ItemRef(10**11, 10**11)
    assert ItemRef.unpack(ref.pack()) == ref
    assert len(ref.pack()) < 100
