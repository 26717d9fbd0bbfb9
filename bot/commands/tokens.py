"""What every command's text is made of: item numbers, delegation names, length limits, and
the request for help that every command accepts; pure."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.domain.errors import UsageError
from bot.domain.rules import MAX_DELEGATION_NAME
from bot.domain.text import plain_text

ITEM_REF = re.compile(r"#?(\d{1,6})")


@dataclass(frozen=True)
class ShowHelp:
    """The commands open to the caller: what ``help`` after any command asks for."""


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


def limited(text: str, limit: int, what: str, usage: str) -> str:
    """``text`` unchanged, or refused when it is over ``limit`` characters."""
    if len(text) > limit:
        raise UsageError(
            f"{what} can be at most {limit:,} characters (yours has {len(text):,}).", usage=usage
        )
    return text


def parse_item_number(token: str, usage: str, *, what: str = "an item number") -> int:
    match = ITEM_REF.fullmatch(token.strip())
    if not match or int(match.group(1)) == 0:
        shown = plain_text(token)[:40] or "nothing"
        raise UsageError(f"“{shown}” is not {what}; write it as `4` or `#4`.", usage=usage)
    return int(match.group(1))
