"""The App Home tab's view: each of the user's meetings, its open items, what to do next; pure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    HeaderBlock,
    PlainTextObject,
)
from slack_sdk.models.views import View

from bot.commands.payloads import Action, ItemRef, MeetingRef
from bot.domain.model import Delegation, HomeMeeting, Item
from bot.domain.rules import PositionKind
from bot.domain.text import escape, truncate
from bot.render.blocks import context, is_blocked, links, section, when
from bot.render.floor import home_lines
from bot.render.votes import home_vote_blocks

MAX_HOME_BLOCKS = 100
STANCE = {
    PositionKind.OBJECTION: ":no_entry: you object",
    PositionKind.RESERVATION: ":memo: reservation on record",
    PositionKind.STAND_ASIDE: ":raised_hand: standing aside",
    PositionKind.SUPPORT: ":handshake: co-sponsor",
}


def _stance(item: Item, delegation: Delegation | None) -> str:
    if delegation is None:
        return ""
    if item.sponsor_id == delegation.id:
        return " · :page_facing_up: your delegation's item"
    position = item.position_of(delegation.id)
    return f" · {STANCE[position.kind]}" if position else " · no position yet"


def _meeting_blocks(home: HomeMeeting) -> list[Block]:
    meeting = home.meeting
    who = (
        f"You speak for *{escape(home.delegation.name)}* ({home.delegation.role.value})"
        if home.delegation
        else "You are not in a delegation"
    )
    if home.is_chair:
        who += " and chair this meeting"
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=truncate(escape(meeting.title), 150))),
        context(f"{who}. Channel: <#{meeting.channel_id}>."),
    ]
    if home.delegation is not None:
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Table a motion",
                        action_id=Action.TABLE,
                        value=MeetingRef(meeting.id).pack(),
                    )
                ]
            )
        )
    blocks += home_vote_blocks(
        home.votes, home.delegation, is_chair=home.is_chair, timezone=meeting.timezone
    )
    if home.floor is not None:
        place = home.floor.place_of(home.delegation.id) if home.delegation else None
        blocks.append(section("\n".join(home_lines(home.floor, place, meeting.timezone))))
    if not home.open_items:
        blocks.append(section("Nothing is open."))
    for item in home.open_items[:12]:
        line = (
            f"*#{item.number} {escape(truncate(item.heading, 120))}* — _{escape(item.sponsor)}_"
            + links(item)
        )
        if item.deadline is not None:
            line += f"\nCloses {when(item.deadline, meeting.timezone)}"
        if item.objections:
            names = ", ".join(escape(o.delegation) for o in item.objections)
            if is_blocked(item, meeting, home.participants):
                line += f"\n:no_entry: Blocked by {names}"
            else:
                line += f"\nObjecting (not blocking under {meeting.rule.describe()}): {names}"
        line += _stance(item, home.delegation)
        if home.is_chair:
            decide = ButtonElement(
                text="Decide now",
                action_id=Action.DECIDE,
                value=ItemRef(meeting.id, item.id).pack(),
            )
            blocks.append(section(line, accessory=decide))
        else:
            blocks.append(section(line))
    if len(home.open_items) > 12:
        blocks.append(context(f"…and {len(home.open_items) - 12} more open items."))
    if home.blocked:
        lines = [
            f"#{i.number} {escape(truncate(i.heading, 80))} — blocked by "
            + ", ".join(escape(o.delegation) for o in d.objections)
            for i, d in home.blocked[-8:]
        ]
        blocks.append(section("*Blocked and excised*\n" + "\n".join(lines)))
    if home.is_chair:
        blocks.append(
            context(
                "Chair shortcuts: `/meeting delegation add`, `/meeting session add`,"
                " `/meeting set window`, `/meeting set digest`, `/meeting agenda`"
                " — type them in the meeting's channel."
            )
        )
    blocks.append(DividerBlock())
    return blocks


def home_view(homes: Sequence[HomeMeeting]) -> dict[str, Any]:
    blocks: list[Block] = []
    if not homes:
        blocks.append(
            section(
                "*Plenary* runs consensus meetings in channels. You are not in any meeting yet:"
                " a chair adds your delegation with `/meeting delegation add`, or start one in"
                " a channel with `/meeting start <title>`.".replace("<title>", "&lt;title&gt;")
            )
        )
    for home in homes:
        chunk = _meeting_blocks(home)
        if len(blocks) + len(chunk) > MAX_HOME_BLOCKS - 1:
            blocks.append(context("More meetings are not shown; open their channels."))
            break
        blocks += chunk
    return View(type="home", blocks=blocks).to_dict()
