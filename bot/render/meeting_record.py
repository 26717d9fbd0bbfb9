"""The meeting record: every item, who sponsored and co-sponsored it, every position with
its reason or statement, and each decision with its rule, in chronological order, as
Markdown and CSV. A neutral draft a secretariat edits into a chair's summary. Pure."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.floor import RequestKind, Turn
from bot.domain.model import Decision, Item, Meeting, RecordedPosition
from bot.domain.rules import ItemStatus, PositionKind, Tally
from bot.domain.votes import CastBallot, Vote
from bot.domain.what_if import what_if
from bot.render.floor import seconds
from bot.render.vote_record import vote_entries
from bot.render.what_if import consensus_what_if

KIND_LABEL = {
    PositionKind.OBJECTION: "objection",
    PositionKind.RESERVATION: "reservation",
    PositionKind.STAND_ASIDE: "stand aside",
    PositionKind.SUPPORT: "co-sponsor",
}
STATUS_LABEL = {
    ItemStatus.OPEN: "open",
    ItemStatus.ADOPTED: "adopted",
    ItemStatus.BLOCKED: "blocked (excised from the agenda)",
    ItemStatus.WITHDRAWN: "withdrawn",
    ItemStatus.SUPERSEDED: "superseded (left the agenda when its modified version was adopted)",
    ItemStatus.REJECTED: "not adopted by vote",
}
CSV_HEADER = (
    "item",
    "title",
    "sponsor",
    "status",
    "time",
    "event",
    "delegation",
    "statement",
    "rule",
)


def _local(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _line(text: str) -> str:
    """User text on one line, so it cannot start a heading or a fake entry of its own."""
    return " ".join(text.split())


def _cell(value: object) -> object:
    """A CSV cell a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _write(writer: Any, values: tuple[object, ...]) -> None:
    writer.writerow([_cell(v) for v in values])


def how_it_ended(position: RecordedPosition) -> str:
    """How a position that is no longer current ended: withdrawn, replaced, lapsed."""
    return {"lapsed": "lapsed when the delegation was removed"}.get(
        position.end_reason or "withdrawn", position.end_reason or "withdrawn"
    )


def _title(item: Item) -> str:
    """The title, or the whole first line of the text: a record is not a chat card."""
    return item.title or (item.text.splitlines() or [""])[0]


def event_label(position: RecordedPosition) -> str:
    """What kind of position it is, observers' objections marked as not blocking."""
    label = KIND_LABEL[position.kind]
    if position.kind is PositionKind.OBJECTION and not position.role.may_block:
        label += " (observer, not blocking)"
    return label


def decision_line(item: Item, decision: Decision, tz: ZoneInfo, *, public: bool = False) -> str:
    """The decision with its rule and what-if; ``public``: without the chair's Slack id."""
    chair = "by the chair" if public else f"by the chair (Slack user {decision.decided_by})"
    by = {
        "deadline": "at its deadline",
        "agenda": "when the agenda was adopted",
    }.get(decision.decided_by, chair)
    tally = Tally(decision.objections, decision.participants)
    quorum = f" Quorum {decision.quorum}, {decision.present} present." if decision.quorum else ""
    late = " (late: the bot was offline at the deadline)" if decision.late else ""
    what = _what_if(tally, decision)
    return f"Decision, {_local(decision.decided_at, tz)}, {by}{late}: {what}{quorum}"


def _what_if(tally: Tally, decision: Decision) -> str:
    return " ".join(consensus_what_if(what_if(tally, decision.rule)))


def _turn_marks(turn: Turn) -> str:
    """What set a turn apart, for the record: how it was asked for and given."""
    marks = {RequestKind.ORDER: ["point of order"], RequestKind.REPLY: ["right of reply"]}.get(
        turn.kind, []
    )
    if turn.out_of_order:
        marks.append("given out of order")
    if turn.time_is_up:
        marks.append("spoke past the speaking time")
    return f" ({', '.join(marks)})" if marks else ""


