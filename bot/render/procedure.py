"""What the bot says about procedure: the rule, quorum and attendance, what-if, agenda adoption,
the record; pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import Block

from bot.domain.model import AgendaProposal, Attendance, Decision, Item, Meeting
from bot.domain.rules import ItemStatus, Rule
from bot.domain.text import escape, truncate
from bot.domain.votes import STANDARD_MAJORITIES, Vote
from bot.domain.what_if import WhatIf
from bot.render.blocks import (
    MAX_BLOCKS,
    STATUS_LABEL,
    Message,
    context,
    links,
    message,
    note,
    pack,
    section,
    when,
)
from bot.render.votes import result_sentence
from bot.render.what_if import consensus_what_if, vote_what_if

# ---- answers to the chair and delegations --------------------------------------------------


def rule_set(rule: Rule) -> Message:
    return note(
        f"Items are now decided by *{rule.describe()}*. Every decision records the rule"
        " it was taken under."
    )


def quorum_set(quorum: int, present: int) -> Message:
    if quorum == 0:
        return note("No quorum is required to decide.")
    return note(
        f"Deciding needs {quorum} participant delegations present; {present} have"
        " registered with `/meeting present`."
    )


def registered_present(attendance: Attendance) -> Message:
    said = "is registered present" if attendance.newly else "was already registered"
    return _attendance(attendance, said)


def registered_absent(attendance: Attendance) -> Message:
    said = "is no longer registered present" if attendance.newly else "was not registered present"
    return _attendance(attendance, said)


def _attendance(attendance: Attendance, said: str) -> Message:
    if attendance.quorum:
        count = f" {attendance.present} of the {attendance.quorum} required are present."
    else:
        count = f" {attendance.present} participant delegations are present."
    return note(f"*{escape(attendance.delegation.name)}* {said}.{count}")


def agenda_circulated(proposal: AgendaProposal) -> Message:
    return note(
        f"The provisional agenda ({len(proposal.items)} items) is circulated; objections"
        " close at the deadline and the adopted agenda is announced then."
    )


def record_requested() -> Message:
    return note(
        "The record is being prepared; it will be uploaded to this channel as Markdown and CSV."
    )


# ---- channel notices: quorum, what-if, agenda adoption ---------------------------------------


def inquorate_notice(item: Item, why: str, cause: str = "quorum") -> Message:
    """A deadline passed and nothing was decided: no quorum, or (``superseded``) the item
    modifies a text already superseded, which only a chair's confirmation decides."""
    if cause == "vote":
        text = (
            f"The deadline of #{item.number} passed without a decision; it stays open:"
            " under this meeting's rule a vote decides it."
        )
        then = f" A chair opens one with `/meeting vote {item.number}`."
    elif cause == "superseded":
        text = (
            f"The deadline of #{item.number} passed without a decision; it stays open:"
            f" the item it modifies, #{item.amends}, is already superseded."
        )
        then = ""
    else:
        text = f"The deadline of #{item.number} passed without a quorum; it stays open."
        then = " A chair can decide it with `/meeting decide`."
    return message(
        text,
        [
            section(f":hourglass: *#{item.number} {escape(item.heading)}*: {escape(text)}"),
            context(escape(why) + then),
        ],
    )


