"""``/table-motion`` and ``/object``: tabling an item, and a delegation's position on one;
pure parsers to typed requests."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.commands.reference import usage_of
from bot.commands.tokens import ITEM_REF, ShowHelp, limited, name_key, parse_item_number
from bot.domain.calendar import looks_like_when
from bot.domain.errors import UsageError
from bot.domain.rules import MAX_DELEGATION_NAME, MAX_ITEM_TEXT, MAX_REASON, PositionKind
from bot.domain.text import plain_text


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


_MOTION_OPTION = re.compile(r"(?:^|\s)(deadline|session|cosponsors|amends):", re.IGNORECASE)


def _is_motion_option(key: str, value: str) -> bool:
    """Whether ``value`` has the shape of ``key``'s value: a keyword followed by anything
    else is the motion's own words ("Extend the reporting deadline: see annex")."""
    if key == "deadline":
        return looks_like_when(value)
    if key == "cosponsors":
        return _name_list(value) is not None
    return ITEM_REF.fullmatch(value) is not None  # session, amends


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
        limited(motion, MAX_ITEM_TEXT, "A motion's text", usage),
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
        return StatePosition(number, kind, limited(statement, MAX_REASON, "A statement", usage))
    return RaiseObjection(number, limited(reason, MAX_REASON, "A reason", usage))


_STATEMENT = re.compile(r"(reservation|stand[- ]aside)\s*:", re.IGNORECASE)
