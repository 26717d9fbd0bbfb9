"""The command language: pure parsers from Slack text to typed requests."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import time, timedelta

from bot.commands.reference import (
    usage_of,
)
from bot.domain.calendar import (
    TimeFormatError,
    looks_like_when,
    parse_clock,
    parse_duration,
    zone,
)
from bot.domain.errors import UsageError
from bot.domain.rules import (
    MAX_DELEGATION_NAME,
    MAX_ITEM_TEXT,
    MAX_MEMBERS_PER_COMMAND,
    MAX_REASON,
    MAX_TITLE,
    PositionKind,
    Role,
    Rule,
    parse_rule,
)
from bot.domain.text import plain_text, user_mention_id

# ---- requests ---------------------------------------------------------------------------


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


@dataclass(frozen=True)
class ShowHelp:
    pass


@dataclass(frozen=True)
class WithdrawItem:
    number: int


@dataclass(frozen=True)
class SetRule:
    rule: Rule


@dataclass(frozen=True)
class SetQuorum:
    quorum: int


@dataclass(frozen=True)
class RegisterPresent:
    pass


@dataclass(frozen=True)
class RegisterAbsent:
    """The delegation leaves: its attendance no longer counts toward the quorum."""


@dataclass(frozen=True)
class ShowWhatIf:
    number: int


@dataclass(frozen=True)
class ProposeAgenda:
    deadline: str | None


@dataclass(frozen=True)
class MakeRecord:
    pass


ProcedureRequest = (
    SetRule | SetQuorum | RegisterPresent | RegisterAbsent | ShowWhatIf | ProposeAgenda | MakeRecord
)


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
)


@dataclass(frozen=True)
class TableMotion:
    text: str
    deadline: str | None = None  # as typed; resolved in the meeting's zone by the service
    session: int | None = None
    cosponsors: tuple[str, ...] = ()
    title: str | None = None
    amends: int | None = None
    kept_in_text: tuple[str, ...] = ()  # option keywords not followed by their values


@dataclass(frozen=True)
class OpenTablingForm:
    pass


@dataclass(frozen=True)
class RaiseObjection:
    number: int
    reason: str


@dataclass(frozen=True)
class WithdrawPosition:
    """Withdraw the delegation's position, whatever it is (objection, reservation, ...)."""

    number: int


@dataclass(frozen=True)
class StatePosition:
    """A reservation or a stand-aside: on record, never blocking."""

    number: int
    kind: PositionKind
    statement: str


ObjectRequest = RaiseObjection | WithdrawPosition | StatePosition | ShowHelp

# ---- parsers ----------------------------------------------------------------------------

_ITEM_REF = re.compile(r"#?(\d{1,6})")
_MENTION_PATTERN = r"<@[UW][A-Z0-9]+(?:\|[^<>]*)?>"
_DELEGATION_ADD = re.compile(
    rf"(?P<name>.+?)\s+(?P<role>participant|observer)\s+(?P<members>(?:{_MENTION_PATTERN}\s*)+)",
    re.IGNORECASE | re.DOTALL,
)


def name_key(name: str) -> str:
    """How delegation names compare: unicode-normalised, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def clean_name(raw: str, usage: str) -> str:
    name = unicodedata.normalize("NFC", " ".join(plain_text(raw).split()))
    if not name:
        raise UsageError("A delegation needs a name.", usage=usage)
    if len(name) > MAX_DELEGATION_NAME:
        raise UsageError(
            f"A delegation name can be at most {MAX_DELEGATION_NAME} characters"
            f" (this one has {len(name)}).",
            usage=usage,
        )
    return name


def _limited(text: str, limit: int, what: str, usage: str) -> str:
    if len(text) > limit:
        raise UsageError(
            f"{what} can be at most {limit:,} characters (yours has {len(text):,}).", usage=usage
        )
    return text


def parse_item_number(token: str, usage: str, *, what: str = "an item number") -> int:
    match = _ITEM_REF.fullmatch(token.strip())
    if not match or int(match.group(1)) == 0:
        shown = plain_text(token)[:40] or "nothing"
        raise UsageError(f"“{shown}” is not {what}; write it as `4` or `#4`.", usage=usage)
    return int(match.group(1))


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
        return StartMeeting(_limited(title, MAX_TITLE, "A meeting title", usage))
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
        return _parse_propose(_rest_after(text, 2))
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
    if verb == "set":
        return _parse_setting(head[1] if len(head) > 1 else "", _rest_after(text, 2))
    if verb == "session":
        return _parse_session(head[1] if len(head) > 1 else "", _rest_after(text, 2))
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
        confirmed = len(words) == 3 and words[2].lower() == "confirm"
        if len(words) != 2 and not confirmed:
            raise UsageError(
                "Name the one item to decide, followed by `confirm` only when asked to.",
                usage=usage,
            )
        return Decide(parse_item_number(words[1], usage), confirmed)
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


def _parse_propose(rest: str) -> MeetingRequest:
    usage = usage_of("/meeting agenda propose")
    rest = plain_text(rest)
    if not rest:
        return ProposeAgenda(None)
    if not rest.lower().startswith("deadline:") or not rest[9:].strip():
        raise UsageError("Write `deadline:` and the deadline, or nothing.", usage=usage)
    return ProposeAgenda(rest[9:].strip())


def _parse_setting(name: str, value: str) -> MeetingRequest:
    value = plain_text(value)
    if name == "rule":
        try:
            return SetRule(parse_rule(value))
        except ValueError as exc:
            raise UsageError(str(exc), usage=usage_of("/meeting set rule")) from None
    if name == "quorum":
        usage = usage_of("/meeting set quorum")
        if value.lower() == "off":
            return SetQuorum(0)
        if not (value.isascii() and value.isdigit()) or not 0 < int(value) <= 10000:
            raise UsageError(
                "The quorum is a number of participant delegations, or `off`.", usage=usage
            )
        return SetQuorum(int(value))
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
        if name == "digest":
            return SetDigest(None if value.lower() == "off" else parse_clock(value))
    except TimeFormatError as exc:
        raise UsageError(str(exc), usage=usage_of(f"/meeting set {name}")) from None
    raise UsageError(
        "You can set `timezone`, `window`, `reminder`, `digest`, `rule` or `quorum`.",
        usage=usage_of("/meeting set"),
    )


_SESSION_ADD = re.compile(r"(\d{4}-\d{2}-\d{2}\s+\d{1,2}:\d{2})\s+(.+)", re.DOTALL)


def _parse_session(verb: str, rest: str) -> MeetingRequest:
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
        return AddSession(starts, _limited(title, MAX_TITLE, "A session title", usage))
    if verb == "remove":
        usage = usage_of("/meeting session remove")
        return RemoveSession(parse_item_number(rest, usage, what="a session number"))
    raise UsageError("Use `session add` or `session remove`.", usage=usage_of("/meeting session"))


_MOTION_OPTION = re.compile(r"(?:^|\s)(deadline|session|cosponsors|amends):", re.IGNORECASE)


def _is_motion_option(key: str, value: str) -> bool:
    """Whether ``value`` has the shape of ``key``'s value: a keyword followed by anything
    else is the motion's own words ("Extend the reporting deadline: see annex")."""
    if key == "deadline":
        return looks_like_when(value)
    if key == "cosponsors":
        return _name_list(value) is not None
    return _ITEM_REF.fullmatch(value) is not None  # session, amends


