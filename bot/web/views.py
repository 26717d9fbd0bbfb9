"""The screen and the record as HTML, pure: every piece of user text passes through ``_t``
(escaped, and isolated so a right-to-left override cannot reorder the page around it).
Pages show delegations, never Slack users."""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.floor import Floor, RequestKind, Turn
from bot.domain.model import Decision, Item, Meeting, RecordedPosition
from bot.domain.rules import ItemStatus, Outcome, PositionKind, Tally, what_if
from bot.domain.votes import CastBallot, Vote, VoteResult, VoteStatus, recorded_vote
from bot.render.floor import seconds
from bot.render.meeting_record import STATUS_LABEL, decision_line, event_label, how_it_ended
from bot.services.links import PublicRecord, ScreenState

STYLESHEET = "/static/plenary.css"
SCREEN_SCRIPT = "/static/screen.js"
ICON = "/static/icon.svg"
KIND_MARK = {RequestKind.ORDER: " (point of order)", RequestKind.REPLY: " (right of reply)"}
CLOSED_LABEL = {
    ItemStatus.ADOPTED: "Decided: adopted",
    ItemStatus.BLOCKED: "Decided: blocked",
    ItemStatus.WITHDRAWN: "Withdrawn",
    ItemStatus.SUPERSEDED: "Superseded by its modified version",
    ItemStatus.REJECTED: "Decided by vote: not adopted",
}


def _t(text: str) -> str:
    """User text as text: escaped, and bidi-isolated from what surrounds it."""
    return f"<bdi>{html.escape(text, quote=True)}</bdi>"


def _a(text: str) -> str:
    """An attribute value."""
    return html.escape(text, quote=True)


def _page(title: str, body: str, *, page_class: str, script: str | None = None) -> str:
    script_tag = f'<script src="{SCREEN_SCRIPT}" defer></script>' if script else ""
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{html.escape(title)}</title>"
        f'<link rel="icon" href="{ICON}" type="image/svg+xml">'
        f'<link rel="stylesheet" href="{STYLESHEET}">{script_tag}</head>'
        f'<body class="{page_class}">{body}</body></html>\n'
    )


def not_found_page() -> str:
    return _page("Not found", "<main><h1>Not found</h1></main>", page_class="plain")


# ---- the room's screen ------------------------------------------------------------------


def epoch(moment: datetime) -> str:
    return f"{moment.timestamp():.3f}"


def screen_page(state: ScreenState, now: datetime, events_url: str) -> str:
    body = (
        f"<header><h1>{_t(state.meeting.title)}</h1>"
        '<p id="connection" class="connection" aria-live="polite"></p></header>'
        f'<main id="live" data-events="{_a(events_url)}" data-now="{epoch(now)}">'
        f"{screen_body(state)}</main>"
    )
    return _page(state.meeting.title, body, page_class="screen", script=SCREEN_SCRIPT)


def screen_body(state: ScreenState) -> str:
    """What the live part of the screen shows; sent again whole whenever it changes. It holds
    no clock reading: the countdown is the client's, from the turn's end (``data-ends-at``)."""
    return "".join(
        (
            _discussion(state),
            _floor(state.floor),
            _votes(state.votes),
            _outcomes(state.outcomes, state.meeting),
        )
    )


def _standing(item: Item, meeting: Meeting, participants: int) -> str:
    if item.status is not ItemStatus.OPEN:
        state = "blocked" if item.status is ItemStatus.BLOCKED else "open"
        label = CLOSED_LABEL[item.status]
        return f'<p class="standing {state}" id="standing">{label}</p>'
    found = what_if(Tally(item.objections, participants), meeting.rule)
    if found.outcome is Outcome.BLOCKED:
        by = ", ".join(_t(o.delegation) for o in item.objections)
        return f'<p class="standing blocked" id="standing">Blocked by {by}</p>'
    if item.objections:
        count = len(item.objections)
        noun = "objection stands" if count == 1 else "objections stand"
        return (
            f'<p class="standing open" id="standing">{count} {noun};'
            f" not blocking under {html.escape(meeting.rule.describe())}</p>"
        )
    return '<p class="standing open" id="standing">No objection stands</p>'


