"""The App Home tab: published when opened and kept fresh; chairs decide from it."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import render
from bot.actions import Action
from bot.errors import PlenaryError
from bot.home import HomeService
from bot.services import MeetingService
from handlers.interaction import caller_for_item, tell


def register(app: AsyncApp, meetings: MeetingService, homes: HomeService) -> None:
    @app.event("app_home_opened")
    async def on_home_opened(event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        team = str(body.get("team_id") or event.get("view", {}).get("team_id") or "")
        await homes.opened(team, str(event.get("user", "")))

    @app.action(Action.DECIDE)
    async def on_decide(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        try:
            caller, number = await caller_for_item(meetings, body, str(action.get("value", "")))
            result = await meetings.decide(caller, number)
            message = render.note(
                f"#{number} is decided: *{render.STATUS_LABEL[result.item.status]}*."
                " The outcome has been announced in the meeting's channel."
            )
        except PlenaryError as err:
            message = render.error(err)
        await tell(body, respond, client, message)
