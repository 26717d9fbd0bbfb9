"""/object: a delegation objects to an item, states a reservation or stand-aside, or
withdraws its objection."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.commands.motions import RaiseObjection, StatePosition, WithdrawPosition, parse_object
from bot.domain.rules import PositionKind
from bot.render import answers, command_help
from bot.services.positions import PositionService
from bot.services.setup import SetupService
from handlers.listening import answer, caller_of


def register(app: AsyncApp, positions: PositionService, setup: SetupService) -> None:
    @app.command("/object")
    async def on_object(ack: AsyncAck, command: dict[str, Any]) -> None:
        caller = caller_of(command)
        request = parse_object(str(command.get("text", "")))
        match request:
            case RaiseObjection(number, reason):
                change = await positions.object(caller, number, reason)
                await answer(ack, answers.position_receipt(change, PositionKind.OBJECTION))
            case StatePosition(number, kind, statement):
                change = await positions.record_position(caller, number, kind, statement)
                await answer(ack, answers.position_receipt(change, kind))
            case WithdrawPosition(number):
                change = await positions.withdraw_position(caller, number)
                await answer(ack, answers.withdrawal_receipt(change))
            case _:
                meeting, delegation = await setup.role_of(caller)
                await answer(ack, command_help.help_text(meeting, delegation, caller.user_id))
