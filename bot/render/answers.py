"""What the bot answers one person, privately: refusals, receipts and listings; pure, no I/O.

User text is escaped here, once; the shared building blocks are in ``bot.render.blocks``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from slack_sdk.models.blocks import Block, DividerBlock

from bot.domain.errors import PlenaryError
from bot.domain.model import (
    Decision,
    Delegation,
    DelegationChange,
    Item,
    Meeting,
    PositionChange,
)
from bot.domain.rules import BlockChange, ItemStatus, PositionKind, Tally
from bot.domain.text import escape, truncate
from bot.domain.votes import Vote
from bot.domain.what_if import WhatIf, what_if
from bot.render.blocks import (
    MAX_BLOCKS,
    STATUS_EMOJI,
    STATUS_LABEL,
    Message,
    context,
    links,
    message,
    note,
    pack,
    section,
)
from bot.render.votes import status_phrase
from bot.render.what_if import consensus_what_if_short


def error(err: PlenaryError) -> Message:
    # Messages quote what the user typed, so they are escaped like any user text; only the
    # bot's own user mentions (ids it resolved) are let through again.
    said = escape(err.message)
    for user_id in err.mentions:
        said = said.replace(f"&lt;@{user_id}&gt;", f"<@{user_id}>")
    usage = f"\nUsage: {escape(err.usage)}" if err.usage else ""
    blocks: list[Block] = [section(f":warning: {said}")]
    if err.usage:
        blocks.append(context(f"Usage: {escape(err.usage)}"))
    return message(f"{said}{usage}", blocks)


# What a person in a workspace without an install is told (Bolt answers it, ephemerally).
NOT_INSTALLED = (
    ":warning: Plenary is not installed in this workspace (it was never installed, or it was"
    " uninstalled). A workspace admin can install it again from the install page."
)


def internal_error(reference: str) -> Message:
    text = (
        "Sorry, Plenary hit an unexpected problem and could not finish this request."
        f" If it changed something, `/meeting agenda` shows it. Reference: {reference}."
    )
    return message(text, [section(f":warning: {text}")])


POSITION_LABEL = {
    PositionKind.OBJECTION: "objection",
    PositionKind.RESERVATION: "reservation",
    PositionKind.STAND_ASIDE: "stand-aside",
    PositionKind.SUPPORT: "co-sponsorship",
}
POSITION_ON = {
    PositionKind.OBJECTION: "to",
    PositionKind.RESERVATION: "on",
    PositionKind.STAND_ASIDE: "on",
    PositionKind.SUPPORT: "of",
}


def position_receipt(change: PositionChange, kind: PositionKind) -> Message:
    """The answer to recording ``kind`` of position: what stands now, and what it changed."""
    who = escape(change.delegation.name)
    number = change.item.number
    label = POSITION_LABEL[kind]
    on = POSITION_ON[kind]
    if change.replaced:
        return note(f"{who}'s {label} {on} #{number} already stands; it still counts once.")
    icon = ":no_entry: " if kind is PositionKind.OBJECTION else ""
    if change.updated:
        return note(f"Updated {who}'s {label} {on} #{number}: the new wording is on record.")
    text = f"{icon}Recorded {who}'s {label} {on} #{number}."
    previous = change.previous.kind if change.previous else None
    if previous is not None and previous is not kind:
        text += f" It replaces the {POSITION_LABEL[previous]}, which stays in the record."
    if change.change is BlockChange.NOW_BLOCKED:
        text += " The item is now blocked; the channel has been told."
    if change.change is BlockChange.UNBLOCKED:
        text += " The item is no longer blocked; the channel has been told."
    return note(text)


def withdrawal_receipt(change: PositionChange) -> Message:
    assert change.previous is not None  # a withdrawal always ends a position
    kind = change.previous.kind
    text = (
        f"Withdrew {escape(change.delegation.name)}'s {POSITION_LABEL[kind]} {POSITION_ON[kind]}"
        f" #{change.item.number}."
    )
    if change.change is BlockChange.UNBLOCKED:
        text += " The item is no longer blocked; the channel has been told."
    return note(text)


# What each option keyword of /table-motion must be followed by to be taken as an option.
OPTION_VALUES = {
    "deadline": "a deadline (`YYYY-MM-DD HH:MM` or `in 2h`)",
    "session": "a session number",
    "cosponsors": "delegation names",
    "amends": "an item number",
}


def tabled_receipt(item: Item, kept_in_text: Sequence[str] = ()) -> Message:
    text = (
        f":page_facing_up: Tabled as *#{item.number}* for *{escape(item.sponsor)}*."
        " The channel has been told."
    )
    for keyword in kept_in_text:
        text += (
            f" `{keyword}:` is part of the motion's text, as it is not followed by"
            f" {OPTION_VALUES[keyword]}."
        )
    return note(text)


def meeting_chaired(meeting: Meeting) -> Message:
    """The answer to starting a meeting: it meets here, and what the new chair does next."""
    return note(
        f":classical_building: *{escape(meeting.title)}* now meets in this channel and"
        " you chair it. Next: register delegations with"
        " `/meeting delegation add &lt;name&gt; participant|observer &lt;@user&gt;`."
    )


def chair_added(user_id: str, *, added: bool) -> Message:
    return note(f"<@{user_id}> is now a chair." if added else f"<@{user_id}> is already a chair.")


def delegation_registered(change: DelegationChange) -> Message:
    d = change.delegation
    if change.returned:
        said = (
            f"Registered *{escape(d.name)}* again as {d.role.value}; its items and"
            " positions on record are its own again."
        )
    elif change.created:
        said = f"Registered *{escape(d.name)}* as {d.role.value}."
    else:
        said = f"*{escape(d.name)}* ({d.role.value}) was already registered."
    parts = [said]
    if change.added:
        parts.append("Added " + ", ".join(f"<@{u}>" for u in change.added) + ".")
    if change.already:
        parts.append("Already members: " + ", ".join(f"<@{u}>" for u in change.already) + ".")
    return note(" ".join(parts))


def delegation_removed(delegation: Delegation) -> Message:
    return note(
        f"Removed *{escape(delegation.name)}*. Its standing objections on open items lapsed;"
        " its past positions stay on record."
    )


def item_withdrawn(item: Item) -> Message:
    return note(f"#{item.number} is withdrawn and leaves the agenda; the channel has been told.")


def item_decided(item: Item, *, from_home: bool = False) -> Message:
    """A chair's decision: from the Home tab the channel is named, since it is elsewhere."""
    channel = "the meeting's channel" if from_home else "the channel"
    return note(
        f"#{item.number} is decided: *{STATUS_LABEL[item.status]}*."
        f" The outcome has been announced in {channel}."
    )