def _name_list(raw: str) -> tuple[str, ...] | None:
    """Comma-separated delegation names, each once however it is spelled (the first
    spelling kept), or None when ``raw`` lists no name or one longer than a name can be."""
    names: dict[str, str] = {}
    for part in raw.split(","):
        name = unicodedata.normalize("NFC", " ".join(part.split()))
        if len(name) > MAX_DELEGATION_NAME:
            return None
        if name:
            names.setdefault(name_key(name), name)
    return tuple(names.values()) or None


def _split_options(body: str, usage: str) -> tuple[str, dict[str, str], tuple[str, ...]]:
    """The motion's text, its trailing ``key: value`` options, and the keywords that stay
    in the text.

    Options are read from the end, and stop at the first keyword not followed by its value:
    that keyword and everything before it are the motion's words ("…the plenary session:
    items 1 to 4", "…the reporting deadline: see annex"), not a mistyped option."""
    markers = list(_MOTION_OPTION.finditer(body))
    start = len(markers)
    for index in range(len(markers) - 1, -1, -1):
        key = markers[index].group(1).lower()
        end = markers[index + 1].start() if index + 1 < len(markers) else len(body)
        if not _is_motion_option(key, body[markers[index].end() : end].strip()):
            break
        start = index
    options: dict[str, str] = {}
    for index in range(start, len(markers)):
        key = markers[index].group(1).lower()
        end = markers[index + 1].start() if index + 1 < len(markers) else len(body)
        if key in options:
            raise UsageError(f"Give `{key}:` once.", usage=usage)
        options[key] = body[markers[index].end() : end].strip()
    kept = tuple(dict.fromkeys(m.group(1).lower() for m in markers[:start]))
    text_end = markers[start].start() if start < len(markers) else len(body)
    return body[:text_end].strip(), options, kept


def parse_table_motion(text: str) -> TableMotion | OpenTablingForm | ShowHelp:
    usage = usage_of("/table-motion")
    body = plain_text(text)
    if body.lower() == "help":
        return ShowHelp()
    if not body:
        return OpenTablingForm()
    motion, options, kept = _split_options(body, usage)
    if not motion:
        raise UsageError("Write the text of the motion after the command.", usage=usage)
    session = None
    if "session" in options:
        session = parse_item_number(options["session"], usage, what="a session number")
    amends = None
    if "amends" in options:
        amends = parse_item_number(options["amends"], usage)
    return TableMotion(
        _limited(motion, MAX_ITEM_TEXT, "A motion's text", usage),
        deadline=options.get("deadline"),
        session=session,
        cosponsors=_name_list(options.get("cosponsors", "")) or (),
        amends=amends,
        kept_in_text=kept,
    )


def parse_object(text: str) -> ObjectRequest:
    words = text.split(maxsplit=2)
    if not words or (len(words) == 1 and words[0].lower() == "help"):
        if not words:
            raise UsageError("Name the item you object to.", usage=usage_of("/object"))
        return ShowHelp()
    if words[0].lower() == "withdraw":
        usage = usage_of("/object withdraw")
        if len(words) != 2:
            raise UsageError("Name the one item whose position you withdraw.", usage=usage)
        return WithdrawPosition(parse_item_number(words[1], usage))
    usage = usage_of("/object")
    number = parse_item_number(words[0], usage)
    reason = plain_text(text.split(maxsplit=1)[1]) if len(words) > 1 else ""
    stated = _STATEMENT.match(reason)
    if stated:
        kind = PositionKind(stated.group(1).lower().replace(" ", "-"))
        usage = usage_of(f"/object <item> {kind.value}:")
        statement = reason[stated.end() :].strip()
        if not statement:
            raise UsageError(f"Write the statement after `{kind.value}:`.", usage=usage)
        return StatePosition(number, kind, _limited(statement, MAX_REASON, "A statement", usage))
    return RaiseObjection(number, _limited(reason, MAX_REASON, "A reason", usage))


_STATEMENT = re.compile(r"(reservation|stand[- ]aside)\s*:", re.IGNORECASE)
