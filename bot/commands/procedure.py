"""The procedure subcommands of ``/meeting``: the decision rule and quorum, attendance,
what-if, agenda adoption and the record; pure parsers to typed requests."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands.reference import usage_of
from bot.commands.rules import parse_rule
from bot.domain.errors import UsageError
from bot.domain.rules import Rule
from bot.domain.text import plain_text

PROCEDURE_SETTINGS = ("rule", "quorum")


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


def parse_procedure_setting(name: str, value: str) -> SetRule | SetQuorum:
    """``/meeting set rule|quorum <value>``, the value already plain text."""
    if name == "rule":
        try:
            return SetRule(parse_rule(value))
        except ValueError as exc:
            raise UsageError(str(exc), usage=usage_of("/meeting set rule")) from None
    usage = usage_of("/meeting set quorum")
    if value.lower() == "off":
        return SetQuorum(0)
    if not (value.isascii() and value.isdigit()) or not 0 < int(value) <= 10000:
        raise UsageError(
            "The quorum is a number of participant delegations, or `off`.", usage=usage
        )
    return SetQuorum(int(value))


def parse_propose(rest: str) -> ProposeAgenda:
    usage = usage_of("/meeting agenda propose")
    rest = plain_text(rest)
    if not rest:
        return ProposeAgenda(None)
    if not rest.lower().startswith("deadline:") or not rest[9:].strip():
        raise UsageError("Write `deadline:` and the deadline, or nothing.", usage=usage)
    return ProposeAgenda(rest[9:].strip())
