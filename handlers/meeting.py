"""/meeting: setup, the delegations list, the agenda, decisions and help."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.commands.parsing import (
    AddChair,
    AddDelegation,
    Decide,
    ListDelegations,
    MeetingRequest,
    RemoveDelegation,
    ShowAgenda,
    StartMeeting,
    WithdrawItem,
    parse_meeting,
)
from bot.domain.text import escape
from bot.render import answers, blocks, command_help
from bot.services.lookups import Caller
from bot.services.meetings import MeetingService
from handlers.listening import MeetingRouter, answer, caller_of


def register(app: AsyncApp, meetings: MeetingService, router: MeetingRouter) -> None:
    """``/meeting``: its own subcommands run here; the others go where ``router`` sends them."""

    @app.command("/meeting")
    async def on_meeting(ack: AsyncAck, command: dict[str, Any]) -> None:
        caller = caller_of(command)
        request = parse_meeting(str(command.get("text", "")))
        run = router.runner_for(request)
        if run is not None:
            await answer(ack, await run(caller, request))
        else:
            await answer(ack, await _run(meetings, caller, request))


async def _run(meetings: MeetingService, caller: Caller, request: MeetingRequest) -> blocks.Message:
    match request:
        case StartMeeting(title):
            meeting = await meetings.start(caller, title)
            return blocks.note(
                f":classical_building: *{escape(meeting.title)}* now meets in this channel and"
                " you chair it. Next: register delegations with"
                " `/meeting delegation add &lt;name&gt; participant|observer &lt;@user&gt;`."
            )
        case AddChair(user_id):
            added = await meetings.add_chair(caller, user_id)
            return blocks.note(
                f"<@{user_id}> is now a chair." if added else f"<@{user_id}> is already a chair."
            )
        case AddDelegation():
            change = await meetings.add_delegation(caller, request)
            d = change.delegation
            if change.returned:
                said = (
                    f"Registered *{escape(d.name)}* again as {d.role.value}; its items and"
                    " positions on record are its own again."
                )
            elif change.created:
                said = f"Registered *{escape(d.name)}* as {d.role.value}."
            else:
                said = f"*{escape(d.name)}* ({d.role.value}) was already registered."
            parts = [said]
            if change.added:
                parts.append("Added " + ", ".join(f"<@{u}>" for u in change.added) + ".")
            if change.already:
                parts.append(
                    "Already members: " + ", ".join(f"<@{u}>" for u in change.already) + "."
                )
            return blocks.note(" ".join(parts))
        case RemoveDelegation(name):
            removed = await meetings.remove_delegation(caller, name)
            return blocks.note(
                f"Removed *{escape(removed.name)}*. Its standing objections on open items lapsed;"
                " its past positions stay on record."
            )
        case ListDelegations():
            meeting, found = await meetings.delegations(caller)
            return answers.delegations(meeting, found)
        case ShowAgenda():
            view = await meetings.agenda(caller)
            return answers.agenda(view.meeting, view.items, view.decisions, view.participants)
        case WithdrawItem(number):
            item = await meetings.withdraw_item(caller, number)
            return blocks.note(
                f"#{item.number} is withdrawn and leaves the agenda; the channel has been told."
            )
        case Decide(number, confirmed):
            result = await meetings.decide(caller, number, confirmed=confirmed)
            return blocks.note(
                f"#{number} is decided: *{blocks.STATUS_LABEL[result.item.status]}*."
                " The outcome has been announced in the channel."
            )
        case _:
            where, delegation = await meetings.role_of(caller)
            return command_help.help_text(where, delegation, caller.user_id)