def _positions(item: Item) -> str:
    lines = []
    for p in item.positions:
        if p.kind is PositionKind.OBJECTION:
            label = "objects" if p.role.may_block else "objects (observer, not blocking)"
        elif p.kind is PositionKind.RESERVATION:
            label = "reservation"
        elif p.kind is PositionKind.STAND_ASIDE:
            label = "stands aside"
        else:
            continue
        reason = f": {_t(p.statement)}" if p.statement else ""
        lines.append(f'<li class="{p.kind.value}">{_t(p.delegation)} {label}{reason}</li>')
    return f'<ul class="positions" id="positions">{"".join(lines)}</ul>' if lines else ""


def _discussion(state: ScreenState) -> str:
    item = state.item
    if item is None:
        return (
            '<section class="discussion" id="discussion"><p class="label">Under discussion</p>'
            '<h2 class="idle">No item is under discussion</h2>'
            f"{_open_items(state)}</section>"
        )
    cosponsors = ", ".join(_t(c) for c in item.cosponsors)
    sponsors = _t(item.sponsor) + (f", co-sponsored by {cosponsors}" if cosponsors else "")
    return (
        '<section class="discussion" id="discussion"><p class="label">Under discussion</p>'
        f'<h2 id="item">#{item.number} {_t(item.heading)}</h2>'
        f'<p class="sponsor">Tabled by {sponsors}</p>'
        f"{_standing(item, state.meeting, state.participants)}{_positions(item)}</section>"
    )


def _open_items(state: ScreenState) -> str:
    if not state.open_items:
        return ""
    rows = []
    for item in state.open_items:
        blocked = (
            what_if(Tally(item.objections, state.participants), state.meeting.rule).outcome
            is Outcome.BLOCKED
        )
        mark = (
            " — blocked by " + ", ".join(_t(o.delegation) for o in item.objections)
            if blocked
            else ""
        )
        rows.append(
            f'<li class="{"blocked" if blocked else "open"}">#{item.number}'
            f" {_t(item.heading)}{mark}</li>"
        )
    return f'<ul class="open-items" id="open-items">{"".join(rows)}</ul>'


def _turn(turn: Turn) -> str:
    mark = KIND_MARK.get(turn.kind, "") + (" (given out of order)" if turn.out_of_order else "")
    if turn.time_is_up:
        clock = '<span class="countdown up">Time is up</span>'
    elif turn.ends_at is not None:
        clock = f'<span class="countdown" data-ends-at="{epoch(turn.ends_at)}"></span>'
    else:
        clock = ""
    return (
        f'<p class="speaker" id="speaker"><span class="who">{_t(turn.delegation)}</span>'
        f"{html.escape(mark)} {clock}</p>"
    )


def _floor(floor: Floor | None) -> str:
    if floor is None:
        return ""
    current = (
        _turn(floor.current)
        if floor.current is not None
        else '<p class="speaker idle" id="speaker">Nobody has the floor</p>'
    )
    queue = "".join(
        f"<li>{_t(r.delegation)}{html.escape(KIND_MARK.get(r.kind, ''))}</li>" for r in floor.queue
    )
    closed = '<p class="closed">The list of speakers is closed</p>' if floor.closed else ""
    limit = (
        f'<p class="limit">Speaking time {seconds(floor.speaking_time)}</p>'
        if floor.speaking_time
        else ""
    )
    waiting = (
        f'<ol class="queue" id="queue">{queue}</ol>'
        if queue
        else '<p class="queue empty" id="queue">Nobody is waiting to speak</p>'
    )
    return (
        '<section class="floor" id="floor"><p class="label">Has the floor</p>'
        f'{current}{limit}<p class="label">Next</p>{waiting}{closed}</section>'
    )


def _counts(result: VoteResult) -> str:
    count = result.count
    return f"{count.yes} yes, {count.no} no, {count.abstain} abstaining"


