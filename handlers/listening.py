"""What every listener shares: who is calling or pressing, and how they are answered privately."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import UnionType
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.payloads import Action, ItemRef
from bot.commands.submissions import FieldErrors
from bot.domain.errors import PlenaryError
from bot.render import answers, forms
from bot.render.blocks import Message
from bot.services.items import ItemService
from bot.services.lookups import Caller


def caller_of(command: dict[str, Any]) -> Caller:
    return Caller(
        team_id=str(command.get("team_id", "")),
        channel_id=str(command.get("channel_id", "")),
        user_id=str(command.get("user_id", "")),
    )


async def answer(ack: AsyncAck, message: Message) -> None:
    """Acknowledge with an answer only the caller sees."""
    await ack(text=message.text, blocks=message.blocks or None, response_type="ephemeral")


async def refuse_fields(ack: AsyncAck, refusal: FieldErrors) -> None:
    """Keep a form open with each refusal shown under its input."""
    await ack(response_action="errors", errors=refusal.errors)


def pressed(body: dict[str, Any]) -> tuple[str, str, str | None]:
    """(team, user, channel) of a block action; channel is None on the Home tab."""
    user = body.get("user") or {}
    team = (body.get("team") or {}).get("id") or user.get("team_id") or ""
    channel = (body.get("channel") or {}).get("id")
    return str(team), str(user.get("id", "")), channel


async def caller_for_item(
    items: ItemService, body: dict[str, Any], value: str
) -> tuple[Caller, int]:
    """Unpack and check a button's item reference against where it was pressed."""
    team, user, channel = pressed(body)
    ref = ItemRef.unpack(value)
    base, number = await items.item_for_button(team, channel, ref.meeting_id, ref.item_id)
    return Caller(base.team_id, base.channel_id, user), number


ItemButton = Callable[[Caller, int, dict[str, Any], AsyncWebClient], Awaitable[Message | None]]


def on_item_button(app: AsyncApp, items: ItemService, action_id: Action, run: ItemButton) -> None:
    """Register a button on an item: acknowledge, check its value against where it was
    pressed, run it, and tell the presser the result (unless it opened a form)."""

    @app.action(action_id)
    async def pressed_button(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        try:
            caller, number = await caller_for_item(items, body, str(action.get("value", "")))
            message = await run(caller, number, body, client)
        except PlenaryError as err:
            message = answers.error(err)
        if message is not None:
            await tell(body, respond, client, message)


async def tell(
    body: dict[str, Any], respond: AsyncRespond | None, client: AsyncWebClient, message: Message
) -> None:
    """Answer only the presser: in the channel where they pressed, else in a small modal."""
    if respond is not None and body.get("response_url"):
        await respond(
            text=message.text,
            blocks=message.blocks or None,
            response_type="ephemeral",
            replace_original=False,
        )
        return
    await client.views_open(
        trigger_id=body["trigger_id"],
        view=forms.answer_modal(message),
    )


Subcommand = Callable[[Caller, Any], Awaitable[Message]]


class MeetingRouter:
    """Routes each ``/meeting`` request type to the feature that runs it, so one command can
    serve several features without one feature's listener importing another's."""

    def __init__(self) -> None:
        self._routes: list[tuple[type | UnionType, Subcommand]] = []

    def route(self, request_type: type | UnionType, run: Subcommand) -> None:
        self._routes.append((request_type, run))

    def runner_for(self, request: object) -> Subcommand | None:
        return next((run for kind, run in self._routes if isinstance(request, kind)), None)
