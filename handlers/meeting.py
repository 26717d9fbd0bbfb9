"""/meeting: setup, the delegations list, the agenda, decisions and help."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.commands.meeting import (
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
from bot.render import answers, command_help
from bot.render.blocks import Message
from bot.services.items import ItemService
from bot.services.lookups import Caller
from bot.services.setup import SetupService
from handlers.listening import MeetingRouter, answer, caller_of


def register(app: AsyncApp, setup: SetupService, items: ItemService, router: MeetingRouter) -> None:
    """``/meeting``: its own subcommands run here; the others go where ``router`` sends them."""

    @app.command("/meeting")
    async def on_meeting(ack: AsyncAck, command: dict[str, Any]) -> None:
        caller = caller_of(command)
        request = parse_meeting(str(command.get("text", "")))
        run = router.runner_for(request)
        if run is not None:
            await answer(ack, await run(caller, request))
        else:
            await answer(ack, await _run(setup, items, caller, request))


async def _run(
    setup: SetupService, items: ItemService, caller: Caller, request: MeetingRequest
) -> Message:
    match request:
        case StartMeeting(title):
            return answers.meeting_chaired(await setup.start(caller, title))
        case AddChair(user_id):
            added = await setup.add_chair(caller, user_id)
            return answers.chair_added(user_id, added=added)
        case AddDelegation():
            return answers.delegation_registered(await setup.add_delegation(caller, request))
        case RemoveDelegation(name):
            return answers.delegation_removed(await setup.remove_delegation(caller, name))
        case ListDelegations():
            meeting, found = await setup.delegations(caller)
            return answers.delegations(meeting, found)
        case ShowAgenda():
            view = await items.agenda(caller)
            return answers.agenda(
                view.meeting, view.items, view.decisions, view.participants, view.votes
            )
        case WithdrawItem(number):
            return answers.item_withdrawn(await items.withdraw_item(caller, number))
        case Decide(number, confirmed, excise):
            result = await items.decide(caller, number, confirmed=confirmed, excise=excise)
            return answers.item_decided(result.item)
        case _:
            where, delegation = await setup.role_of(caller)
            return command_help.help_text(where, delegation, caller.user_id)
