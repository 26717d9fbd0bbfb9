"""What the bot says about procedure: quorum, what-if, agenda adoption, the record; pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.domain.model import AgendaProposal, Decision, Item, Meeting
from bot.domain.rules import (
    ItemStatus,
    WhatIf,
)
from bot.domain.text import escape, truncate
from bot.render.blocks import (
    MAX_BLOCKS,
    Message,
    context,
    message,
    pack,
    section,
    when,
)

# ---- procedure: quorum, what-if, agenda adoption ---------------------------------------------


def inquorate_notice(item: Item, why: str) -> Message:
    text = f"The deadline of #{item.number} passed without a quorum; it stays open."
    return message(
        text,
        [
            section(f":hourglass: *#{item.number} {escape(item.heading)}*: {escape(text)}"),
            context(escape(why) + " A chair can decide it with `/meeting decide`."),
        ],
    )


def what_if_answer(item: Item, found: WhatIf) -> Message:
    lines = [f"{'*' + o.value + '*'} under {r.describe()}" for r, o in found.others]
    return message(
        f"#{item.number}: {found.sentence()}.",
        [
            section(f"*#{item.number} {escape(item.heading)}*: {found.sentence()}."),
            section("Under each standard rule:\n" + "\n".join(f"• {line}" for line in lines)),
            context("Abstention and silence count as not objecting; observers are never counted."),
        ],
    )


def agenda_proposed(meeting: Meeting, proposal: AgendaProposal, items: Sequence[Item]) -> Message:
    lines = [
        f"*#{i.number}* {escape(truncate(i.heading, 140))} — _{escape(i.sponsor)}_" for i in items
    ]
    head = (
        f":clipboard: *Provisional agenda circulated for adoption.* Objections to any item are"
        f" due by {when(proposal.deadline, meeting.timezone)}; items blocked under"
        f" {meeting.rule.describe()} will be excised."
    )
    return message(
        f"Provisional agenda circulated: {len(items)} items; objections due by the deadline.",
        [
            section(head),
            *pack(lines, max_blocks=MAX_BLOCKS - 2),
            context("Object with `/object &lt;item&gt; &lt;reason&gt;` or the item's card."),
        ],
    )


def agenda_adopted(
    meeting: Meeting, items: Sequence[Item], decisions: Mapping[int, Decision]
) -> Message:
    # Kept: on the adopted agenda, open to be decided on its merits (or already adopted).
    kept = [i for i in items if i.status in (ItemStatus.OPEN, ItemStatus.ADOPTED)]
    excised = [i for i in items if i.status is ItemStatus.BLOCKED]
    other = [i for i in items if i.status is ItemStatus.WITHDRAWN]
    lines = [":white_check_mark: *Adopted agenda*"] + [
        f"*#{i.number}* {escape(truncate(i.heading, 140))}" for i in kept
    ] or ["(no item)"]
    if excised:
        lines.append(":no_entry: *Excised*")
        for item in excised:
            decision = decisions.get(item.id)
            blockers = (
                ", ".join(escape(o.delegation) for o in decision.objections) if decision else ""
            )
            lines.append(
                f"*#{item.number}* {escape(truncate(item.heading, 140))} — blocked by {blockers}"
            )
    if other:
        lines.append("*Withdrawn meanwhile*")
        lines += [
            f"*#{i.number}* {escape(truncate(i.heading, 140))} ({i.status.value})" for i in other
        ]
    return message(
        f"Agenda adopted: {len(kept)} items kept, {len(excised)} excised.",
        [
            section(f":classical_building: *The agenda of {escape(meeting.title)} is adopted.*"),
            *pack(lines, max_blocks=MAX_BLOCKS - 1),
        ],
    )


def record_comment(meeting: Meeting, items: int) -> str:
    return (
        f"Draft record of {escape(meeting.title)}: {items} items, with every position and"
        " decision (Markdown and CSV)."
    )
