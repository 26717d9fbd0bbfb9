"""/table-motion: a delegation tables an item."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot import render
from bot.commands import ShowHelp, parse_table_motion
from bot.services import MeetingService
from handlers.common import answer, caller_of


def register(app: AsyncApp, meetings: MeetingService) -> None:
    @app.command("/table-motion")
    async def on_table_motion(ack: AsyncAck, command: dict[str, Any]) -> None:
        caller = caller_of(command)
        request = parse_table_motion(str(command.get("text", "")))
        if isinstance(request, ShowHelp):
            meeting, delegation = await meetings.role_of(caller)
            await answer(ack, render.help_text(meeting, delegation, caller.user_id))
            return
        item = await meetings.table(caller, request)
        await answer(ack, render.tabled_receipt(item))
