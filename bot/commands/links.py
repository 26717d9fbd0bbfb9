"""The web-link subcommands of ``/meeting``: the room's screen and the public record;
pure parsers to typed requests."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands.reference import usage_of
from bot.domain.errors import UsageError
from bot.domain.links import PublishMode
from bot.domain.text import plain_text


@dataclass(frozen=True)
class ShowScreen:
    """The screen's link, told to the chair; ``rotate``: a new one, the old one dead."""

    rotate: bool = False


@dataclass(frozen=True)
class Publish:
    mode: PublishMode


LinkRequest = ShowScreen | Publish


def parse_screen(rest: str) -> ShowScreen:
    words = plain_text(rest).lower().split()
    if not words:
        return ShowScreen()
    if words == ["rotate"]:
        return ShowScreen(rotate=True)
    raise UsageError(
        "Write `/meeting screen` for the link, or `/meeting screen rotate` for a new one.",
        usage=usage_of("/meeting screen"),
    )


def parse_publish(rest: str) -> Publish:
    words = plain_text(rest).lower().split()
    if len(words) == 1 and words[0] in {m.value for m in PublishMode}:
        return Publish(PublishMode(words[0]))
    raise UsageError(
        "Write `on` to publish the record, `off` to stop, or `rotate` for a new link.",
        usage=usage_of("/meeting publish"),
    )
