"""Text over a limit is refused with the limit stated and changes nothing; text at a limit,
counted in characters, is kept whole; dates at the calendar's edges are refused, not a crash."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bot.commands.payloads import Form, ItemRef, MeetingRef
from bot.demo.rig import Rig
from tests.support.answers import expect_ok
from tests.support.cast import CHAIR, KPCSC, RUSSIA, UKRAINE
from tests.support.state import (
    delegations_of,
    items_of,
    meeting_at,
    notices_owed,
    positions_of,
    sessions_of,
    snapshot,
)

OVER_LIMITS = [
    # (user, command, text, the limit the answer must state)
    (UKRAINE, "/table-motion", "x" * 2001, "at most 2,000 characters"),
    (UKRAINE, "/table-motion", "é" * 2001 + " deadline: in 2h", "at most 2,000 characters"),
    (RUSSIA, "/object", "1 " + "r" * 501, "at most 500 characters"),
    (KPCSC, "/object", "1 reservation: " + "s" * 501, "at most 500 characters"),
    (KPCSC, "/object", "1 stand-aside: " + "s" * 501, "at most 500 characters"),
    (CHAIR, "/meeting", f"delegation add {'n' * 81} participant <@U0NE>", "at most 80"),
    (CHAIR, "/meeting", f"delegation remove {'Ü' * 81}", "at most 80"),
    (CHAIR, "/meeting", "session add 2026-11-05 09:00 " + "t" * 151, "at most 150"),
]


@pytest.mark.parametrize(("user", "command", "text", "stated"), OVER_LIMITS)
async def test_text_over_a_limit_is_refused_with_the_limit_stated_and_changes_nothing(
    kasane: Rig, user: str, command: str, text: str, stated: str
) -> None:
    await expect_ok(kasane, "/table-motion", "Adopt the agenda", user=UKRAINE)
    before = await snapshot(kasane)
    reply = await kasane.command(command, text, user=user)
    assert reply.status == 200
    assert reply.ephemeral
    assert stated in reply.text
    assert await snapshot(kasane) == before


async def test_a_meeting_title_over_150_characters_is_refused_with_the_limit_stated(
    rig: Rig,
) -> None:
    reply = await rig.command("/meeting", "start " + "t" * 151, user=CHAIR)
    assert "at most 150 characters" in reply.text
    assert await meeting_at(rig) is None
    await expect_ok(rig, "/meeting", "start " + "t" * 150, user=CHAIR)
    meeting = await meeting_at(rig)
    assert meeting is not None
    assert meeting.title == "t" * 150


async def motion_texts(rig: Rig) -> list[str]:
    return [item.text for item in await items_of(rig)]


async def statements(rig: Rig) -> list[str]:
    return [position.statement for position in await positions_of(rig)]


async def delegation_names(rig: Rig) -> list[str]:
    return [delegation.name for delegation in await delegations_of(rig)]


async def session_titles(rig: Rig) -> list[str]:
    return [session.title for session in await sessions_of(rig)]


AT_LIMITS = [
    # (user, command, text, the text kept, and where it is kept)
    (UKRAINE, "/table-motion", "é" * 2000, "é" * 2000, motion_texts),
    (RUSSIA, "/object", "1 " + "r" * 500, "r" * 500, statements),
    (KPCSC, "/object", "1 stand-aside: " + "😀" * 500, "😀" * 500, statements),
    (CHAIR, "/meeting", f"delegation add {'Ç' * 80} observer <@U0NE>", "Ç" * 80, delegation_names),
    (
        CHAIR,
        "/meeting",
        "session add 2026-11-05 09:00 " + "t" * 150,
        "t" * 150,
        session_titles,
    ),
]


@pytest.mark.parametrize(("user", "command", "text", "kept", "where"), AT_LIMITS)
async def test_text_exactly_at_a_limit_counted_in_characters_is_accepted(
    kasane: Rig,
    user: str,
    command: str,
    text: str,
    kept: str,
    where: Callable[[Rig], Awaitable[list[str]]],
) -> None:
    await expect_ok(kasane, "/table-motion", "Adopt the agenda", user=UKRAINE)
    await expect_ok(kasane, command, text, user=user)
    assert kept in await where(kasane)


FORM_OVER_LIMITS = [
    # (user, form, fields, metadata, the field refused, the limit it must state)
    (RUSSIA, Form.OBJECTION, {"reason": {"value": "r" * 501}}, "reason", "500"),
    (
        KPCSC,
        Form.POSITION,
        {
            "kind": {"selected_option": {"value": "reservation"}},
            "statement": {"value": "s" * 501},
        },
        "statement",
        "500",
    ),
    (
        UKRAINE,
        Form.TABLING,
        {"title": {"value": "t" * 151}, "text": {"value": "x"}},
        "title",
        "150",
    ),
    (
        UKRAINE,
        Form.TABLING,
        {"title": {"value": "t"}, "text": {"value": "x" * 2001}},
        "text",
        "2,000",
    ),
]


@pytest.mark.parametrize(("user", "form", "fields", "field", "stated"), FORM_OVER_LIMITS)
async def test_forms_refuse_text_over_a_limit_on_the_field_with_the_limit_stated(
    kasane: Rig,
    user: str,
    form: Form,
    fields: dict[str, dict[str, Any]],
    field: str,
    stated: str,
) -> None:
    # Slack enforces max_length in its client, but a submission is only a signed request:
    # the limit must hold at the server like it does for the commands.
    await expect_ok(kasane, "/table-motion", "Adopt the agenda", user=UKRAINE)
    before = await snapshot(kasane)
    private_metadata = MeetingRef(1).pack() if form is Form.TABLING else ItemRef(1, 1).pack()
    reply = await kasane.submit(form, fields, user=user, private_metadata=private_metadata)
    await kasane.settle()
    assert reply.status == 200
    assert reply.raw, "the over-long text was accepted"
    assert reply.json["response_action"] == "errors"
    assert stated in reply.json["errors"][field]
    assert await snapshot(kasane) == before


EDGE_DATES = [
    # (meeting zone, command, text)
    ("America/Los_Angeles", "/table-motion", "A motion deadline: 9999-12-31 23:59"),
    ("America/Los_Angeles", "/meeting", "session add 9999-12-31 23:59 Last session"),
    ("Asia/Tokyo", "/meeting", "session add 0001-01-01 00:00 First session"),
    ("Africa/Gaborone", "/table-motion", "A motion deadline: 0001-01-01 00:00"),
]


@pytest.mark.parametrize(("zone", "command", "text"), EDGE_DATES)
async def test_a_date_at_the_edge_of_the_calendar_is_refused_not_a_crash(
    kasane: Rig, caplog: pytest.LogCaptureFixture, zone: str, command: str, text: str
) -> None:
    await expect_ok(kasane, "/meeting", f"set timezone {zone}", user=CHAIR)
    before = await snapshot(kasane)
    user = CHAIR if command == "/meeting" else UKRAINE
    reply = await kasane.command(command, text, user=user)
    assert "Reference:" not in reply.text
    assert ":warning:" in reply.raw
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert await snapshot(kasane) == before


async def test_a_deadline_thousands_of_years_away_never_breaks_the_digest_or_the_card(
    kasane: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    # Accepted in a UTC meeting, this deadline lies past year 9999 in any zone east of UTC.
    reply = await kasane.command(
        "/table-motion", "A motion deadline: 9999-12-31 23:59", user=UKRAINE
    )
    if ":warning:" in reply.raw:
        assert "deadline" in reply.text  # refused as too far ahead: nothing can break
        return
    await expect_ok(kasane, "/meeting", "set timezone Asia/Tokyo", user=CHAIR)
    digest = await kasane.command("/meeting", "digest", user=CHAIR)
    assert "Reference:" not in digest.text
    objection = await kasane.send(
        kasane.signer.slash_command("/object", "1 Not this", user_id=RUSSIA)
    )
    assert objection.status == 200
    await kasane.settle()  # renders the card again, now in Asia/Tokyo
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert await notices_owed(kasane) == 0
