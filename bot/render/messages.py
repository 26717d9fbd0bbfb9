"""What the bot says in the channel (notices) and to one person (answers); pure, no I/O.

Every message carries a plain ``text`` fallback and stays within Slack's limits; user text
is escaped here, once. The shared building blocks are in ``bot.blocks``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    HeaderBlock,
    PlainTextObject,
)

from bot.commands.payloads import Action, ItemRef
from bot.commands.reference import COMMANDS, Audience
from bot.domain.errors import PlenaryError
from bot.domain.model import Decision, Delegation, Item, Meeting
from bot.domain.rules import (
    BlockChange,
    ItemStatus,
    PositionKind,
    Tally,
    WhatIf,
    what_if,
)
from bot.domain.text import escape, truncate
from bot.render.blocks import (
    MAX_BLOCKS,
    MAX_HEADER,
    STATUS_EMOJI,
    STATUS_LABEL,
    Message,
    context,
    count,
    is_blocked,
    links,
    message,
    note,
    objection_lines,
    pack,
    position_lines,
    quote,
    section,
    sponsors,
    when,
)

# ---- channel notices ------------------------------------------------------------------


def meeting_started(meeting: Meeting) -> Message:
    title = escape(meeting.title)
    return message(
        f"Meeting started: {escape(meeting.title)}. Chair: <@{meeting.created_by}>.",
        [
            HeaderBlock(text=PlainTextObject(text=truncate(escape(meeting.title), MAX_HEADER))),
            section(
                f":classical_building: *{title}* is now in session in this channel."
                f" Chair: <@{meeting.created_by}>. Decisions are taken by"
                f" {meeting.rule.describe()}."
            ),
            context("Type `/meeting help` to see what you can do."),
        ],
    )


def item_buttons(item: Item) -> ActionsBlock:
    value = ItemRef(item.meeting_id, item.id).pack()
    return ActionsBlock(
        block_id=f"item-{item.id}",
        elements=[
            ButtonElement(text="Object", action_id=Action.OBJECT, value=value, style="danger"),
            # Withdraws whatever position the delegation holds; the action id is older than
            # that and stays, so buttons on messages already posted keep working.
            ButtonElement(
                text="Withdraw my position", action_id=Action.WITHDRAW_OBJECTION, value=value
            ),
            ButtonElement(text="Co-sponsor", action_id=Action.COSPONSOR, value=value),
            ButtonElement(
                text="Reservation / stand aside", action_id=Action.STATE_POSITION, value=value
            ),
        ],
    )


def _why_not_blocked(count_standing: int, meeting: Meeting) -> str:
    """How standing objections read when they do not block under the meeting's rule."""
    return (
        f"{count(count_standing, 'objection')} standing, not blocking under"
        f" {meeting.rule.describe()}"
    )


def item_card(item: Item, meeting: Meeting, participants: int) -> Message:
    objections = item.objections
    status = STATUS_LABEL[item.status]
    if item.status is ItemStatus.OPEN and objections:
        if is_blocked(item, meeting, participants):
            status = f"open, provisionally blocked by {len(objections)}"
        else:
            status = f"open, {_why_not_blocked(len(objections), meeting)}"
    lines = [f"{STATUS_EMOJI[item.status]} *#{item.number} {escape(item.heading)}*"]
    if item.text != item.heading:
        lines.append(quote(item.text))
    details = [sponsors(item) + links(item), f"Status: *{status}*"]
    if item.deadline is not None:
        details.append(f"Deadline: {when(item.deadline, meeting.timezone)}")
    blocks: list[Block] = [section("\n".join(lines)), context(" · ".join(details))]
    if objections:
        heading = "Standing objections" if item.status is ItemStatus.OPEN else "Objections"
        blocks += pack([f"*{heading}*", *objection_lines(objections)], max_blocks=30)
    if item.on_record:
        blocks += pack(["*On record*", *position_lines(item)], max_blocks=12)
    if item.status is ItemStatus.OPEN:
        blocks.append(item_buttons(item))
        blocks.append(context(f"Or type `/object {item.number} &lt;reason&gt;`."))
    return message(
        f"#{item.number} tabled by {escape(item.sponsor)} ({status}):"
        f" {escape(truncate(item.text, 500))}",
        blocks,
    )


