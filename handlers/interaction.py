"""What button and form listeners share: who pressed, and how to answer them privately."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.actions import ItemRef
from bot.lookups import Caller
from bot.render import Message
from bot.services import MeetingService


def pressed(body: dict[str, Any]) -> tuple[str, str, str | None]:
    """(team, user, channel) of a block action; channel is None on the Home tab."""
    user = body.get("user") or {}
    team = (body.get("team") or {}).get("id") or user.get("team_id") or ""
    channel = (body.get("channel") or {}).get("id")
    return str(team), str(user.get("id", "")), channel


async def caller_for_item(
    meetings: MeetingService, body: dict[str, Any], value: str
) -> tuple[Caller, int]:
    """Unpack and check a button's item reference against where it was pressed."""
    team, user, channel = pressed(body)
    ref = ItemRef.unpack(value)
    base, number = await meetings.item_for_button(team, channel, ref.meeting_id, ref.item_id)
    return Caller(base.team_id, base.channel_id, user), number


async def tell(
    body: dict[str, Any], respond: AsyncRespond | None, client: AsyncWebClient, message: Message
) -> None:
    """Answer only the presser: in the channel where they pressed, else in a small modal."""
    if respond is not None and body.get("response_url"):
        await respond(
            text=message.text,
            blocks=message.blocks,
            response_type="ephemeral",
            replace_original=False,
        )
        return
    await client.views_open(
        trigger_id=body["trigger_id"],
        view={
            "type": "modal",
            "title": {"type": "plain_text", "text": "Plenary"},
            "close": {"type": "plain_text", "text": "Close"},
            "blocks": message.blocks,
        },
    )
