"""Typed payloads of buttons and forms: packed into Slack's value strings and checked when
they come back, because a value arriving in a request is never trusted blindly."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.errors import Conflict

MAX_VALUE = 2000  # Slack's limit for a button value and a view's private_metadata


class Action(StrEnum):
    """``action_id`` of every button the bot draws."""

    OBJECT = "item.object"
    WITHDRAW_OBJECTION = "item.withdraw_objection"
    COSPONSOR = "item.cosponsor"
    STATE_POSITION = "item.state_position"
    DECIDE = "item.decide"
    TABLE = "meeting.table"
    FLOOR_REQUEST = "floor.request"
    FLOOR_WITHDRAW = "floor.withdraw"
    FLOOR_NEXT = "floor.next"
    # Named in the issue 13 design that the vote's handlers and cards share.
    VOTE_YES = "vote_yes"
    VOTE_NO = "vote_no"
    VOTE_ABSTAIN = "vote_abstain"
    VOTE_CLOSE = "vote_close"  # a chair's Close vote button on the Home tab


class Form(StrEnum):
    """``callback_id`` of every modal the bot opens."""

    OBJECTION = "form.objection"
    POSITION = "form.position"
    TABLING = "form.tabling"


class ForgedValue(Conflict):
    """A button value or form metadata that the bot did not produce, or no longer matches."""


STALE = (
    "This button no longer matches anything in this meeting; `/meeting agenda` shows the"
    " current items."
)


@dataclass(frozen=True)
class ItemRef:
    """Which item of which meeting a button or form is about."""

    meeting_id: int
    item_id: int

    _FORMAT = re.compile(r"i1:(\d{1,12}):(\d{1,12})")

    def pack(self) -> str:
        return f"i1:{self.meeting_id}:{self.item_id}"

    @classmethod
    def unpack(cls, value: str) -> ItemRef:
        match = cls._FORMAT.fullmatch(value) if len(value) <= MAX_VALUE else None
        if match is None:
            raise ForgedValue(STALE)
        return cls(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True)
class MeetingRef:
    """Which meeting a form or a Home button is about."""

    meeting_id: int

    _FORMAT = re.compile(r"m1:(\d{1,12})")

    def pack(self) -> str:
        return f"m1:{self.meeting_id}"

    @classmethod
    def unpack(cls, value: str) -> MeetingRef:
        match = cls._FORMAT.fullmatch(value) if len(value) <= MAX_VALUE else None
        if match is None:
            raise ForgedValue(STALE)
        return cls(int(match.group(1)))