def _votes(votes: Iterable[Vote]) -> str:
    """An open vote's progress (how many have voted, never how) and each closed vote's
    result."""
    rows = []
    for vote in votes:
        if vote.status is VoteStatus.OPEN:
            members = len(vote.voted) + len(vote.not_voted)
            clock = (
                f' <span class="countdown" data-ends-at="{epoch(vote.deadline)}"></span>'
                if vote.deadline is not None
                else ""
            )
            secret = " (secret ballot)" if vote.secret else ""
            rows.append(
                f'<li class="vote-open">Voting on #{vote.item_number}{secret}:'
                f' <span class="progress">{len(vote.voted)} of {members}</span> participant'
                f" delegations have voted{clock}</li>"
            )
        elif vote.result is not None:
            outcome = vote.result.outcome
            rows.append(
                f'<li class="vote-result {"adopted" if vote.result.adopted else "blocked"}">'
                f'<span class="verdict">{html.escape(outcome.value.capitalize())}</span>'
                f" Vote on #{vote.item_number}: {_counts(vote.result)}"
                f' <span class="rule">({html.escape(vote.majority.describe())})</span></li>'
            )
    if not rows:
        return ""
    return (
        '<section class="votes" id="votes"><p class="label">Votes</p>'
        f"<ul>{''.join(rows)}</ul></section>"
    )


def _outcomes(outcomes: Iterable[tuple[Item, Decision]], meeting: Meeting) -> str:
    rows = []
    for item, decision in outcomes:
        if decision.outcome is Outcome.BLOCKED:
            why = "".join(
                f"<li>{_t(o.delegation)}" + (f": {_t(o.reason)}" if o.reason else "") + "</li>"
                for o in decision.objections
            )
            detail = f'<ul class="why">{why}</ul>'
            head = "Blocked"
        else:
            detail = ""
            head = "Adopted"
        rule = html.escape(decision.rule.describe())
        rows.append(
            f'<li class="outcome {decision.outcome.value}">'
            f'<span class="verdict">{head}</span> #{item.number} {_t(item.heading)}'
            f' <span class="rule">under {rule}</span>{detail}</li>'
        )
    if not rows:
        return ""
    return (
        '<section class="outcomes" id="outcomes"><p class="label">Decisions</p>'
        f"<ul>{''.join(rows)}</ul></section>"
    )


# ---- the public record ------------------------------------------------------------------


def _local(moment: datetime, tz: ZoneInfo) -> str:
    return html.escape(moment.astimezone(tz).strftime("%Y-%m-%d %H:%M"))


def record_page(record: PublicRecord, now: datetime, files_url: str) -> str:
    meeting = record.meeting
    tz = ZoneInfo(meeting.timezone)
    items = sorted(record.items, key=lambda i: (i.tabled_at, i.number))
    agenda = "".join(
        f'<tr class="{item.status.value}"><td><a href="#item-{item.number}">#{item.number}</a>'
        f"</td><td>{_t(_record_title(item))}</td><td>{_t(item.sponsor)}</td>"
        f"<td>{html.escape(STATUS_LABEL[item.status])}</td></tr>"
        for item in items
    )
    sections = "".join(
        _record_item(item, record.decisions.get(item.id), record, tz) for item in items
    )
    body = (
        f"<header><h1>Record of {_t(meeting.title)}</h1>"
        f"<p>Decision rule: {html.escape(meeting.rule.describe())}. Times are in"
        f" {html.escape(meeting.timezone)}. As of {_local(now, tz)}.</p>"
        f'<p class="files">The record as <a href="{_a(files_url)}.md">Markdown</a>'
        f' and <a href="{_a(files_url)}.csv">CSV</a>.</p></header>'
        '<main><section id="agenda"><h2>Agenda</h2>'
        + (
            "<table><thead><tr><th>Item</th><th>Title</th><th>Sponsor</th><th>Status</th>"
            f"</tr></thead><tbody>{agenda}</tbody></table>"
            if agenda
            else "<p>No item has been tabled.</p>"
        )
        + f"</section>{sections}</main>"
    )
    return _page(f"Record of {meeting.title}", body, page_class="record")


