"""The calendar subcommands of ``/meeting``: time zone, default window, reminders, the digest
and sessions; pure parsers to typed requests."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time, timedelta

from bot.commands.reference import usage_of
from bot.commands.tokens import limited, parse_item_number
from bot.domain.calendar import TimeFormatError, parse_clock, parse_duration, zone
from bot.domain.errors import UsageError
from bot.domain.rules import MAX_TITLE
from bot.domain.text import plain_text

CALENDAR_SETTINGS = ("timezone", "window", "reminder", "digest")


@dataclass(frozen=True)
class SetTimezone:
    name: str


@dataclass(frozen=True)
class SetWindow:
    window: timedelta | None


@dataclass(frozen=True)
class SetReminder:
    minutes: int


@dataclass(frozen=True)
class SetDigest:
    at: time | None


@dataclass(frozen=True)
class AddSession:
    starts: str  # local date and time, resolved in the meeting's zone by the service
    title: str


@dataclass(frozen=True)
class RemoveSession:
    number: int


@dataclass(frozen=True)
class ListSessions:
    pass


@dataclass(frozen=True)
class ShowDigest:
    pass


ScheduleRequest = (
    SetTimezone
    | SetWindow
    | SetReminder
    | SetDigest
    | AddSession
    | RemoveSession
    | ListSessions
    | ShowDigest
)


def parse_calendar_setting(
    name: str, value: str
) -> SetTimezone | SetWindow | SetReminder | SetDigest:
    """``/meeting set timezone|window|reminder|digest <value>``, the value already plain text."""
    try:
        if name == "timezone":
            if not value or len(value.split()) != 1:
                raise TimeFormatError("Name one IANA time zone, such as Africa/Gaborone.")
            zone(value)
            return SetTimezone(value)
        if name == "window":
            return SetWindow(None if value.lower() == "off" else parse_duration(value))
        if name == "reminder":
            if not (value.isascii() and value.isdigit()) or not 0 < int(value) <= 24 * 60:
                raise TimeFormatError("Give the reminder lead time in minutes, from 1 to 1440.")
            return SetReminder(int(value))
        return SetDigest(None if value.lower() == "off" else parse_clock(value))
    except TimeFormatError as exc:
        raise UsageError(str(exc), usage=usage_of(f"/meeting set {name}")) from None


_SESSION_ADD = re.compile(r"(\d{4}-\d{2}-\d{2}\s+\d{1,2}:\d{2})\s+(.+)", re.DOTALL)


def parse_session(verb: str, rest: str) -> AddSession | RemoveSession:
    if verb == "add":
        usage = usage_of("/meeting session add")
        match = _SESSION_ADD.fullmatch(rest.strip())
        title = " ".join(plain_text(match.group(2)).split()) if match else ""
        if not match or not title:
            raise UsageError(
                "Write the start as YYYY-MM-DD HH:MM (meeting time zone), then the title.",
                usage=usage,
            )
        starts = " ".join(match.group(1).split())
        return AddSession(starts, limited(title, MAX_TITLE, "A session title", usage))
    if verb == "remove":
        usage = usage_of("/meeting session remove")
        return RemoveSession(parse_item_number(rest, usage, what="a session number"))
    raise UsageError("Use `session add` or `session remove`.", usage=usage_of("/meeting session"))
