"""Every bad request gets a specific ephemeral answer with its usage line and changes nothing."""

from __future__ import annotations

import pytest

from bot.demo.rig import Rig
from tests.support.answers import expect_ok
from tests.support.cast import BELARUS, CHAIR, KPCSC, MALI, OUTSIDER, RUSSIA, UKRAINE
from tests.support.state import snapshot


@pytest.fixture
async def with_items(kasane: Rig) -> Rig:
    await expect_ok(kasane, "/table-motion", "Discuss Russian diamonds", user=KPCSC)
    await expect_ok(kasane, "/table-motion", "Adopt the agenda", user=UKRAINE)
    await expect_ok(kasane, "/meeting", "decide 2", user=CHAIR)
    return kasane


REFUSALS = [
    # (user, command, text, words the answer must contain, usage it must show)
    (
        OUTSIDER,
        "/table-motion",
        "A motion",
        "not a member of any delegation",
        "/table-motion <text>",
    ),
    (OUTSIDER, "/object", "1 no", "not a member of any delegation", "/object <item> [reason]"),
    (RUSSIA, "/object", "9 no", "no item #9", "/object <item> [reason]"),
    (RUSSIA, "/object", "2 too late", "already adopted", "/object <item> [reason]"),
    (RUSSIA, "/object", "withdraw 2", "already adopted", "/object withdraw <item>"),
    (RUSSIA, "/object", "withdraw 1", "has no position on #1", "/object withdraw <item>"),
    (RUSSIA, "/object", "", "Name the item", "/object <item> [reason]"),
    (RUSSIA, "/object", "first no", "is not an item number", "/object <item> [reason]"),
    (RUSSIA, "/object", "#0", "is not an item number", "/object <item> [reason]"),
    (RUSSIA, "/table-motion", "deadline: in 2h", "Write the text", "/table-motion <text>"),
    (RUSSIA, "/table-motion", "Text cosponsors: Atlantis", "Known delegations:", "/table-motion"),
    (UKRAINE, "/table-motion", "Text cosponsors: Ukraine", "list only other", "/table-motion"),
    (RUSSIA, "/object", "1 reservation:", "Write the statement", "reservation: <statement>"),
    (MALI, "/meeting", "withdraw 1", "or a chair can withdraw it", "/meeting withdraw <item>"),
    (UKRAINE, "/meeting", "withdraw 2", "already adopted", "/meeting withdraw <item>"),
    (CHAIR, "/meeting", "set timezone Mars/Olympus", "not a known time zone", "set timezone"),
    (CHAIR, "/meeting", "set digest 25:00", "not a time of day", "/meeting set digest"),
    (CHAIR, "/meeting", "set window soon", "not a duration", "/meeting set window"),
    (CHAIR, "/meeting", "set reminder 0", "from 1 to 1440", "/meeting set reminder"),
    (MALI, "/meeting", "set window 2h", "Only the meeting's chairs", "/meeting set window"),
    (CHAIR, "/meeting", "session add tomorrow Plenary", "YYYY-MM-DD HH:MM", "session add"),
    (CHAIR, "/meeting", "session add 2026-11-01 09:00 Past", "already passed", "session add"),
    (CHAIR, "/meeting", "session remove 4", "no session 4", "/meeting session remove"),
    (KPCSC, "/object", "1 hear us", "observers cannot block", "/object <item> [reason]"),
    (
        RUSSIA,
        "/meeting",
        "decide 1",
        "Only the meeting's chairs",
        "/meeting decide <item> [confirm|excise]",
    ),
    (CHAIR, "/meeting", "decide 2", "already decided", "/meeting decide <item> [confirm|excise]"),
    (CHAIR, "/meeting", "decide", "Name the one item", "/meeting decide <item> [confirm|excise]"),
    (CHAIR, "/meeting", "decide 77", "no item #77", "/meeting decide <item> [confirm|excise]"),
    (RUSSIA, "/meeting", "chair add <@U0RU>", "Only the meeting's chairs", "/meeting chair add"),
    (CHAIR, "/meeting", "chair add nobody", "Name exactly one user", "/meeting chair add"),
    (
        MALI,
        "/meeting",
        "delegation add Niger participant <@U0NE>",
        "Only the meeting's chairs",
        "/meeting delegation add",
    ),
    (
        CHAIR,
        "/meeting",
        "delegation add Niger member <@U0NE>",
        "then `participant` or `observer`",
        "/meeting delegation add",
    ),
    (
        CHAIR,
        "/meeting",
        f"delegation add Niger participant <@{BELARUS}>",
        "already belongs to Belarus",
        "/meeting delegation add",
    ),
    (
        CHAIR,
        "/meeting",
        "delegation add Mali observer <@U0ML2>",
        "registered as participant",
        "/meeting delegation add",
    ),
    (
        CHAIR,
        "/meeting",
        "delegation remove Atlantis",
        "Known delegations:",
        "/meeting delegation remove",
    ),
    (
        MALI,
        "/meeting",
        "delegation remove Russian Federation",
        "Only the meeting's chairs",
        "remove",
    ),
    (CHAIR, "/meeting", "start Another meeting", "already holds the meeting", "/meeting start"),
    (CHAIR, "/meeting", "frobnicate", "no subcommand", "/meeting start <title>"),
    (CHAIR, "/table-motion", "x" * 2001, "at most 2,000 characters", "/table-motion <text>"),
    (RUSSIA, "/object", "1 " + "r" * 501, "at most 500 characters", "/object <item> [reason]"),
]


@pytest.mark.parametrize(("user", "command", "text", "says", "usage"), REFUSALS)
async def test_a_refused_request_is_answered_privately_with_usage_and_changes_nothing(
    with_items: Rig, user: str, command: str, text: str, says: str, usage: str
) -> None:
    before = await snapshot(with_items)
    calls_before = len(with_items.slack.calls)
    reply = await with_items.command(command, text, user=user)
    assert reply.status == 200
    assert reply.ephemeral
    assert says in reply.text
    assert "Usage:" in reply.text
    assert usage in reply.text
    assert await snapshot(with_items) == before
    assert len(with_items.slack.calls) == calls_before


async def test_commands_in_a_channel_without_a_meeting_say_how_to_start_one(rig: Rig) -> None:
    for command, text in (("/table-motion", "x"), ("/object", "1"), ("/meeting", "agenda")):
        reply = await rig.command(command, text, user=RUSSIA)
        assert reply.status == 200
        assert "/meeting start <title>" in reply.text


async def test_help_lists_the_commands_open_to_the_caller(kasane: Rig) -> None:
    chair_help = (await kasane.command("/meeting", "help", user=CHAIR)).text
    observer_help = (await kasane.command("/object", "help", user=KPCSC)).text
    participant_help = (await kasane.command("/table-motion", "help", user=RUSSIA)).text
    assert "/meeting decide <item> [confirm|excise]" in chair_help
    assert "/object <item> [reason]" not in observer_help
    assert "/table-motion <text>" in observer_help
    assert "/object <item> [reason]" in participant_help
    assert "/meeting decide <item> [confirm|excise]" not in participant_help
