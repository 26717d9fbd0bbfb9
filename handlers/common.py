"""What every listener shares: who is calling, and how an answer is sent."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.lookups import Caller
from bot.render import Message


def caller_of(command: dict[str, Any]) -> Caller:
    return Caller(
        team_id=str(command.get("team_id", "")),
        channel_id=str(command.get("channel_id", "")),
        user_id=str(command.get("user_id", "")),
    )


async def answer(ack: AsyncAck, message: Message) -> None:
    """Acknowledge with an answer only the caller sees."""
    await ack(text=message.text, blocks=message.blocks or None, response_type="ephemeral")
