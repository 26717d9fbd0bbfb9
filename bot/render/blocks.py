"""Block Kit building blocks every message is made of; pure, no I/O.

Every message carries a plain ``text`` fallback beside its blocks and stays within Slack's
limits (50 blocks a message, 3,000 characters a section). User text is escaped here, once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.domain.model import Item, Meeting
from bot.domain.rules import (
    ItemStatus,
    Objection,
    Outcome,
    PositionKind,
    Tally,
    outcome,
)
from bot.domain.text import escape, truncate

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150


@dataclass(frozen=True)
class Message:
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)

    def as_ack(self) -> dict[str, Any]:
        """The body of an ephemeral acknowledgement."""
        return {"response_type": "ephemeral", "text": self.text, "blocks": self.blocks}


def message(text: str, blocks: Sequence[Block]) -> Message:
    """``text`` is the notification fallback, parsed as mrkdwn too: user parts must be escaped."""
    return Message(truncate(text, 3000), [b.to_dict() for b in blocks])


def section(mrkdwn: str, accessory: ButtonElement | None = None) -> SectionBlock:
    return SectionBlock(
        text=MarkdownTextObject(text=truncate(mrkdwn, MAX_SECTION)), accessory=accessory
    )


def context(mrkdwn: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=truncate(mrkdwn, 2000))])


def pack(lines: Iterable[str], *, max_blocks: int, more: str = "…and {n} more.") -> list[Block]:
    """Pack lines into as few sections as fit, never over ``max_blocks``; what does not fit
    is counted in a closing line instead of being sent for Slack to reject."""
    blocks: list[Block] = []
    chunk: list[str] = []
    size = 0
    pending = list(lines)
    for index, line in enumerate(pending):
        line = truncate(line, MAX_SECTION)
        if chunk and size + len(line) + 1 > MAX_SECTION:
            if len(blocks) >= max_blocks - 2:
                rest = len(pending) - index
                blocks.append(section("\n".join(chunk)))
                blocks.append(context(more.format(n=rest)))
                return blocks
            blocks.append(section("\n".join(chunk)))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        blocks.append(section("\n".join(chunk)))
    return blocks[:max_blocks]


def duration(delta: timedelta) -> str:
    """``1d 2h 30m`` style, the way durations are typed."""
    minutes = int(delta.total_seconds()) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{mins}m" if mins else ""]
    return " ".join(p for p in parts if p) or "0m"


def when(moment: datetime, timezone: str) -> str:
    """A date each reader sees in their own zone; the fallback names the meeting's zone."""
    local = moment.astimezone(ZoneInfo(timezone))
    fallback = local.strftime("%Y-%m-%d %H:%M ") + timezone
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def quote(text: str, limit: int = 1200) -> str:
    return "\n".join("> " + line for line in escape(truncate(text, limit)).splitlines() or [""])


def objection_lines(objections: Sequence[Objection]) -> list[str]:
    return [
        f"• *{escape(o.delegation)}*"
        + (f": {escape(o.reason)}" if o.reason else " (no reason given)")
        for o in objections
    ]


def count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


STATUS_LABEL = {
    ItemStatus.OPEN: "open",
    ItemStatus.ADOPTED: "adopted",
    ItemStatus.BLOCKED: "blocked, excised from the agenda",
    ItemStatus.WITHDRAWN: "withdrawn",
    ItemStatus.SUPERSEDED: "superseded",
    ItemStatus.REJECTED: "not adopted by vote",
}
STATUS_EMOJI = {
    ItemStatus.OPEN: ":large_blue_circle:",
    ItemStatus.ADOPTED: ":white_check_mark:",
    ItemStatus.BLOCKED: ":no_entry:",
    ItemStatus.WITHDRAWN: ":heavy_minus_sign:",
    ItemStatus.SUPERSEDED: ":twisted_rightwards_arrows:",
    ItemStatus.REJECTED: ":x:",
}


def is_blocked(item: Item, meeting: Meeting, participants: int) -> bool:
    """Whether the item's standing objections block it under the meeting's rule now."""
    return outcome(Tally(item.objections, participants), meeting.rule) is Outcome.BLOCKED


def note(text: str) -> Message:
    """A short ephemeral confirmation whose text is already safe mrkdwn: the text alone,
    which Slack shows as mrkdwn just as it would show one section block holding it."""
    return message(text, [])


def position_lines(item: Item) -> list[str]:
    labels = {PositionKind.RESERVATION: "reservation", PositionKind.STAND_ASIDE: "stands aside"}
    return [
        f"• *{escape(p.delegation)}* ({labels[p.kind]}): {escape(p.statement)}"
        for p in item.on_record
    ]


def links(item: Item) -> str:
    """Modified proposals, linked both ways."""
    parts = []
    if item.amends is not None:
        rival = item.rival_adopted if item.status is ItemStatus.OPEN else None
        parts.append(
            f"modifies #{item.amends}"
            + (f", which #{rival} already superseded" if rival is not None else "")
        )
    if item.superseded_by is not None:
        parts.append(f"superseded by #{item.superseded_by}")
    elif item.amended_by:
        parts.append("modified by " + ", ".join(f"#{n}" for n, _ in item.amended_by))
    return f" · {'; '.join(parts)}" if parts else ""


def sponsors(item: Item) -> str:
    line = f"tabled by *{escape(item.sponsor)}*"
    if item.cosponsors:
        line += ", co-sponsored by " + ", ".join(f"*{escape(c)}*" for c in item.cosponsors)
    return line


def item_line(item: Item, meeting: Meeting) -> str:
    line = f"*#{item.number}* {escape(truncate(item.text, 140))} — _{escape(item.sponsor)}_"
    if item.deadline is not None and item.status is ItemStatus.OPEN:
        line += f", closes {when(item.deadline, meeting.timezone)}"
    if item.status is ItemStatus.OPEN and item.objections:
        line += "; objecting: " + ", ".join(escape(o.delegation) for o in item.objections)
    if item.on_record:
        line += "; on record: " + ", ".join(escape(p.delegation) for p in item.on_record)
    return line