def what_if_answer(item: Item, found: WhatIf, vote: Vote | None = None) -> Message:
    """``/meeting whatif``: after a vote (``vote`` closed with a result), the same ballots
    under every other standard majority; otherwise what the objections settle for certain
    and what a vote under each standard majority would need."""
    subject = f"*#{item.number} {escape(item.heading)}*"
    if vote is not None and vote.result is not None:
        sentence = result_sentence(vote.result)
        others = vote_what_if(vote.result)
        blocks: list[Block] = [section(f"{subject}: {sentence}")]
        if others:
            blocks.append(
                section(
                    "The same ballots under each other standard majority:\n"
                    + "\n".join(f"• {line}" for line in others)
                )
            )
        blocks.append(context("Counted from the ballots cast; observers never vote."))
        return message(f"#{item.number}: {sentence}", blocks)
    head, *rest = consensus_what_if(
        found, STANDARD_MAJORITIES, provisional=item.status is ItemStatus.OPEN
    )
    body = (
        section("\n".join(f"• {line}" for line in rest))
        if rest
        else context(
            "No participant delegation objects, so no consensus rule would block it; a vote"
            " counts ballots, which the absence of objections does not predict."
        )
    )
    return message(
        f"#{item.number}: {head}",
        [
            section(f"{subject}: {head}"),
            body,
            context(
                "An objection is not a vote against and silence is not a vote in favour: a vote"
                " can only be said to need so many yes votes. Observers are never counted."
            ),
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
    meeting: Meeting,
    proposal: AgendaProposal,
    items: Sequence[Item],
    decisions: Mapping[int, Decision],
    done: Mapping[str, Any],
) -> Message:
    """What the adoption did, as ``done`` recorded it when it happened (item ids under
    kept, excised, gone, undecided and blocked), with the quorum and attendance."""
    by_id = {i.id: i for i in items}
    if "kept" not in done:  # queued before adoptions recorded what they did
        done = {
            "kept": [i.id for i in items if i.status in (ItemStatus.OPEN, ItemStatus.ADOPTED)],
            "excised": [i.id for i in items if i.status is ItemStatus.BLOCKED],
            "gone": [
                i.id
                for i in items
                if i.status not in (ItemStatus.OPEN, ItemStatus.ADOPTED, ItemStatus.BLOCKED)
            ],
        }

    def listed(key: str) -> list[Item]:
        return [by_id[i] for i in done.get(key, ()) if i in by_id]

    gone = listed("gone")
    if proposal.inquorate:
        return _agenda_inquorate(
            meeting,
            listed("undecided"),
            set(done.get("blocked", ())),
            gone,
            int(done.get("quorum", meeting.quorum)),
            int(done.get("present", 0)),
        )
    kept, excised = listed("kept"), listed("excised")
    lines = [":white_check_mark: *Adopted agenda*"] + (
        [f"*#{i.number}* {escape(truncate(i.heading, 140))}" for i in kept] or ["(no item)"]
    )
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
    lines += _gone_lines(gone)
    quorum = int(done.get("quorum", 0))
    footer = [context(f"Quorum {quorum}: {done.get('present', 0)} present.")] if quorum else []
    return message(
        f"Agenda adopted: {len(kept)} items kept, {len(excised)} excised.",
        [
            section(f":classical_building: *The agenda of {escape(meeting.title)} is adopted.*"),
            *pack(lines, max_blocks=MAX_BLOCKS - 2),
            *footer,
        ],
    )


def _gone_lines(gone: Sequence[Item]) -> list[str]:
    if not gone:
        return []
    return ["*Decided or withdrawn before adoption*"] + [
        f"*#{i.number}* {escape(truncate(i.heading, 140))} ({STATUS_LABEL[i.status]}{links(i)})"
        for i in gone
    ]


def _agenda_inquorate(
    meeting: Meeting,
    undecided: Sequence[Item],
    blocked: set[int],
    gone: Sequence[Item],
    quorum: int,
    present: int,
) -> Message:
    are = "is" if present == 1 else "are"
    text = (
        f"The agenda was not adopted: no quorum ({present} of the {quorum} participant"
        f" delegations required {are} present). Nothing was kept or excised;"
        f" {len(undecided)} items stay open, undecided."
    )
    lines = [":large_blue_circle: *Still open, undecided*"] + (
        [
            f"*#{i.number}* {escape(truncate(i.heading, 140))}"
            + (
                " — provisionally blocked by "
                + ", ".join(escape(o.delegation) for o in i.objections)
                if i.id in blocked
                else ""
            )
            for i in undecided
        ]
        or ["(no item)"]
    )
    lines += _gone_lines(gone)
    return message(
        text,
        [
            section(
                f":hourglass: *The agenda of {escape(meeting.title)} was not adopted.* The"
                f" quorum is {quorum} participant delegations and {present} {are} present, so"
                " nothing was decided: no item was kept on the agenda or excised from it."
            ),
            *pack(lines, max_blocks=MAX_BLOCKS - 2),
            context(
                "Delegations register with `/meeting present`; once the quorum is present a"
                " chair can circulate the agenda again with `/meeting agenda propose`."
            ),
        ],
    )


def record_comment(meeting: Meeting, items: int) -> str:
    return (
        f"Draft record of {escape(meeting.title)}: {items} items, with every position and"
        " decision (Markdown and CSV)."
    )
