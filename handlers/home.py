"""The App Home tab: published when opened and kept fresh; chairs decide from it."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.payloads import Action
from bot.render import answers
from bot.render.blocks import Message
from bot.services.deliveries import Deliveries
from bot.services.home import HomeService
from bot.services.items import ItemService
from bot.services.lookups import Caller
from handlers.listening import on_item_button

log = logging.getLogger(__name__)


def register(app: AsyncApp, items: ItemService, homes: HomeService, deliveries: Deliveries) -> None:
    @app.event("app_home_opened")
    async def on_home_opened(event: dict[str, Any], body: dict[str, Any]) -> None:
        if not await deliveries.first(str(body.get("event_id", ""))):
            log.info("event retry ignored", extra={"event_id": body.get("event_id")})
            return
        if event.get("tab", "home") != "home":
            return
        team = str(body.get("team_id") or event.get("view", {}).get("team_id") or "")
        await homes.opened(team, str(event.get("user", "")))

    async def decide(
        caller: Caller, number: int, body: dict[str, Any], client: AsyncWebClient
    ) -> Message | None:
        result = await items.decide(caller, number)
        return answers.item_decided(result.item, from_home=True)

    on_item_button(app, items, Action.DECIDE, decide)
