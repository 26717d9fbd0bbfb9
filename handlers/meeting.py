"""/meeting: setup, the delegations list, the agenda, decisions and help."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot import render
from bot.commands import (
    AddChair,
    AddDelegation,
    Decide,
    ListDelegations,
    MeetingRequest,
    ProcedureRequest,
    RemoveDelegation,
    ScheduleRequest,
    ShowAgenda,
    StartMeeting,
    WithdrawItem,
    parse_meeting,
)
from bot.lookups import Caller
from bot.procedure import ProcedureService
from bot.schedule import ScheduleService
from bot.services import MeetingService
from bot.text import escape
from handlers import procedure as procedure_handlers, schedule as schedule_handlers
from handlers.common import answer, caller_of


def register(
    app: AsyncApp,
    meetings: MeetingService,
    schedule: ScheduleService,
    procedure: ProcedureService,
) -> None:
    @app.command("/meeting")
    async def on_meeting(ack: AsyncAck, command: dict[str, Any]) -> None:
        caller = caller_of(command)
        request = parse_meeting(str(command.get("text", "")))
        if isinstance(request, ScheduleRequest):
            await answer(ack, await schedule_handlers.run(schedule, caller, request))
        elif isinstance(request, ProcedureRequest):
            await answer(ack, await procedure_handlers.run(procedure, caller, request))
        else:
            await answer(ack, await _run(meetings, caller, request))


async def _run(meetings: MeetingService, caller: Caller, request: MeetingRequest) -> render.Message:
    match request:
        case StartMeeting(title):
            meeting = await meetings.start(caller, title)
            return render.note(
                f":classical_building: *{escape(meeting.title)}* now meets in this channel and"
                " you chair it. Next: register delegations with"
                " `/meeting delegation add &lt;name&gt; participant|observer &lt;@user&gt;`."
            )
        case AddChair(user_id):
            added = await meetings.add_chair(caller, user_id)
            return render.note(
                f"<@{user_id}> is now a chair." if added else f"<@{user_id}> is already a chair."
            )
        case AddDelegation():
            change = await meetings.add_delegation(caller, request)
            d = change.delegation
            parts = [
                f"Registered *{escape(d.name)}* as {d.role.value}."
                if change.created
                else f"*{escape(d.name)}* ({d.role.value}) was already registered."
            ]
            if change.added:
                parts.append("Added " + ", ".join(f"<@{u}>" for u in change.added) + ".")
            if change.already:
                parts.append(
                    "Already members: " + ", ".join(f"<@{u}>" for u in change.already) + "."
                )
            return render.note(" ".join(parts))
        case RemoveDelegation(name):
            removed = await meetings.remove_delegation(caller, name)
            return render.note(
                f"Removed *{escape(removed.name)}*. Its standing objections on open items lapsed;"
                " its past positions stay on record."
            )
        case ListDelegations():
            meeting, found = await meetings.delegations(caller)
            return render.delegations(meeting, found)
        case ShowAgenda():
            view = await meetings.agenda(caller)
            return render.agenda(view.meeting, view.items, view.decisions, view.participants)
        case WithdrawItem(number):
            item = await meetings.withdraw_item(caller, number)
            return render.note(
                f"#{item.number} is withdrawn and leaves the agenda; the channel has been told."
            )
        case Decide(number):
            result = await meetings.decide(caller, number)
            return render.note(
                f"#{number} is decided: *{render.STATUS_LABEL[result.item.status]}*."
                " The outcome has been announced in the channel."
            )
        case _:
            where, delegation = await meetings.role_of(caller)
            return render.help_text(where, delegation, caller.user_id)
