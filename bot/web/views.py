"""The room's screen as HTML, pure: the item under discussion, the list of speakers, votes in
progress and each outcome as it happens. Pages show delegations, never Slack users."""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import datetime

from bot.domain.floor import Floor, RequestKind, Turn
from bot.domain.model import Decision, Item, Meeting
from bot.domain.rules import ItemStatus, Outcome, PositionKind, Tally
from bot.domain.votes import Vote, VoteStatus
from bot.domain.what_if import what_if
from bot.render.floor import seconds
from bot.services.links import ScreenState
from bot.web.html_page import SCREEN_SCRIPT, attribute, counts, epoch, page, text

KIND_MARK = {RequestKind.ORDER: " (point of order)", RequestKind.REPLY: " (right of reply)"}


CLOSED_LABEL = {
    ItemStatus.ADOPTED: "Decided: adopted",
    ItemStatus.BLOCKED: "Decided: blocked",
    ItemStatus.WITHDRAWN: "Withdrawn",
    ItemStatus.SUPERSEDED: "Superseded by its modified version",
    ItemStatus.REJECTED: "Decided by vote: not adopted",
}


def screen_page(state: ScreenState, now: datetime, events_url: str) -> str:
    body = (
        f"<header><h1>{text(state.meeting.title)}</h1>"
        '<p id="connection" class="connection" aria-live="polite"></p></header>'
        f'<main id="live" data-events="{attribute(events_url)}" data-now="{epoch(now)}">'
        f"{screen_body(state)}</main>"
    )
    return page(state.meeting.title, body, page_class="screen", script=SCREEN_SCRIPT)


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
        by = ", ".join(text(o.delegation) for o in item.objections)
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
        reason = f": {text(p.statement)}" if p.statement else ""
        lines.append(f'<li class="{p.kind.value}">{text(p.delegation)} {label}{reason}</li>')
    return f'<ul class="positions" id="positions">{"".join(lines)}</ul>' if lines else ""


def _discussion(state: ScreenState) -> str:
    item = state.item
    if item is None:
        return (
            '<section class="discussion" id="discussion"><p class="label">Under discussion</p>'
            '<h2 class="idle">No item is under discussion</h2>'
            f"{_open_items(state)}</section>"
        )
    cosponsors = ", ".join(text(c) for c in item.cosponsors)
    sponsors = text(item.sponsor) + (f", co-sponsored by {cosponsors}" if cosponsors else "")
    return (
        '<section class="discussion" id="discussion"><p class="label">Under discussion</p>'
        f'<h2 id="item">#{item.number} {text(item.heading)}</h2>'
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
            " — blocked by " + ", ".join(text(o.delegation) for o in item.objections)
            if blocked
            else ""
        )
        rows.append(
            f'<li class="{"blocked" if blocked else "open"}">#{item.number}'
            f" {text(item.heading)}{mark}</li>"
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
        f'<p class="speaker" id="speaker"><span class="who">{text(turn.delegation)}</span>'
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
        f"<li>{text(r.delegation)}{html.escape(KIND_MARK.get(r.kind, ''))}</li>"
        for r in floor.queue
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
                f" Vote on #{vote.item_number}: {counts(vote.result)}"
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
                f"<li>{text(o.delegation)}" + (f": {text(o.reason)}" if o.reason else "") + "</li>"
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
            f'<span class="verdict">{head}</span> #{item.number} {text(item.heading)}'
            f' <span class="rule">under {rule}</span>{detail}</li>'
        )
    if not rows:
        return ""
    return (
        '<section class="outcomes" id="outcomes"><p class="label">Decisions</p>'
        f"<ul>{''.join(rows)}</ul></section>"
    )
