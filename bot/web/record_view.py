"""The public record as HTML, pure: the agenda and every item with its positions, decisions
and votes. It names delegations, never Slack users."""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.model import Decision, Item, RecordedPosition
from bot.domain.rules import ItemStatus, PositionKind
from bot.domain.votes import CastBallot, Vote, recorded_vote
from bot.render.meeting_record import STATUS_LABEL, decision_line, event_label, how_it_ended
from bot.services.links import PublicRecord
from bot.web.html_page import attribute, counts, local_time, page, text
from bot.web.views import KIND_MARK


def record_page(record: PublicRecord, now: datetime, files_url: str) -> str:
    meeting = record.meeting
    tz = ZoneInfo(meeting.timezone)
    items = sorted(record.items, key=lambda i: (i.tabled_at, i.number))
    agenda = "".join(
        f'<tr class="{item.status.value}"><td><a href="#item-{item.number}">#{item.number}</a>'
        f"</td><td>{text(_record_title(item))}</td><td>{text(item.sponsor)}</td>"
        f"<td>{html.escape(STATUS_LABEL[item.status])}</td></tr>"
        for item in items
    )
    sections = "".join(
        _record_item(item, record.decisions.get(item.id), record, tz) for item in items
    )
    body = (
        f"<header><h1>Record of {text(meeting.title)}</h1>"
        f"<p>Decision rule: {html.escape(meeting.rule.describe())}. Times are in"
        f" {html.escape(meeting.timezone)}. As of {local_time(now, tz)}.</p>"
        f'<p class="files">The record as <a href="{attribute(files_url)}.md">Markdown</a>'
        f' and <a href="{attribute(files_url)}.csv">CSV</a>.</p></header>'
        '<main><section id="agenda"><h2>Agenda</h2>'
        + (
            "<table><thead><tr><th>Item</th><th>Title</th><th>Sponsor</th><th>Status</th>"
            f"</tr></thead><tbody>{agenda}</tbody></table>"
            if agenda
            else "<p>No item has been tabled.</p>"
        )
        + f"</section>{sections}</main>"
    )
    return page(f"Record of {meeting.title}", body, page_class="record")


def _record_title(item: Item) -> str:
    """The title, or the whole first line of the text: a record is not a card."""
    return item.title or (item.text.splitlines() or [""])[0]


def _record_position(position: RecordedPosition, tz: ZoneInfo) -> str:
    statement = f": {text(position.statement)}" if position.statement else ""
    ended = (
        f' <span class="ended">({html.escape(how_it_ended(position))}'
        f" {local_time(position.ended_at, tz)})</span>"
        if position.ended_at
        else ""
    )
    classes = position.kind.value + (" ended" if position.ended_at else "")
    return (
        f'<li class="{classes}">{local_time(position.recorded_at, tz)} {text(position.delegation)},'
        f" {html.escape(event_label(position))}{statement}{ended}</li>"
    )


def _record_vote(vote: Vote, ballots: tuple[CastBallot, ...], tz: ZoneInfo) -> str:
    """A closed vote: its result under its majority, and the recorded vote (who voted how),
    or the counts alone for a secret ballot."""
    if vote.result is None:
        return ""
    when = local_time(vote.closed_at, tz) if vote.closed_at else ""
    head = (
        f"{when} vote ({html.escape(vote.majority.describe())}):"
        f" {html.escape(vote.result.outcome.value)}, {counts(vote.result)}"
        f" ({vote.result.needed} needed of {vote.result.base_size})."
    )
    named = recorded_vote(vote, list(ballots))
    if named is None:
        detail = " Secret ballot: the counts only."
    else:
        parts = [
            (label, names)
            for label, names in (
                ("In favour", named.in_favour),
                ("Against", named.against),
                ("Abstaining", named.abstaining),
                ("Not voting", named.not_voting),
            )
            if names
        ]
        detail = "".join(
            f" {label}: {', '.join(text(n) for n in names)}." for label, names in parts
        )
    return f'<li class="vote">{head}{detail}</li>'


def _record_item(item: Item, decision: Decision | None, record: PublicRecord, tz: ZoneInfo) -> str:
    history = [p for p in record.positions if p.item_id == item.id]
    cosponsors = [
        p.delegation for p in history if p.kind is PositionKind.SUPPORT and p.ended_at is None
    ]
    facts = [f"<dt>Sponsor</dt><dd>{text(item.sponsor)}</dd>"]
    if cosponsors:
        facts.append(f"<dt>Co-sponsors</dt><dd>{', '.join(text(c) for c in cosponsors)}</dd>")
    facts.append(f"<dt>Tabled</dt><dd>{local_time(item.tabled_at, tz)}</dd>")
    if item.amends is not None:
        facts.append(f'<dt>Modifies</dt><dd><a href="#item-{item.amends}">#{item.amends}</a></dd>')
    facts.append(f"<dt>Status</dt><dd>{html.escape(STATUS_LABEL[item.status])}</dd>")
    positions = "".join(_record_position(p, tz) for p in history)
    votes = "".join(
        _record_vote(vote, ballots, tz) for vote, ballots in record.votes if vote.item_id == item.id
    )
    spoken = "".join(
        f"<li>{local_time(turn.started_at, tz)} {text(turn.delegation)}"
        f"{html.escape(KIND_MARK.get(turn.kind, ''))}</li>"
        for item_id, turn in record.turns
        if item_id == item.id
    )
    if decision is not None:
        ended = (
            f'<p class="decision {decision.outcome.value}">'
            f"{text(decision_line(item, decision, tz, public=True))}</p>"
        )
    elif item.status is ItemStatus.WITHDRAWN and item.closed_at is not None:
        ended = f'<p class="decision withdrawn">Withdrawn {local_time(item.closed_at, tz)}.</p>'
    else:
        ended = ""
    return (
        f'<article class="item {item.status.value}" id="item-{item.number}">'
        f"<h2>#{item.number} {text(_record_title(item))}</h2><dl>{''.join(facts)}</dl>"
        f'<blockquote class="text">{text(item.text)}</blockquote>'
        + (f'<h3>Positions</h3><ul class="positions">{positions}</ul>' if positions else "")
        + (f'<h3>Speakers</h3><ul class="speakers">{spoken}</ul>' if spoken else "")
        + (f'<h3>Votes</h3><ul class="votes">{votes}</ul>' if votes else "")
        + f"{ended}</article>"
    )