def build_record(
    meeting: Meeting,
    items: Sequence[Item],
    decisions: Mapping[int, Decision],
    positions: Sequence[RecordedPosition],
    generated_at: datetime,
    turns: Sequence[tuple[int, Turn]] = (),
    votes: Sequence[tuple[Vote, Sequence[CastBallot]]] = (),
    *,
    public: bool = False,
) -> tuple[str, str]:
    """(Markdown, CSV) of the meeting so far; ``turns``: who had the floor, by item id;
    ``votes``: every vote (open, closed or cancelled) with its whole ballot history;
    ``public``: for the published record, which names delegations and never Slack users."""
    tz = ZoneInfo(meeting.timezone)
    votes_of: dict[int, list[tuple[Vote, Sequence[CastBallot]]]] = {}
    for vote, cast in sorted(votes, key=lambda v: v[0].opened_at):
        votes_of.setdefault(vote.item_id, []).append((vote, cast))
    turns_of: dict[int, list[Turn]] = {}
    for item_id, turn in turns:
        turns_of.setdefault(item_id, []).append(turn)
    by_item: dict[int, list[RecordedPosition]] = {}
    for position in positions:
        by_item.setdefault(position.item_id, []).append(position)
    lines = [
        f"# Record of {meeting.title}",
        "",
        f"Draft generated {_local(generated_at, tz)} ({meeting.timezone}). Decision rule:"
        f" {meeting.rule.describe()}. Times are in {meeting.timezone}.",
        "",
    ]
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for item in sorted(items, key=lambda i: (i.tabled_at, i.number)):
        decision = decisions.get(item.id)

        def row(when: datetime, event: str, who: str, statement: str, rule: str = "") -> None:
            """One CSV line about this item; the first four columns say which item."""
            _write(
                writer,
                (
                    item.number,  # noqa: B023 - called only within this iteration
                    _title(item),  # noqa: B023
                    item.sponsor,  # noqa: B023
                    item.status.value,  # noqa: B023
                    _local(when, tz),
                    event,
                    who,
                    statement,
                    rule,
                ),
            )

        cosponsors = [
            p.delegation
            for p in by_item.get(item.id, [])
            if p.kind is PositionKind.SUPPORT and p.ended_at is None
        ]
        lines.append(f"## #{item.number} {_line(_title(item))}")
        lines.append("")
        lines.append(f"- Tabled {_local(item.tabled_at, tz)} by {item.sponsor}")
        if cosponsors:
            lines.append(f"- Co-sponsors: {', '.join(cosponsors)}")
        if item.amends is not None:
            lines.append(f"- Modified proposal of #{item.amends}")
        for number, status in item.amended_by:
            lines.append(f"- Modified by #{number} ({status.value})")
        if item.superseded_by is not None:
            lines.append(f"- Superseded by #{item.superseded_by}")
        lines.append(f"- Status: {STATUS_LABEL[item.status]}")
        lines.append("")
        lines.extend("> " + text_line for text_line in item.text.splitlines() or [""])
        lines.append("")
        row(
            item.tabled_at,
            "tabled",
            item.sponsor,
            item.text,
            "",
        )
        history = by_item.get(item.id, [])
        if history:
            lines.append("Positions:")
            lines.append("")
        for position in history:
            how = how_it_ended(position)
            ended = f" ({how} {_local(position.ended_at, tz)})" if position.ended_at else ""
            statement = f": {_line(position.statement)}" if position.statement else ""
            lines.append(
                f"- {_local(position.recorded_at, tz)} {position.delegation},"
                f" {event_label(position)}{statement}{ended}"
            )
            row(
                position.recorded_at,
                event_label(position)
                + (f" ({how_it_ended(position)})" if position.ended_at else ""),
                position.delegation,
                position.statement,
                "",
            )
        if history:
            lines.append("")
        spoken = turns_of.get(item.id, [])
        if spoken:
            lines.append("Speakers:")
            lines.append("")
        for turn in spoken:
            spoke = seconds(turn.duration(generated_at))
            lines.append(
                f"- {_local(turn.started_at, tz)} {turn.delegation} had the floor for"
                f" {spoke}{_turn_marks(turn)}"
            )
            row(turn.started_at, "had the floor" + _turn_marks(turn), turn.delegation, spoke)
        if spoken:
            lines.append("")
        for vote, cast in votes_of.get(item.id, []):
            said, entries = vote_entries(vote, cast, tz, public=public)
            lines += said
            for entry in entries:
                row(entry.at, entry.event, entry.delegation, entry.statement, entry.rule)
        if decision is not None:
            lines.append(decision_line(item, decision, tz, public=public))
            lines.append("")
            row(
                decision.decided_at,
                f"decided: {decision.outcome.value}",
                "; ".join(o.delegation for o in decision.objections),
                _what_if(Tally(decision.objections, decision.participants), decision),
                decision.rule.describe(),
            )
        elif item.status is ItemStatus.WITHDRAWN and item.closed_at is not None:
            lines.append(f"Withdrawn {_local(item.closed_at, tz)}.")
            lines.append("")
            row(
                item.closed_at,
                "withdrawn",
                item.sponsor,
                "",
                "",
            )
        elif item.status is ItemStatus.SUPERSEDED and item.closed_at is not None:
            by = f" by #{item.superseded_by}" if item.superseded_by is not None else ""
            lines.append(f"Superseded{by} {_local(item.closed_at, tz)}.")
            lines.append("")
            row(item.closed_at, f"superseded{by}", "", "", "")
    return "\n".join(lines).rstrip() + "\n", table.getvalue()
