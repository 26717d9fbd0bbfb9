"""Block Kit for everything the bot says, built from records; pure, no I/O.

Every message carries a plain ``text`` fallback beside its blocks and stays within Slack's
limits (50 blocks a message, 3,000 characters a section). User text is escaped here, once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.actions import Action, ItemRef
from bot.digest import Digest
from bot.domain import (
    BlockChange,
    ItemStatus,
    Objection,
    PositionKind,
    Tally,
    WhatIf,
    what_if,
)
from bot.errors import PlenaryError
from bot.records import AgendaProposal, Decision, Delegation, Item, Meeting, Session
from bot.reference import COMMANDS, Audience
from bot.text import escape, truncate

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


def _message(text: str, blocks: Sequence[Block]) -> Message:
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


def _quote(text: str, limit: int = 1200) -> str:
    return "\n".join("> " + line for line in escape(truncate(text, limit)).splitlines() or [""])


def _objection_lines(objections: Sequence[Objection]) -> list[str]:
    return [
        f"• *{escape(o.delegation)}*"
        + (f": {escape(o.reason)}" if o.reason else " (no reason given)")
        for o in objections
    ]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


STATUS_LABEL = {
    ItemStatus.OPEN: "open",
    ItemStatus.ADOPTED: "adopted",
    ItemStatus.BLOCKED: "blocked, excised from the agenda",
    ItemStatus.WITHDRAWN: "withdrawn",
}
STATUS_EMOJI = {
    ItemStatus.OPEN: ":large_blue_circle:",
    ItemStatus.ADOPTED: ":white_check_mark:",
    ItemStatus.BLOCKED: ":no_entry:",
    ItemStatus.WITHDRAWN: ":heavy_minus_sign:",
}


# ---- channel notices ------------------------------------------------------------------


def meeting_started(meeting: Meeting) -> Message:
    title = escape(meeting.title)
    return _message(
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


def _position_lines(item: Item) -> list[str]:
    labels = {PositionKind.RESERVATION: "reservation", PositionKind.STAND_ASIDE: "stands aside"}
    return [
        f"• *{escape(p.delegation)}* ({labels[p.kind]}): {escape(p.statement)}"
        for p in item.on_record
    ]


def _links(item: Item) -> str:
    """Modified proposals, linked both ways."""
    parts = []
    if item.amends is not None:
        parts.append(f"modifies #{item.amends}")
    if item.superseded_by is not None:
        parts.append(f"superseded by #{item.superseded_by}")
    elif item.amended_by:
        parts.append("modified by " + ", ".join(f"#{n}" for n, _ in item.amended_by))
    return f" · {'; '.join(parts)}" if parts else ""


def _sponsors(item: Item) -> str:
    line = f"tabled by *{escape(item.sponsor)}*"
    if item.cosponsors:
        line += ", co-sponsored by " + ", ".join(f"*{escape(c)}*" for c in item.cosponsors)
    return line


def item_buttons(item: Item) -> ActionsBlock:
    value = ItemRef(item.meeting_id, item.id).pack()
    return ActionsBlock(
        block_id=f"item-{item.id}",
        elements=[
            ButtonElement(text="Object", action_id=Action.OBJECT, value=value, style="danger"),
            ButtonElement(
                text="Withdraw my objection", action_id=Action.WITHDRAW_OBJECTION, value=value
            ),
            ButtonElement(text="Co-sponsor", action_id=Action.COSPONSOR, value=value),
            ButtonElement(
                text="Reservation / stand aside", action_id=Action.STATE_POSITION, value=value
            ),
        ],
    )


def item_card(item: Item, meeting: Meeting) -> Message:
    objections = item.objections
    status = STATUS_LABEL[item.status]
    if item.status is ItemStatus.OPEN and objections:
        status = f"open, provisionally blocked by {len(objections)}"
    lines = [f"{STATUS_EMOJI[item.status]} *#{item.number} {escape(item.heading)}*"]
    if item.text != item.heading:
        lines.append(_quote(item.text))
    details = [_sponsors(item) + _links(item), f"Status: *{status}*"]
    if item.deadline is not None:
        details.append(f"Deadline: {when(item.deadline, meeting.timezone)}")
    blocks: list[Block] = [section("\n".join(lines)), context(" · ".join(details))]
    if objections:
        heading = "Standing objections" if item.status is ItemStatus.OPEN else "Objections"
        blocks += pack([f"*{heading}*", *_objection_lines(objections)], max_blocks=30)
    if item.on_record:
        blocks += pack(["*On record*", *_position_lines(item)], max_blocks=12)
    if item.status is ItemStatus.OPEN:
        blocks.append(item_buttons(item))
        blocks.append(context(f"Or type `/object {item.number} &lt;reason&gt;`."))
    return _message(
        f"#{item.number} tabled by {escape(item.sponsor)} ({status}):"
        f" {escape(truncate(item.text, 500))}",
        blocks,
    )


def blocked_notice(item: Item, *, closed: bool) -> Message:
    objections = item.objections
    names = ", ".join(escape(o.delegation) for o in objections)
    if closed and item.status is ItemStatus.OPEN:
        return _message(
            f"#{item.number} was provisionally blocked; every objection has been withdrawn.",
            [
                section(
                    f"~:no_entry: #{item.number} is blocked~ Every objection has been withdrawn."
                )
            ],
        )
    if closed:
        return _message(
            f"#{item.number} was decided: {STATUS_LABEL[item.status]}.",
            [
                section(
                    f":no_entry: #{item.number} was blocked by"
                    f" {_count(len(objections), 'objection')}."
                    f" Decided: *{STATUS_LABEL[item.status]}*; the outcome is announced below."
                )
            ],
        )
    head = (
        f":no_entry: *#{item.number} is blocked.* {len(objections)} participant"
        f" {'delegation objects' if len(objections) == 1 else 'delegations object'}."
    )
    return _message(
        f"#{item.number} is blocked by {names}.",
        [
            section(head),
            *pack(_objection_lines(objections), max_blocks=MAX_BLOCKS - 3),
            context(
                f"{_quote(item.text, 200)}\nThe sponsor is *{escape(item.sponsor)}*."
                f" An objection can be withdrawn with `/object withdraw {item.number}`."
            ),
        ],
    )


def withdrawn_notice(item: Item, by_chair: bool) -> Message:
    who = "by the chair" if by_chair else f"by its sponsor, {escape(item.sponsor)}"
    text = f"#{item.number} was withdrawn {who}; it leaves the agenda."
    return _message(
        text, [section(f":heavy_minus_sign: *#{item.number} {escape(item.heading)}* — {text}")]
    )


def unblocked_notice(item: Item) -> Message:
    text = f"#{item.number} is no longer blocked: every objection has been withdrawn."
    return _message(
        text,
        [
            section(
                f":large_green_circle: *#{item.number} is no longer blocked*:"
                " every objection has been withdrawn."
            )
        ],
    )


def outcome_notice(item: Item, decision: Decision, meeting: Meeting) -> Message:
    rule = decision.rule.describe()
    late = " (decided late: the deadline passed while the bot was offline)" if decision.late else ""
    by = "at its deadline" if decision.decided_by == "deadline" else f"by <@{decision.decided_by}>"
    if item.status is ItemStatus.ADOPTED:
        head = f":white_check_mark: *#{item.number} adopted by {rule}.*"
        text = f"#{item.number} adopted by {rule}: {escape(truncate(item.text, 300))}"
        body: list[Block] = [section(head + "\n" + _quote(item.text, 600))]
    else:
        names = ", ".join(escape(o.delegation) for o in decision.objections)
        head = (
            f":no_entry: *#{item.number} blocked and excised from the agenda.*"
            f" Under {rule}, {len(decision.objections)} of {decision.participants} participant"
            " delegations objected:"
        )
        text = f"#{item.number} blocked and excised from the agenda; objecting: {names}."
        body = [section(head + "\n" + _quote(item.text, 600))]
        body += pack(_objection_lines(decision.objections), max_blocks=MAX_BLOCKS - 5)
    if item.on_record:
        body += pack(["*On record*", *_position_lines(item)], max_blocks=3)
    found = what_if(Tally(decision.objections, decision.participants), decision.rule)
    quorum = f" Quorum {decision.quorum}: {decision.present} present." if decision.quorum else ""
    body.append(context(f"What if: {found.sentence()}.{quorum}"))
    body.append(
        context(
            f"{_sponsors(item).capitalize()}{_links(item)} · Decided {by}"
            f" {when(decision.decided_at, meeting.timezone)}{late}"
        )
    )
    return _message(text + late, body)


# ---- ephemeral answers ------------------------------------------------------------------


def error(err: PlenaryError) -> Message:
    # Messages quote what the user typed, so they are escaped like any user text; only the
    # bot's own user mentions (ids it resolved) are let through again.
    message = escape(err.message)
    for user_id in err.mentions:
        message = message.replace(f"&lt;@{user_id}&gt;", f"<@{user_id}>")
    usage = f"\nUsage: {escape(err.usage)}" if err.usage else ""
    blocks: list[Block] = [section(f":warning: {message}")]
    if err.usage:
        blocks.append(context(f"Usage: {escape(err.usage)}"))
    return _message(f"{message}{usage}", blocks)


def internal_error(reference: str) -> Message:
    text = (
        "Sorry, Plenary hit an unexpected problem and could not finish this request."
        f" If it changed something, `/meeting agenda` shows it. Reference: {reference}."
    )
    return _message(text, [section(f":warning: {text}")])


def note(text: str) -> Message:
    """A short ephemeral confirmation whose text is already safe mrkdwn."""
    return _message(text, [section(text)])


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
) -> Message:
    who = escape(delegation)
    label = POSITION_LABEL[kind]
    on = POSITION_ON[kind]
    if replaced:
        return note(f"{who}'s {label} {on} #{number} already stands; it still counts once.")
    icon = ":no_entry: " if kind is PositionKind.OBJECTION else ""
    text = f"{icon}Recorded {who}'s {label} {on} #{number}."
    if previous is not None and previous is not kind:
        text += f" It replaces the {POSITION_LABEL[previous]}, which stays in the record."
    if change is BlockChange.NOW_BLOCKED:
        text += " The item is now blocked; the channel has been told."
    if change is BlockChange.UNBLOCKED:
        text += " No objection stands now; the channel has been told."
    return note(text)


def withdrawal_receipt(delegation: str, number: int, change: BlockChange) -> Message:
    text = f"Withdrew {escape(delegation)}'s objection to #{number}."
    if change is BlockChange.UNBLOCKED:
        text += " No objection stands now; the channel has been told."
    return note(text)


def tabled_receipt(item: Item) -> Message:
    return note(
        f":page_facing_up: Tabled as *#{item.number}* for *{escape(item.sponsor)}*."
        " The channel has been told."
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
    return _message(
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
        if item.status is ItemStatus.OPEN and item.objections:
            line += "; objecting: " + ", ".join(escape(o.delegation) for o in item.objections)
        if item.status is ItemStatus.BLOCKED or (
            item.status is ItemStatus.OPEN and item.objections
        ):
            found = item_what_if(item, meeting, decisions.get(item.id), participants)
            if found.outcome.value == "blocked":
                line += f" _({found.alternative()})_"
        line += _links(item)
        lines.append(line)
    counts = {s: sum(1 for i in items if i.status is s) for s in ItemStatus}
    head = f"*Agenda of {escape(meeting.title)}*: " + ", ".join(
        f"{n} {STATUS_LABEL[s].split(',')[0]}" for s, n in counts.items() if n
    )
    return _message(
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
    return _message("Plenary commands: " + ", ".join(escape(c.usage) for c in mine), blocks)


# ---- time: sessions, reminders, digests ---------------------------------------------------


def _item_line(item: Item, meeting: Meeting) -> str:
    line = f"*#{item.number}* {escape(truncate(item.text, 140))} — _{escape(item.sponsor)}_"
    if item.deadline is not None and item.status is ItemStatus.OPEN:
        line += f", closes {when(item.deadline, meeting.timezone)}"
    if item.status is ItemStatus.OPEN and item.objections:
        line += "; objecting: " + ", ".join(escape(o.delegation) for o in item.objections)
    if item.on_record:
        line += "; on record: " + ", ".join(escape(p.delegation) for p in item.on_record)
    return line


def sessions(meeting: Meeting, found: Sequence[Session]) -> Message:
    if not found:
        return note(
            f"No session is scheduled in *{escape(meeting.title)}*. A chair adds one with"
            " `/meeting session add &lt;YYYY-MM-DD HH:MM&gt; &lt;title&gt;`."
        )
    lines = [
        f"*{s.number}.* {escape(s.title)} — {when(s.starts_at, meeting.timezone)}" for s in found
    ]
    return _message(
        f"{len(found)} sessions in {escape(meeting.title)}",
        [
            section(f"*Sessions of {escape(meeting.title)}*"),
            *pack(lines, max_blocks=MAX_BLOCKS - 1),
        ],
    )


def reminder(meeting: Meeting, session: Session, items: Sequence[Item]) -> Message:
    head = (
        f":alarm_clock: *{escape(session.title)}* starts"
        f" {when(session.starts_at, meeting.timezone)}."
    )
    if items:
        body: list[Block] = [section(head + f" On its agenda, {_count(len(items), 'open item')}:")]
        body += pack([_item_line(i, meeting) for i in items], max_blocks=MAX_BLOCKS - 1)
    else:
        body = [section(head + " No open item is assigned to it.")]
    return _message(f"Reminder: {escape(session.title)} starts soon.", body)


def digest(d: Digest) -> Message:
    meeting = d.meeting
    late = " (sent late: the bot was offline at digest time)" if d.late else ""
    title = f"Daily digest of {meeting.title}"
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=truncate(escape(title), MAX_HEADER))),
        context(
            (f"Since {when(d.since, meeting.timezone)}" if d.since else "Since the meeting began")
            + late
        ),
    ]
    budget = MAX_BLOCKS - 2  # leave room for the closing context
    summary = (
        f"{len(d.tabled)} tabled, {len(d.adopted)} adopted, {len(d.blocked)} blocked,"
        f" {len(d.withdrawn)} withdrawn; {len(d.open_items)} open"
    )
    groups: list[tuple[str, list[str]]] = [
        (":page_facing_up: *Tabled*", [_item_line(i, meeting) for i in d.tabled]),
        (":white_check_mark: *Adopted*", [_item_line(i, meeting) for i in d.adopted]),
        (
            ":no_entry: *Blocked and excised*",
            [
                _item_line(i, meeting)
                + " — blocked by "
                + ", ".join(escape(o.delegation) for o in dec.objections)
                for i, dec in d.blocked
            ],
        ),
        (":heavy_minus_sign: *Withdrawn*", [_item_line(i, meeting) for i in d.withdrawn]),
        (":large_blue_circle: *Open*", [_item_line(i, meeting) for i in d.open_items]),
        (
            ":calendar: *Today's sessions*",
            [
                f"{escape(s.title)} — {when(s.starts_at, meeting.timezone)}"
                for s in d.sessions_today
            ],
        ),
    ]
    for heading, lines in groups:
        if not lines:
            continue
        room = budget - len(blocks)
        if room < 2:
            break
        # Each group gets a fair share of what is left so no group crowds out the others.
        share = max(2, room // 3) if heading != ":calendar: *Today's sessions*" else room
        blocks.append(section(heading))
        blocks += pack(lines, max_blocks=min(share, room) - 1)
    if d.is_quiet and not d.open_items:
        blocks.append(section("Nothing was tabled or decided, and nothing is open."))
    blocks.append(context(f"{summary}. `/meeting agenda` shows every item."))
    return _message(f"{escape(title)}: {summary}.{late}", blocks[:MAX_BLOCKS])


# ---- procedure: quorum, what-if, agenda adoption ---------------------------------------------


def inquorate_notice(item: Item, why: str) -> Message:
    text = f"The deadline of #{item.number} passed without a quorum; it stays open."
    return _message(
        text,
        [
            section(f":hourglass: *#{item.number} {escape(item.heading)}*: {escape(text)}"),
            context(escape(why) + " A chair can decide it with `/meeting decide`."),
        ],
    )


def what_if_answer(item: Item, found: WhatIf) -> Message:
    lines = [f"{'*' + o.value + '*'} under {r.describe()}" for r, o in found.others]
    return _message(
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
    return _message(
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
    kept = [i for i in items if i.status is ItemStatus.ADOPTED]
    excised = [i for i in items if i.status is ItemStatus.BLOCKED]
    other = [i for i in items if i.status not in (ItemStatus.ADOPTED, ItemStatus.BLOCKED)]
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
        lines.append("*Not decided*")
        lines += [
            f"*#{i.number}* {escape(truncate(i.heading, 140))} ({i.status.value})" for i in other
        ]
    return _message(
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