def blocked_notice(item: Item, meeting: Meeting, *, closed: bool) -> Message:
    objections = item.objections
    names = ", ".join(escape(o.delegation) for o in objections)
    if closed and item.status is ItemStatus.OPEN:
        now = (
            f"{_why_not_blocked(len(objections), meeting)}."
            if objections
            else "Every objection has been withdrawn."
        )
        return message(
            f"#{item.number} was provisionally blocked; {now[0].lower()}{now[1:]}",
            [section(f"~:no_entry: #{item.number} is blocked~ {now}")],
        )
    if closed and item.status is ItemStatus.WITHDRAWN:
        return message(
            f"#{item.number} was withdrawn while blocked.",
            [section(f"~:no_entry: #{item.number} is blocked~ It was withdrawn.")],
        )
    if closed and item.status is ItemStatus.SUPERSEDED:
        by = f" by #{item.superseded_by}" if item.superseded_by is not None else ""
        return message(
            f"#{item.number} was superseded{by} and left the agenda.",
            [
                section(
                    f"~:no_entry: #{item.number} is blocked~ It was superseded{by}, its"
                    " modified version, and left the agenda."
                )
            ],
        )
    if closed and item.status is ItemStatus.ADOPTED:
        # Its standing changed before it was decided (an objection withdrawn, the rule or
        # the delegations changed): nothing blocked it when it was adopted.
        return message(
            f"#{item.number} is no longer blocked and was adopted.",
            [
                section(
                    f"~:no_entry: #{item.number} is blocked~ No longer blocked; decided:"
                    " *adopted*. The outcome is announced below."
                )
            ],
        )
    if closed:
        return message(
            f"#{item.number} was decided: {STATUS_LABEL[item.status]}.",
            [
                section(
                    f":no_entry: #{item.number} was blocked by"
                    f" {count(len(objections), 'objection')}."
                    f" Decided: *{STATUS_LABEL[item.status]}*; the outcome is announced below."
                )
            ],
        )
    head = (
        f":no_entry: *#{item.number} is blocked.* {len(objections)} participant"
        f" {'delegation objects' if len(objections) == 1 else 'delegations object'}."
    )
    return message(
        f"#{item.number} is blocked by {names}.",
        [
            section(head),
            *pack(objection_lines(objections), max_blocks=MAX_BLOCKS - 3),
            context(
                f"{quote(item.text, 200)}\nThe sponsor is *{escape(item.sponsor)}*."
                f" An objection can be withdrawn with `/object withdraw {item.number}`."
            ),
        ],
    )


def withdrawn_notice(item: Item, by_chair: bool) -> Message:
    who = "by the chair" if by_chair else f"by its sponsor, {escape(item.sponsor)}"
    text = f"#{item.number} was withdrawn {who}; it leaves the agenda."
    return message(
        text, [section(f":heavy_minus_sign: *#{item.number} {escape(item.heading)}* — {text}")]
    )


def unblocked_notice(item: Item, meeting: Meeting) -> Message:
    standing = len(item.objections)
    why = (
        f"{_why_not_blocked(standing, meeting)}."
        if standing
        else "every objection has been withdrawn."
    )
    text = f"#{item.number} is no longer blocked: {why}"
    return message(
        text, [section(f":large_green_circle: *#{item.number} is no longer blocked*: {why}")]
    )


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def outcome_notice(item: Item, decision: Decision, meeting: Meeting) -> Message:
    rule = decision.rule.describe()
    late = " (decided late: the deadline passed while the bot was offline)" if decision.late else ""
    by = {"deadline": "at its deadline", "agenda": "when the agenda was adopted"}.get(
        decision.decided_by, f"by <@{decision.decided_by}>"
    )
    if item.status is ItemStatus.ADOPTED:
        head = f":white_check_mark: *#{item.number} adopted by {rule}.*" + (
            f" It supersedes #{item.amends}." if item.amends is not None else ""
        )
        text = f"#{item.number} adopted by {rule}: {escape(truncate(item.text, 300))}"
        body: list[Block] = [section(head + "\n" + quote(item.text, 600))]
    else:
        names = ", ".join(escape(o.delegation) for o in decision.objections)
        head = (
            f":no_entry: *#{item.number} blocked and excised from the agenda.*"
            f" Under {rule}, {len(decision.objections)} of {decision.participants} participant"
            " delegations objected:"
        )
        text = f"#{item.number} blocked and excised from the agenda; objecting: {names}."
        body = [section(head + "\n" + quote(item.text, 600))]
        body += pack(objection_lines(decision.objections), max_blocks=MAX_BLOCKS - 5)
    if item.on_record:
        body += pack(["*On record*", *position_lines(item)], max_blocks=3)
    found = what_if(Tally(decision.objections, decision.participants), decision.rule)
    quorum = f" Quorum {decision.quorum}: {decision.present} present." if decision.quorum else ""
    body.append(context(f"What if: {found.sentence()}.{quorum}"))
    body.append(
        context(
            f"{_upper_first(sponsors(item))}{links(item)} · Decided {by}"
            f" {when(decision.decided_at, meeting.timezone)}{late}"
        )
    )
    return message(text + late, body)


# ---- ephemeral answers ------------------------------------------------------------------


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


def position_receipt(
    delegation: str,
    number: int,
    kind: PositionKind,
    *,
    replaced: bool,
    previous: PositionKind | None,
    change: BlockChange,
    updated: bool = False,
) -> Message:
    who = escape(delegation)
    label = POSITION_LABEL[kind]
    on = POSITION_ON[kind]
    if replaced:
        return note(f"{who}'s {label} {on} #{number} already stands; it still counts once.")
    icon = ":no_entry: " if kind is PositionKind.OBJECTION else ""
    if updated:
        return note(f"Updated {who}'s {label} {on} #{number}: the new wording is on record.")
    text = f"{icon}Recorded {who}'s {label} {on} #{number}."
    if previous is not None and previous is not kind:
        text += f" It replaces the {POSITION_LABEL[previous]}, which stays in the record."
    if change is BlockChange.NOW_BLOCKED:
        text += " The item is now blocked; the channel has been told."
    if change is BlockChange.UNBLOCKED:
        text += " The item is no longer blocked; the channel has been told."
    return note(text)


def withdrawal_receipt(
    delegation: str, number: int, kind: PositionKind, change: BlockChange
) -> Message:
    text = f"Withdrew {escape(delegation)}'s {POSITION_LABEL[kind]} {POSITION_ON[kind]} #{number}."
    if change is BlockChange.UNBLOCKED:
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
) -> Message:
    decisions = decisions or {}
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
            line += f" _({found.alternative()})_"
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
