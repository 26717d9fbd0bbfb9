"""/meeting set …, session …, sessions, digest: the meeting's calendar."""

from __future__ import annotations

from bot.commands.parsing import (
    AddSession,
    ListSessions,
    RemoveSession,
    ScheduleRequest,
    SetDigest,
    SetReminder,
    SetTimezone,
    SetWindow,
    ShowDigest,
)
from bot.domain.text import escape
from bot.render import blocks, sessions as render_schedule
from bot.render.blocks import Message
from bot.services.lookups import Caller
from bot.services.sessions import ScheduleService
from handlers.listening import MeetingRouter


async def run(
    schedule: ScheduleService, caller: Caller, request: ScheduleRequest
) -> blocks.Message:
    match request:
        case SetTimezone(name):
            meeting = await schedule.set_timezone(caller, name)
            return blocks.note(
                f"The meeting's time zone is now *{meeting.timezone}*. Dates you type are read"
                " in it; sessions already scheduled keep their moment."
            )
        case SetWindow(window):
            await schedule.set_window(caller, window)
            if window is None:
                return blocks.note(
                    "New items have no default deadline; they stay open until a chair decides"
                    " them or their sponsor gives one."
                )
            return blocks.note(
                f"New items close by silence procedure {blocks.duration(window)} after they are"
                " tabled, unless the sponsor gives another deadline."
            )
        case SetReminder(minutes):
            await schedule.set_reminder(caller, minutes)
            return blocks.note(f"Session reminders go out {minutes} minutes before each start.")
        case SetDigest(at):
            meeting = await schedule.set_digest(caller, at)
            if meeting.next_digest_at is None:
                return blocks.note("The daily digest is off.")
            return blocks.note(
                f"The daily digest goes out at {at:%H:%M} ({meeting.timezone}); the next one"
                f" {blocks.when(meeting.next_digest_at, meeting.timezone)}."
            )
        case AddSession(starts, title):
            session = await schedule.add_session(caller, starts, title)
            meeting, _ = await schedule.sessions(caller)
            return blocks.note(
                f"Scheduled session {session.number}, *{escape(session.title)}*,"
                f" {blocks.when(session.starts_at, meeting.timezone)}. Its reminder goes out"
                f" {meeting.reminder_minutes} minutes before. Assign items with"
                f" `session: {session.number}` when tabling."
            )
        case RemoveSession(number):
            session = await schedule.remove_session(caller, number)
            return blocks.note(
                f"Removed session {number}, *{escape(session.title)}*; its open items stay on"
                " the agenda without a session."
            )
        case ListSessions():
            meeting, found = await schedule.sessions(caller)
            return render_schedule.sessions(meeting, found)
        case ShowDigest():
            return render_schedule.digest(await schedule.digest_now(caller))


def register(router: MeetingRouter, schedule: ScheduleService) -> None:
    async def run_request(caller: Caller, request: ScheduleRequest) -> Message:
        return await run(schedule, caller, request)

    router.route(ScheduleRequest, run_request)
