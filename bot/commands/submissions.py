"""Submitted forms read into typed requests, or into field errors keyed by the form's inputs;
pure. The one place that knows how Slack nests a view's state; every value in it is checked,
since a submission is only a signed request and may hold anything."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeGuard

from bot.commands.payloads import Form, ItemRef, MeetingRef
from bot.domain.errors import PlenaryError
from bot.domain.rules import PositionKind
from bot.domain.text import plain_text

MAX_FIELD_ERROR = 300  # a refusal shown under an input stays short enough to read there


class Field(StrEnum):
    """``block_id`` of every form input (its one element has the same ``action_id``)."""

    REASON = "reason"
    STATEMENT = "statement"
    KIND = "kind"
    TITLE = "title"
    TEXT = "text"
    DEADLINE_DATE = "deadline_date"
    DEADLINE_TIME = "deadline_time"
    COSPONSORS = "cosponsors"
    SESSION = "session"


@dataclass(frozen=True)
class FieldErrors:
    """What Slack shows under the form's inputs instead of closing it."""

    errors: dict[str, str]  # block id → message


def field_errors(field: Field, err: PlenaryError) -> FieldErrors:
    """A refusal shown under one input."""
    return FieldErrors({field: err.message[:MAX_FIELD_ERROR]})


@dataclass(frozen=True)
class PositionSubmission:
    """The objection form or the position form: a position to put on record on an item."""

    item: ItemRef
    kind: PositionKind
    statement: str
    field: Field  # the input a refusal of this position is shown under

    def refused(self, err: PlenaryError) -> FieldErrors:
        return field_errors(self.field, err)


# Which input a service's refusal of a tabling concerns, by the service's name for it.
_TABLING_FIELDS = {
    "deadline": Field.DEADLINE_DATE,
    "session": Field.SESSION,
    "cosponsors": Field.COSPONSORS,
    "title": Field.TITLE,
    "text": Field.TEXT,
}


@dataclass(frozen=True)
class TablingSubmission:
    """The tabling form: a motion, with co-sponsors as the delegation ids the form offered."""

    meeting: MeetingRef
    title: str
    text: str
    deadline: str | None  # "YYYY-MM-DD HH:MM" in the meeting's zone
    session: int | None
    cosponsor_ids: tuple[int, ...]

    def refused(self, err: PlenaryError) -> FieldErrors:
        return field_errors(_TABLING_FIELDS.get(err.field, Field.TEXT), err)


class _State:
    """The submitted values of a view, one element per input block."""

    def __init__(self, view: Mapping[str, Any]) -> None:
        state = view.get("state")
        values = state.get("values") if isinstance(state, dict) else None
        self._values: dict[str, Any] = values if isinstance(values, dict) else {}

    def _element(self, field: Field) -> dict[str, Any]:
        block = self._values.get(field)
        element = block.get(field) if isinstance(block, dict) else None
        return element if isinstance(element, dict) else {}

    def text(self, field: Field) -> str:
        return plain_text(str(self._element(field).get("value") or ""))

    def picked(self, field: Field, key: str) -> str | None:
        """A date or time picker's value (``key`` is ``selected_date`` or ``selected_time``)."""
        value = self._element(field).get(key)
        return str(value) if value else None

    def choice(self, field: Field) -> object:
        option = self._element(field).get("selected_option")
        return option.get("value") if isinstance(option, dict) else None

    def choices(self, field: Field) -> list[object]:
        options = self._element(field).get("selected_options")
        if not isinstance(options, list):
            return []
        return [o.get("value") for o in options if isinstance(o, dict)]


def read_position_form(view: Mapping[str, Any]) -> PositionSubmission | FieldErrors:
    """The objection form (a reason, possibly empty) or the position form (a reservation or
    a stand-aside, with the statement it needs)."""
    state = _State(view)
    metadata = str(view.get("private_metadata", ""))
    if view.get("callback_id") == Form.OBJECTION:
        kind, field, statement = PositionKind.OBJECTION, Field.REASON, state.text(Field.REASON)
    else:
        chosen = state.choice(Field.KIND)
        if chosen not in (PositionKind.RESERVATION, PositionKind.STAND_ASIDE):
            return FieldErrors({Field.KIND: "Choose a position."})
        kind, field, statement = (
            PositionKind(str(chosen)),
            Field.STATEMENT,
            state.text(Field.STATEMENT),
        )
        if not statement:
            return FieldErrors({Field.STATEMENT: "Write the statement to put on record."})
    try:
        item = ItemRef.unpack(metadata)
    except PlenaryError as err:
        return field_errors(field, err)
    return PositionSubmission(item, kind, statement, field)


def read_tabling_form(view: Mapping[str, Any]) -> TablingSubmission | FieldErrors:
    state = _State(view)
    title = state.text(Field.TITLE)
    text = state.text(Field.TEXT)
    day = state.picked(Field.DEADLINE_DATE, "selected_date")
    clock = state.picked(Field.DEADLINE_TIME, "selected_time")
    errors: dict[str, str] = {}
    if not title:
        errors[Field.TITLE] = "Give the motion a title."
    if not text:
        errors[Field.TEXT] = "Write the text of the motion."
    if bool(day) != bool(clock):
        missing = Field.DEADLINE_TIME if day else Field.DEADLINE_DATE
        errors[missing] = "Give both a date and a time for the deadline, or neither."
    if errors:
        return FieldErrors(errors)
    try:
        meeting = MeetingRef.unpack(str(view.get("private_metadata", "")))
    except PlenaryError as err:
        return field_errors(Field.TEXT, err)
    session = state.choice(Field.SESSION)
    return TablingSubmission(
        meeting=meeting,
        title=title,
        text=text,
        deadline=f"{day} {clock}" if day and clock else None,
        session=int(session) if _number(session) else None,
        cosponsor_ids=tuple(
            dict.fromkeys(int(v) for v in state.choices(Field.COSPONSORS) if _number(v))
        ),
    )


def _number(value: object) -> TypeGuard[str]:
    """A choice's value as the form drew it: ASCII digits (a forged one may be anything)."""
    return isinstance(value, str) and value.isascii() and value.isdigit()
