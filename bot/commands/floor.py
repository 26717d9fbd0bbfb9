"""``/floor`` and the floor subcommands of ``/meeting`` (discuss, floor next|give|close|open,
set speaking-time); pure parsers to typed requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.commands.reference import usage_of
from bot.commands.tokens import ShowHelp, clean_name, parse_item_number
from bot.domain.errors import UsageError
from bot.domain.floor import RequestKind, parse_speaking_time
from bot.domain.text import plain_text

FLOOR_SETTINGS = ("speaking-time",)


@dataclass(frozen=True)
class AskFloor:
    kind: RequestKind


@dataclass(frozen=True)
class WithdrawRequest:
    pass


@dataclass(frozen=True)
class ShowFloor:
    pass


FloorCommand = AskFloor | WithdrawRequest | ShowFloor | ShowHelp


@dataclass(frozen=True)
class Discuss:
    number: int


@dataclass(frozen=True)
class EndDiscussion:
    pass


@dataclass(frozen=True)
class NextSpeaker:
    pass


@dataclass(frozen=True)
class GiveFloor:
    delegation: str


@dataclass(frozen=True)
class CloseList:
    closed: bool


@dataclass(frozen=True)
class SetSpeakingTime:
    limit: timedelta | None


FloorChairRequest = Discuss | EndDiscussion | NextSpeaker | GiveFloor | CloseList | SetSpeakingTime

_FLOOR_WORDS: dict[str, FloorCommand] = {
    "": AskFloor(RequestKind.SPEAK),
    "order": AskFloor(RequestKind.ORDER),
    "reply": AskFloor(RequestKind.REPLY),
    "withdraw": WithdrawRequest(),
    "list": ShowFloor(),
    "help": ShowHelp(),
}


def parse_floor(text: str) -> FloorCommand:
    """``/floor [order|reply|withdraw|list|help]``."""
    word = " ".join(text.split()).lower()
    found = _FLOOR_WORDS.get(word)
    if found is None:
        shown = plain_text(text).strip()[:40]
        raise UsageError(f"`/floor` has no subcommand “{shown}”.", usage=usage_of("/floor"))
    return found


def parse_discuss(rest: str) -> Discuss | EndDiscussion:
    """``/meeting discuss <item>|off``."""
    usage = usage_of("/meeting discuss")
    words = rest.split()
    if len(words) == 1 and words[0].lower() == "off":
        return EndDiscussion()
    if len(words) != 1:
        raise UsageError("Name the one item to discuss, or `off`.", usage=usage)
    return Discuss(parse_item_number(words[0], usage))


def parse_floor_chair(verb: str, rest: str) -> NextSpeaker | GiveFloor | CloseList:
    """``/meeting floor next|give <delegation>|close|open``."""
    if verb == "give":
        return GiveFloor(clean_name(rest, usage_of("/meeting floor give")))
    if not rest.strip():
        if verb == "next":
            return NextSpeaker()
        if verb in ("close", "open"):
            return CloseList(closed=verb == "close")
    raise UsageError(
        "Use `floor next`, `floor give <delegation>`, `floor close` or `floor open`.",
        usage=usage_of("/meeting floor"),
    )


def parse_speaking_time_setting(value: str) -> SetSpeakingTime:
    """``/meeting set speaking-time <duration>|off``, the value already plain text."""
    if value.strip().lower() == "off":
        return SetSpeakingTime(None)
    try:
        return SetSpeakingTime(parse_speaking_time(value))
    except ValueError as exc:
        raise UsageError(str(exc), usage=usage_of("/meeting set speaking-time")) from None
