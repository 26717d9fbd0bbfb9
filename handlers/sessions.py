"""/meeting set …, session …, sessions, digest: the meeting's calendar."""

from __future__ import annotations

from bot.commands.sessions import (
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
from bot.render import sessions as render_schedule
from bot.render.blocks import Message
from bot.services.lookups import Caller
from bot.services.sessions import ScheduleService
from handlers.listening import MeetingRouter


async def run(schedule: ScheduleService, caller: Caller, request: ScheduleRequest) -> Message:
    match request:
        case SetTimezone(name):
            return render_schedule.timezone_set(await schedule.set_timezone(caller, name))
        case SetWindow(window):
            await schedule.set_window(caller, window)
            return render_schedule.window_set(window)
        case SetReminder(minutes):
            await schedule.set_reminder(caller, minutes)
            return render_schedule.reminder_set(minutes)
        case SetDigest(at):
            return render_schedule.digest_set(await schedule.set_digest(caller, at), at)
        case AddSession(starts, title):
            meeting, session = await schedule.add_session(caller, starts, title)
            return render_schedule.session_added(meeting, session)
        case RemoveSession(number):
            return render_schedule.session_removed(await schedule.remove_session(caller, number))
        case ListSessions():
            meeting, found = await schedule.sessions(caller)
            return render_schedule.sessions(meeting, found)
        case ShowDigest():
            return render_schedule.digest(await schedule.digest_now(caller))


def register(router: MeetingRouter, schedule: ScheduleService) -> None:
    async def run_request(caller: Caller, request: ScheduleRequest) -> Message:
        return await run(schedule, caller, request)

    router.route(ScheduleRequest, run_request)
