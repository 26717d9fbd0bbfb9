"""The form reader: a submitted view becomes a typed request, or field errors by input."""

from __future__ import annotations

from typing import Any

from bot.commands.payloads import Form, ItemRef, MeetingRef
from bot.commands.submissions import (
    Field,
    FieldErrors,
    PositionSubmission,
    TablingSubmission,
    read_position_form,
    read_tabling_form,
)
from bot.domain.errors import Conflict, UsageError
from bot.domain.rules import PositionKind

ITEM = ItemRef(3, 7)
MEETING = MeetingRef(3)


def view(form: Form, metadata: str, **elements: dict[str, Any]) -> dict[str, Any]:
    """A view as Slack submits it: each input block holds one element of the same id."""
    values = {block: {block: element} for block, element in elements.items()}
    return {"callback_id": form, "private_metadata": metadata, "state": {"values": values}}


def tabling(**elements: dict[str, Any]) -> dict[str, Any]:
    filled: dict[str, dict[str, Any]] = {
        "title": {"value": "Exclusion of Russia"},
        "text": {"value": "The meeting excludes the Russian Federation."},
    }
    return view(Form.TABLING, MEETING.pack(), **(filled | elements))


def test_the_objection_form_reads_an_empty_reason_as_an_objection_without_one() -> None:
    assert read_position_form(view(Form.OBJECTION, ITEM.pack(), reason={"value": None})) == (
        PositionSubmission(ITEM, PositionKind.OBJECTION, "", Field.REASON)
    )


def test_the_position_form_reads_the_chosen_position_and_its_statement() -> None:
    submitted = view(
        Form.POSITION,
        ITEM.pack(),
        kind={"selected_option": {"value": "stand-aside"}},
        statement={"value": "  We take no part  "},
    )
    assert read_position_form(submitted) == PositionSubmission(
        ITEM, PositionKind.STAND_ASIDE, "We take no part", Field.STATEMENT
    )


def test_the_position_form_refuses_a_blocking_or_missing_choice_under_its_kind_input() -> None:
    for option in ({"value": "objection"}, None, "reservation"):
        submitted = view(
            Form.POSITION, ITEM.pack(), kind={"selected_option": option}, statement={"value": "x"}
        )
        assert read_position_form(submitted) == FieldErrors({"kind": "Choose a position."})


def test_the_position_form_needs_a_statement_to_put_on_record() -> None:
    submitted = view(Form.POSITION, ITEM.pack(), kind={"selected_option": {"value": "reservation"}})
    assert read_position_form(submitted) == FieldErrors(
        {"statement": "Write the statement to put on record."}
    )


def test_forged_metadata_is_refused_under_the_input_the_person_filled_in() -> None:
    refused = read_position_form(view(Form.OBJECTION, "i1:3:x", reason={"value": "No"}))
    assert isinstance(refused, FieldErrors)
    assert list(refused.errors) == ["reason"]
    assert "no longer matches" in refused.errors["reason"]


def test_a_tabling_form_reads_the_deadline_session_and_each_cosponsor_once() -> None:
    submitted = tabling(
        deadline_date={"selected_date": "2026-11-05"},
        deadline_time={"selected_time": "09:00"},
        session={"selected_option": {"value": "2"}},
        cosponsors={"selected_options": [{"value": "5"}, {"value": "²"}, {"value": "5"}, "6"]},
    )
    assert read_tabling_form(submitted) == TablingSubmission(
        meeting=MEETING,
        title="Exclusion of Russia",
        text="The meeting excludes the Russian Federation.",
        deadline="2026-11-05 09:00",
        session=2,
        cosponsor_ids=(5,),
    )


def test_a_tabling_form_names_every_missing_input_at_once() -> None:
    submitted = tabling(
        title={"value": " "}, text={"value": None}, deadline_date={"selected_date": "2026-11-05"}
    )
    assert read_tabling_form(submitted) == FieldErrors(
        {
            "title": "Give the motion a title.",
            "text": "Write the text of the motion.",
            "deadline_time": "Give both a date and a time for the deadline, or neither.",
        }
    )


def test_a_refused_tabling_is_shown_under_the_input_the_refusal_names() -> None:
    submitted = read_tabling_form(tabling())
    assert isinstance(submitted, TablingSubmission)
    late = UsageError("That deadline has passed.", field="deadline")
    assert submitted.refused(late) == FieldErrors({"deadline_date": "That deadline has passed."})
    gone = Conflict("x" * 1000)
    assert submitted.refused(gone) == FieldErrors({"text": "x" * 300})
