"""What the bot says about time: the calendar settings, sessions, reminders, the daily digest;
pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time, timedelta

from slack_sdk.models.blocks import Block, HeaderBlock, PlainTextObject

from bot.domain.digest import Digest
from bot.domain.model import Item, Meeting, Session
from bot.domain.text import escape, truncate
from bot.domain.votes import Vote
from bot.render.blocks import (
    MAX_BLOCKS,
    MAX_HEADER,
    Message,
    context,
    count,
    duration,
    item_line,
    links,
    message,
    note,
    pack,
    section,
    when,
)
from bot.render.votes import short_result

# ---- answers to the chair: the calendar settings -------------------------------------------


def timezone_set(meeting: Meeting) -> Message:
    return note(
        f"The meeting's time zone is now *{meeting.timezone}*. Dates you type are read"
        " in it; sessions already scheduled keep their moment."
    )


def window_set(window: timedelta | None) -> Message:
    if window is None:
        return note(
            "New items have no default deadline; they stay open until a chair decides"
            " them or their sponsor gives one."
        )
    return note(
        f"New items close by silence procedure {duration(window)} after they are"
        " tabled, unless the sponsor gives another deadline."
    )


def reminder_set(minutes: int) -> Message:
    return note(f"Session reminders go out {count(minutes, 'minute')} before each start.")


def digest_set(meeting: Meeting, at: time | None) -> Message:
    if meeting.next_digest_at is None or at is None:
        return note("The daily digest is off.")
    return note(
        f"The daily digest goes out at {at:%H:%M} ({meeting.timezone}); the next one"
        f" {when(meeting.next_digest_at, meeting.timezone)}."
    )


def session_added(meeting: Meeting, session: Session) -> Message:
    return note(
        f"Scheduled session {session.number}, *{escape(session.title)}*,"
        f" {when(session.starts_at, meeting.timezone)}. Its reminder goes out"
        f" {count(meeting.reminder_minutes, 'minute')} before. Assign items with"
        f" `session: {session.number}` when tabling."
    )


def session_removed(session: Session) -> Message:
    return note(
        f"Removed session {session.number}, *{escape(session.title)}*; its open items stay on"
        " the agenda without a session."
    )


# ---- sessions, reminders, digests ----------------------------------------------------------


def sessions(meeting: Meeting, found: Sequence[Session]) -> Message:
    if not found:
        return note(
            f"No session is scheduled in *{escape(meeting.title)}*. A chair adds one with"
            " `/meeting session add &lt;YYYY-MM-DD HH:MM&gt; &lt;title&gt;`."
        )
    lines = [
        f"*{s.number}.* {escape(s.title)} — {when(s.starts_at, meeting.timezone)}" for s in found
    ]
    return message(
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
        body: list[Block] = [section(head + f" On its agenda, {count(len(items), 'open item')}:")]
        body += pack([item_line(i, meeting) for i in items], max_blocks=MAX_BLOCKS - 1)
    else:
        body = [section(head + " No open item is assigned to it.")]
    return message(f"Reminder: {escape(session.title)} starts soon.", body)


def _vote_opened(item: Item, vote: Vote, meeting: Meeting) -> str:
    closes = f", closes {when(vote.deadline, meeting.timezone)}" if vote.deadline else ""
    return (
        f"*#{item.number}* {escape(truncate(item.heading, 140))} —"
        f" {vote.majority.describe()}{' (secret ballot)' if vote.secret else ''}{closes}"
    )


def _vote_closed(vote: Vote) -> str:
    return "cancelled" if vote.result is None else short_result(vote.result)


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
        f" {len(d.withdrawn)} withdrawn"
        + (f", {len(d.superseded)} superseded" if d.superseded else "")
        + (f", {count(len(d.votes_closed), 'vote')} closed" if d.votes_closed else "")
        + f"; {len(d.open_items)} open"
    )
    groups: list[tuple[str, list[str]]] = [
        (":page_facing_up: *Tabled*", [item_line(i, meeting) for i in d.tabled]),
        (":white_check_mark: *Adopted*", [item_line(i, meeting) for i in d.adopted]),
        (
            ":no_entry: *Blocked and excised*",
            [
                item_line(i, meeting)
                + " — blocked by "
                + ", ".join(escape(o.delegation) for o in dec.objections)
                for i, dec in d.blocked
            ],
        ),
        (":heavy_minus_sign: *Withdrawn*", [item_line(i, meeting) for i in d.withdrawn]),
        (
            ":twisted_rightwards_arrows: *Superseded*",
            [item_line(i, meeting) + links(i) for i in d.superseded],
        ),
        (
            ":ballot_box_with_ballot: *Votes opened*",
            [_vote_opened(i, v, meeting) for i, v in d.votes_opened],
        ),
        (
            ":ballot_box_with_ballot: *Vote results*",
            [
                f"*#{i.number}* {escape(truncate(i.heading, 140))} — {_vote_closed(v)}"
                for i, v in d.votes_closed
            ],
        ),
        (
            ":speech_balloon: *Debated*",
            [f"*#{i.number}* {count(n, 'speaker')}" for i, n in d.speakers],
        ),
        (":large_blue_circle: *Open*", [item_line(i, meeting) for i in d.open_items]),
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
    return message(f"{escape(title)}: {summary}.{late}", blocks[:MAX_BLOCKS])