def delegations(meeting: Meeting, found: Sequence[Delegation]) -> Message:
    if not found:
        return note(
            f"No delegation is registered in *{escape(meeting.title)}* yet."
            " A chair adds one with `/meeting delegation add`."
        )
    lines = [
        f"• *{escape(d.name)}* ({d.role.value}): "
        + (", ".join(f"<@{u}>" for u in d.members) or "no members")
        for d in found
    ]
    participants = sum(1 for d in found if d.role.may_block)
    head = (
        f"*{escape(meeting.title)}*: {len(found)} delegations, {participants} participants,"
        f" {len(found) - participants} observers. Chairs: "
        + ", ".join(f"<@{c}>" for c in meeting.chairs)
    )
    return message(
        f"{len(found)} delegations in {escape(meeting.title)}",
        [section(head), *pack(lines, max_blocks=MAX_BLOCKS - 1)],
    )


def item_what_if(
    item: Item, meeting: Meeting, decision: Decision | None, participants: int
) -> WhatIf:
    """Under the rule that decided it, or (open) that would decide it now."""
    if decision is not None:
        return what_if(Tally(decision.objections, decision.participants), decision.rule)
    return what_if(Tally(item.objections, participants), meeting.rule)


def agenda(
    meeting: Meeting,
    items: Sequence[Item],
    decisions: Mapping[int, Decision] | None = None,
    participants: int = 0,
    votes: Mapping[int, Vote] | None = None,
) -> Message:
    """Every item with its status; ``votes``: each item's latest vote, by item id."""
    decisions = decisions or {}
    votes = votes or {}
    if not items:
        return note(
            f"The agenda of *{escape(meeting.title)}* is empty. Table an item with"
            " `/table-motion &lt;text&gt;`."
        )
    lines = []
    for item in items:
        line = (
            f"{STATUS_EMOJI[item.status]} *#{item.number}* {escape(truncate(item.text, 140))}"
            f" — _{escape(item.sponsor)}_, {STATUS_LABEL[item.status]}"
        )
        decision = decisions.get(item.id)
        if item.status is ItemStatus.OPEN and item.objections:
            line += "; objecting: " + ", ".join(escape(o.delegation) for o in item.objections)
        if decision is not None and decision.objections:
            verb = "blocked by" if item.status is ItemStatus.BLOCKED else "despite objections of"
            line += f"; {verb} " + ", ".join(escape(o.delegation) for o in decision.objections)
        standing = item.status is ItemStatus.OPEN and item.objections
        # A withdrawn or superseded item was never decided: no rule "would" change anything.
        if standing or (decision is not None and decision.objections):
            found = item_what_if(item, meeting, decision, participants)
            line += f" _({consensus_what_if_short(found)})_"
        vote = votes.get(item.id)
        if vote is not None:
            line += f"; {status_phrase(vote)}"
        line += links(item)
        lines.append(line)
    counts = {s: sum(1 for i in items if i.status is s) for s in ItemStatus}
    head = f"*Agenda of {escape(meeting.title)}*: " + ", ".join(
        f"{n} {STATUS_LABEL[s].split(',')[0]}" for s, n in counts.items() if n
    )
    return message(
        f"Agenda of {escape(meeting.title)}: {len(items)} items",
        [section(head), DividerBlock(), *pack(lines, max_blocks=MAX_BLOCKS - 2)],
    )
