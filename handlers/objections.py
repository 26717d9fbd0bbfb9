"""/object: a participant delegation objects to an item, or withdraws its objection."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot import render
from bot.commands import RaiseObjection, WithdrawObjection, parse_object
from bot.domain import BlockChange
from bot.services import MeetingService
from bot.text import escape
from handlers.common import answer, caller_of


def register(app: AsyncApp, meetings: MeetingService) -> None:
    @app.command("/object")
    async def on_object(ack: AsyncAck, command: dict[str, Any]) -> None:
        caller = caller_of(command)
        request = parse_object(str(command.get("text", "")))
        match request:
            case RaiseObjection(number, reason):
                change = await meetings.object(caller, number, reason)
                who = escape(change.delegation.name)
                if change.replaced:
                    text = (
                        f"{who}'s objection to #{number} already stands; it still counts once."
                        + (" Its reason is updated." if reason else "")
                    )
                else:
                    text = f":no_entry: Recorded {who}'s objection to #{number}."
                    if change.change is BlockChange.NOW_BLOCKED:
                        text += " The item is now blocked; the channel has been told."
                await answer(ack, render.note(text))
            case WithdrawObjection(number):
                change = await meetings.withdraw_objection(caller, number)
                text = f"Withdrew {escape(change.delegation.name)}'s objection to #{number}."
                if change.change is BlockChange.UNBLOCKED:
                    text += " No objection stands now; the channel has been told."
                await answer(ack, render.note(text))
            case _:
                meeting, delegation = await meetings.role_of(caller)
                await answer(ack, render.help_text(meeting, delegation, caller.user_id))
