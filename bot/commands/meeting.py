"""``/meeting``: setup, the delegations, the agenda and decisions; its procedure and calendar
subcommands are read by their own modules. Pure parsers to typed requests."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.commands.floor import (
    FLOOR_SETTINGS,
    FloorChairRequest,
    parse_discuss,
    parse_floor_chair,
    parse_speaking_time_setting,
)
from bot.commands.links import LinkRequest, parse_publish, parse_screen
from bot.commands.procedure import (
    PROCEDURE_SETTINGS,
    MakeRecord,
    ProcedureRequest,
    RegisterAbsent,
    RegisterPresent,
    ShowWhatIf,
    parse_procedure_setting,
    parse_propose,
)
from bot.commands.reference import usage_of
from bot.commands.sessions import (
    CALENDAR_SETTINGS,
    ListSessions,
    ScheduleRequest,
    ShowDigest,
    parse_calendar_setting,
    parse_session,
)
from bot.commands.tokens import ShowHelp, clean_name, limited, parse_item_number
from bot.commands.votes import VoteChairRequest, parse_meeting_vote
from bot.domain.errors import UsageError
from bot.domain.rules import MAX_MEMBERS_PER_COMMAND, MAX_TITLE, Role
from bot.domain.text import plain_text, user_mention_id


@dataclass(frozen=True)
class StartMeeting:
    title: str


@dataclass(frozen=True)
class AddChair:
    user_id: str


@dataclass(frozen=True)
class AddDelegation:
    name: str
    role: Role
    members: tuple[str, ...]


@dataclass(frozen=True)
class RemoveDelegation:
    name: str


@dataclass(frozen=True)
class ListDelegations:
    pass


@dataclass(frozen=True)
class ShowAgenda:
    pass


@dataclass(frozen=True)
class Decide:
    number: int
    confirmed: bool = False  # the chair confirms deciding a modification of a superseded item
    excise: bool = False  # under consensus-then-vote: excise a blocked item rather than vote


@dataclass(frozen=True)
class WithdrawItem:
    number: int


MeetingRequest = (
    StartMeeting
    | AddChair
    | AddDelegation
    | RemoveDelegation
    | ListDelegations
    | ShowAgenda
    | Decide
    | WithdrawItem
    | ShowHelp
    | ScheduleRequest
    | ProcedureRequest
    | FloorChairRequest
    | VoteChairRequest
    | LinkRequest
)


_MENTION_PATTERN = r"<@[UW][A-Z0-9]+(?:\|[^<>]*)?>"
_DELEGATION_ADD = re.compile(
    rf"(?P<name>.+?)\s+(?P<role>participant|observer)\s+(?P<members>(?:{_MENTION_PATTERN}\s*)+)",
    re.IGNORECASE | re.DOTALL,
)


def _words(text: str) -> list[str]:
    return text.split()


def _rest_after(text: str, n: int) -> str:
    """The text after its first ``n`` words, inner spacing kept."""
    parts = text.strip().split(maxsplit=n)
    return parts[n] if len(parts) > n else ""


def parse_meeting(text: str) -> MeetingRequest:
    words = _words(text)
    head = [w.lower() for w in words[:2]]
    if not words or head[0] == "help":
        return ShowHelp()
    verb = head[0]
    if verb == "start":
        usage = usage_of("/meeting start")
        title = " ".join(plain_text(_rest_after(text, 1)).split())
        if not title:
            raise UsageError("Give the meeting a title.", usage=usage)
        return StartMeeting(limited(title, MAX_TITLE, "A meeting title", usage))
    if verb == "chair":
        usage = usage_of("/meeting chair add")
        if len(words) != 3 or head[1] != "add" or user_mention_id(words[2]) is None:
            raise UsageError("Name exactly one user to make chair, as @name.", usage=usage)
        user = user_mention_id(words[2])
        assert user is not None
        return AddChair(user)
    if verb == "delegation":
        return _parse_delegation(head[1] if len(head) > 1 else "", _rest_after(text, 2))
    if verb == "delegations" and len(words) == 1:
        return ListDelegations()
    if verb == "agenda" and len(words) == 1:
        return ShowAgenda()
    if verb == "agenda" and head[1] == "propose":
        return parse_propose(_rest_after(text, 2))
    if verb == "present" and len(words) == 1:
        return RegisterPresent()
    if verb == "absent" and len(words) == 1:
        return RegisterAbsent()
    if verb == "record" and len(words) == 1:
        return MakeRecord()
    if verb == "whatif":
        usage = usage_of("/meeting whatif")
        if len(words) != 2:
            raise UsageError("Name the one item.", usage=usage)
        return ShowWhatIf(parse_item_number(words[1], usage))
    if verb == "discuss":
        return parse_discuss(_rest_after(text, 1))
    if verb == "floor":
        return parse_floor_chair(head[1] if len(head) > 1 else "", _rest_after(text, 2))
    if verb == "screen":
        return parse_screen(_rest_after(text, 1))
    if verb == "publish":
        return parse_publish(_rest_after(text, 1))
    if verb == "set":
        return _parse_setting(head[1] if len(head) > 1 else "", _rest_after(text, 2))
    if verb == "session":
        return parse_session(head[1] if len(head) > 1 else "", _rest_after(text, 2))
    if verb == "sessions" and len(words) == 1:
        return ListSessions()
    if verb == "digest" and len(words) == 1:
        return ShowDigest()
    if verb == "withdraw":
        usage = usage_of("/meeting withdraw")
        if len(words) != 2:
            raise UsageError("Name the one item to withdraw.", usage=usage)
        return WithdrawItem(parse_item_number(words[1], usage))
    if verb == "decide":
        usage = usage_of("/meeting decide")
        then = words[2].lower() if len(words) == 3 else None
        if len(words) != 2 and then not in ("confirm", "excise"):
            raise UsageError(
                "Name the one item to decide, followed by `confirm` or `excise` only when"
                " asked to.",
                usage=usage,
            )
        return Decide(
            parse_item_number(words[1], usage),
            confirmed=then == "confirm",
            excise=then == "excise",
        )
    if verb == "vote":
        return parse_meeting_vote(_rest_after(text, 1))
    shown = plain_text(words[0])[:40]
    if verb in ("delegations", "agenda", "sessions", "digest"):
        raise UsageError(f"`/meeting {verb}` takes nothing after it.", usage=usage_of("/meeting"))
    raise UsageError(
        f"`/meeting` has no subcommand “{shown}”.",
        usage=usage_of("/meeting"),
    )


def _parse_delegation(verb: str, rest: str) -> MeetingRequest:
    if verb == "add":
        usage = usage_of("/meeting delegation add")
        match = _DELEGATION_ADD.fullmatch(rest.strip())
        if not match:
            raise UsageError(
                "Write the delegation's name, then `participant` or `observer`,"
                " then its members as @mentions.",
                usage=usage,
            )
        members = tuple(
            dict.fromkeys(
                m
                for m in (
                    user_mention_id(t) for t in re.findall(_MENTION_PATTERN, match.group("members"))
                )
                if m is not None
            )
        )
        if len(members) > MAX_MEMBERS_PER_COMMAND:
            raise UsageError(
                f"Add at most {MAX_MEMBERS_PER_COMMAND} members at a time.", usage=usage
            )
        return AddDelegation(
            clean_name(match.group("name"), usage), Role(match.group("role").lower()), members
        )
    if verb == "remove":
        usage = usage_of("/meeting delegation remove")
        return RemoveDelegation(clean_name(rest, usage))
    raise UsageError(
        "Use `delegation add` or `delegation remove`.", usage=usage_of("/meeting delegation")
    )


def _parse_setting(name: str, value: str) -> MeetingRequest:
    value = plain_text(value)
    if name in PROCEDURE_SETTINGS:
        return parse_procedure_setting(name, value)
    if name in CALENDAR_SETTINGS:
        return parse_calendar_setting(name, value)
    if name in FLOOR_SETTINGS:
        return parse_speaking_time_setting(value)
    raise UsageError(
        "You can set `timezone`, `window`, `reminder`, `digest`, `rule`, `quorum` or"
        " `speaking-time`.",
        usage=usage_of("/meeting set"),
    )
