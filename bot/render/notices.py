"""What the bot posts in a meeting's channel and keeps up to date: the meeting's start, item
cards and the notices of blocking, withdrawal and outcome; pure, no I/O.

Every message carries a plain ``text`` fallback and stays within Slack's limits; user text
is escaped here, once. The shared building blocks are in ``bot.render.blocks``.
"""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, HeaderBlock, PlainTextObject

from bot.commands.payloads import Action, ItemRef
from bot.domain.model import Decision, Item, Meeting
from bot.domain.rules import ItemStatus, Tally
from bot.domain.text import escape, truncate
from bot.domain.what_if import what_if
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
    objection_lines,
    pack,
    position_lines,
    quote,
    section,
    sponsors,
    when,
)
from bot.render.what_if import consensus_what_if


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
    rule = decision.rule.describe_without_vote()
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
    body.append(context(f"What if: {' '.join(consensus_what_if(found))}{quorum}"))
    body.append(
        context(
            f"{_upper_first(sponsors(item))}{links(item)} · Decided {by}"
            f" {when(decision.decided_at, meeting.timezone)}{late}"
        )
    )
    return message(text + late, body)
