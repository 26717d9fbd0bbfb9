"""The help a person gets: the commands open to them first, by their role here; pure."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from bot.commands.reference import COMMANDS, Audience
from bot.domain.model import Delegation, Meeting
from bot.domain.text import escape
from bot.render.blocks import Message, context, message, pack, section


def help_text(meeting: Meeting | None, delegation: Delegation | None, user_id: str) -> Message:
    open_to: set[Audience] = {Audience.ANYONE}
    if meeting is not None and meeting.is_chair(user_id):
        open_to.add(Audience.CHAIR)
    if delegation is not None:
        open_to.add(Audience.MEMBER)
        if delegation.role.may_block:
            open_to.add(Audience.PARTICIPANT)
    if meeting is None:
        where = "This channel has no meeting yet; anyone can start one."
    elif delegation is None:
        where = f"You are in no delegation of *{escape(meeting.title)}*."
    else:
        where = f"You speak for *{escape(delegation.name)}* ({delegation.role.value})."
    mine = [c for c in COMMANDS if c.audience in open_to]
    others = [c for c in COMMANDS if c.audience not in open_to]
    lines = [
        f"`{escape(c.usage)}`\n      {escape(c.summary)} _e.g._ `{escape(c.example)}`" for c in mine
    ]
    blocks: list[Block] = [section(f"*Plenary commands* — {where}"), *pack(lines, max_blocks=40)]
    if others:
        blocks.append(
            context(
                "Also, for "
                + "; ".join(
                    f"{a.value}: "
                    + ", ".join(f"`{escape(c.usage)}`" for c in others if c.audience is a)
                    for a in Audience
                    if any(c.audience is a for c in others)
                )
            )
        )
    rule = meeting.rule.describe() if meeting is not None else "consensus"
    blocks.append(
        context(
            f"Decisions here are taken by {rule}: under consensus one standing objection of a"
            " participant delegation blocks an item. Abstention and silence count as not"
            " objecting; observers may table and state positions but never block or count."
        )
    )
    return message("Plenary commands: " + ", ".join(escape(c.usage) for c in mine), blocks)