def _record_title(item: Item) -> str:
    """The title, or the whole first line of the text: a record is not a card."""
    return item.title or (item.text.splitlines() or [""])[0]


def _record_position(position: RecordedPosition, tz: ZoneInfo) -> str:
    statement = f": {_t(position.statement)}" if position.statement else ""
    ended = (
        f' <span class="ended">({html.escape(how_it_ended(position))}'
        f" {_local(position.ended_at, tz)})</span>"
        if position.ended_at
        else ""
    )
    classes = position.kind.value + (" ended" if position.ended_at else "")
    return (
        f'<li class="{classes}">{_local(position.recorded_at, tz)} {_t(position.delegation)},'
        f" {html.escape(event_label(position))}{statement}{ended}</li>"
    )


def _record_vote(vote: Vote, ballots: tuple[CastBallot, ...], tz: ZoneInfo) -> str:
    """A closed vote: its result under its majority, and the recorded vote (who voted how),
    or the counts alone for a secret ballot."""
    if vote.result is None:
        return ""
    when = _local(vote.closed_at, tz) if vote.closed_at else ""
    head = (
        f"{when} vote ({html.escape(vote.majority.describe())}):"
        f" {html.escape(vote.result.outcome.value)}, {_counts(vote.result)}"
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
        detail = "".join(f" {label}: {', '.join(_t(n) for n in names)}." for label, names in parts)
    return f'<li class="vote">{head}{detail}</li>'


def _record_item(item: Item, decision: Decision | None, record: PublicRecord, tz: ZoneInfo) -> str:
    history = [p for p in record.positions if p.item_id == item.id]
    cosponsors = [
        p.delegation for p in history if p.kind is PositionKind.SUPPORT and p.ended_at is None
    ]
    facts = [f"<dt>Sponsor</dt><dd>{_t(item.sponsor)}</dd>"]
    if cosponsors:
        facts.append(f"<dt>Co-sponsors</dt><dd>{', '.join(_t(c) for c in cosponsors)}</dd>")
    facts.append(f"<dt>Tabled</dt><dd>{_local(item.tabled_at, tz)}</dd>")
    if item.amends is not None:
        facts.append(f'<dt>Modifies</dt><dd><a href="#item-{item.amends}">#{item.amends}</a></dd>')
    facts.append(f"<dt>Status</dt><dd>{html.escape(STATUS_LABEL[item.status])}</dd>")
    positions = "".join(_record_position(p, tz) for p in history)
    votes = "".join(
        _record_vote(vote, ballots, tz) for vote, ballots in record.votes if vote.item_id == item.id
    )
    spoken = "".join(
        f"<li>{_local(turn.started_at, tz)} {_t(turn.delegation)}"
        f"{html.escape(KIND_MARK.get(turn.kind, ''))}</li>"
        for item_id, turn in record.turns
        if item_id == item.id
    )
    if decision is not None:
        ended = (
            f'<p class="decision {decision.outcome.value}">'
            f"{_t(decision_line(item, decision, tz, public=True))}</p>"
        )
    elif item.status is ItemStatus.WITHDRAWN and item.closed_at is not None:
        ended = f'<p class="decision withdrawn">Withdrawn {_local(item.closed_at, tz)}.</p>'
    else:
        ended = ""
    return (
        f'<article class="item {item.status.value}" id="item-{item.number}">'
        f"<h2>#{item.number} {_t(_record_title(item))}</h2><dl>{''.join(facts)}</dl>"
        f'<blockquote class="text">{_t(item.text)}</blockquote>'
        + (f'<h3>Positions</h3><ul class="positions">{positions}</ul>' if positions else "")
        + (f'<h3>Speakers</h3><ul class="speakers">{spoken}</ul>' if spoken else "")
        + (f'<h3>Votes</h3><ul class="votes">{votes}</ul>' if votes else "")
        + f"{ended}</article>"
    )
