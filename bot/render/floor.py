"""Everything people read about the floor: the list of speakers in the channel, the answers
to `/floor` and the chair's moves, the speaker's warning, and the Home tab's lines; pure."""

from __future__ import annotations

from datetime import datetime, timedelta

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from bot.commands.payloads import Action, MeetingRef
from bot.domain.floor import Floor, RequestKind, Turn
from bot.domain.model import Meeting
from bot.domain.text import escape, truncate
from bot.render.blocks import MAX_BLOCKS, Message, context, message, note, pack, section, when

_MARK = {
    RequestKind.ORDER: " — _point of order_",
    RequestKind.SPEAK: "",
    RequestKind.REPLY: " — _right of reply_",
}
_ASKED = {
    RequestKind.ORDER: "Point of order",
    RequestKind.SPEAK: "Request for the floor",
    RequestKind.REPLY: "Right of reply",
}


def seconds(limit: timedelta) -> str:
    """``3m``, ``90s`` or ``2m 30s``: a speaking time the way it is typed."""
    minutes, secs = divmod(int(limit.total_seconds()), 60)
    if minutes and secs:
        return f"{minutes}m {secs}s"
    return f"{minutes}m" if minutes else f"{secs}s"


def _subject(floor: Floor) -> str:
    return f"#{floor.item_number} {escape(truncate(floor.item_heading, 120))}"


def queue_lines(floor: Floor) -> list[str]:
    return [f"{n}. *{escape(r.delegation)}*{_MARK[r.kind]}" for n, r in enumerate(floor.queue, 1)]


def speaker_line(floor: Floor, turn: Turn | None, timezone: str) -> str:
    if turn is None:
        return "Nobody has the floor."
    line = f":loudspeaker: *{escape(turn.delegation)}* has the floor{_MARK[turn.kind]}"
    if turn.out_of_order:
        line += " (given out of order)"
    if turn.time_is_up:
        return line + ". :hourglass: *Time is up.*"
    if turn.ends_at is not None:
        return line + f", until {when(turn.ends_at, timezone)}."
    return line + "."


def _buttons(meeting_id: int) -> ActionsBlock:
    value = MeetingRef(meeting_id).pack()
    return ActionsBlock(
        elements=[
            ButtonElement(
                text="Request the floor",
                action_id=Action.FLOOR_REQUEST,
                value=value,
                style="primary",
            ),
            ButtonElement(text="Withdraw my request", action_id=Action.FLOOR_WITHDRAW, value=value),
            ButtonElement(text="Next speaker (chairs)", action_id=Action.FLOOR_NEXT, value=value),
        ]
    )


def speakers_list(floor: Floor, meeting: Meeting) -> Message:
    """The one list message in the channel, edited in place as the debate goes."""
    subject = _subject(floor)
    if floor.ended_at is not None:
        return message(
            f"The debate on #{floor.item_number} has ended.",
            [section(f":checkered_flag: The debate on {subject} has ended.")],
        )
    blocks: list[Block] = [
        section(f":speech_balloon: *List of speakers* on {subject}"),
        section(speaker_line(floor, floor.current, meeting.timezone)),
    ]
    lines = queue_lines(floor)
    blocks += pack(lines, max_blocks=MAX_BLOCKS - 6) if lines else [context("The list is empty.")]
    notes = []
    if floor.closed:
        notes.append(":lock: The list is closed: only points of order and rights of reply.")
    if floor.speaking_time is not None:
        notes.append(f"Speaking time: {seconds(floor.speaking_time)} a turn.")
    if notes:
        blocks.append(context(" ".join(notes)))
    blocks.append(_buttons(meeting.id))
    speaking = floor.current
    text = f"List of speakers on #{floor.item_number}: " + (
        f"{escape(speaking.delegation)} has the floor" if speaking else "nobody has the floor"
    )
    if speaking is not None and speaking.time_is_up:
        text += " (time is up)"
    text += f"; {len(floor.queue)} waiting" + (", list closed." if floor.closed else ".")
    return message(text, blocks)


def floor_list(floor: Floor | None, meeting: Meeting, place: int | None) -> Message:
    """`/floor list`: the list, only to the caller, with their delegation's place."""
    if floor is None:
        return note("Nothing is under discussion here.")
    shown = speakers_list(floor, meeting)
    blocks = [b for b in shown.blocks if b.get("type") != "actions"]
    if place is not None:
        blocks.append(context(f"Your delegation is number {place} on the list.").to_dict())
    return Message(shown.text, blocks)


def requested(floor: Floor, kind: RequestKind, place: int | None) -> Message:
    where = f"number {place} on the list" if place is not None else "on the list"
    return note(f"{_ASKED[kind]} on #{floor.item_number} recorded: you are {where}.")


def withdrawn(floor: Floor) -> Message:
    return note(f"Your delegation's request on #{floor.item_number} is withdrawn.")


def discussion_opened(floor: Floor) -> Message:
    return note(f"{_subject(floor)} is under discussion; the list of speakers is in the channel.")


def discussion_ended(floor: Floor) -> Message:
    return note(f"The debate on #{floor.item_number} has ended.")


def floor_given(floor: Floor, ended: Turn | None, started: Turn | None, now: datetime) -> Message:
    parts = []
    if ended is not None:
        parts.append(f"{escape(ended.delegation)} spoke for {seconds(ended.duration(now))}.")
    if started is None:
        parts.append("Nobody is waiting: the floor is free.")
    else:
        parts.append(
            f"*{escape(started.delegation)}* has the floor"
            + (" (out of order)." if started.out_of_order else ".")
        )
    return note(" ".join(parts))


def list_closed(floor: Floor) -> Message:
    if floor.closed:
        return note(
            f"The list on #{floor.item_number} is closed: only points of order and rights of"
            " reply are taken."
        )
    return note(f"The list on #{floor.item_number} is open again.")


def speaking_time_set(limit: timedelta | None) -> Message:
    if limit is None:
        return note("Turns have no time limit now.")
    return note(
        f"Each turn given from now on lasts at most {seconds(limit)}; the speaker is told"
        " 30 seconds before the end."
    )


def time_warning(floor: Floor, turn: Turn) -> Message:
    """Told only to the speaking delegation's members."""
    return note(
        f":hourglass_flowing_sand: 30 seconds left of {escape(turn.delegation)}'s time on"
        f" #{floor.item_number}."
    )


def home_lines(floor: Floor, place: int | None, timezone: str) -> list[str]:
    """The Home tab's lines for a meeting's debate: the list, and your place in it."""
    lines = [
        f":speech_balloon: *Under discussion:* {_subject(floor)}",
        speaker_line(floor, floor.current, timezone),
    ]
    if floor.queue:
        lines.append(
            "Waiting: "
            + ", ".join(f"{n}. {escape(r.delegation)}" for n, r in enumerate(floor.queue, 1))
        )
    lines.append(
        f"Your delegation is number {place} on the list."
        if place is not None
        else "Your delegation is not on the list."
    )
    return lines
