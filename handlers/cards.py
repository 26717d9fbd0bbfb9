"""Item card buttons (object, withdraw, co-sponsor, reservation / stand aside) and their
modals: the same services and rules as /object, one rule, many doors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.payloads import Action, Form
from bot.commands.submissions import FieldErrors, read_position_form
from bot.domain.errors import PlenaryError
from bot.domain.model import Item
from bot.domain.rules import PositionKind
from bot.render import answers, forms
from bot.render.blocks import Message
from bot.services.items import ItemService
from bot.services.lookups import Caller
from bot.services.positions import PositionService
from handlers.listening import on_item_button, pressed, refuse_fields


def register(app: AsyncApp, items: ItemService, positions: PositionService) -> None:
    def form_opener(
        kind: PositionKind, form: Callable[[Item], dict[str, Any]]
    ) -> Callable[[Caller, int, dict[str, Any], AsyncWebClient], Awaitable[None]]:
        """A button that opens ``form``, after refusing what submitting it would refuse."""

        async def open_form(
            caller: Caller, number: int, body: dict[str, Any], client: AsyncWebClient
        ) -> None:
            item = await items.item(caller, number)
            await positions.check_position(caller, number, kind)
            await client.views_open(trigger_id=body["trigger_id"], view=form(item))

        return open_form

    async def withdraw(
        caller: Caller, number: int, body: dict[str, Any], client: AsyncWebClient
    ) -> Message | None:
        return answers.withdrawal_receipt(await positions.withdraw_position(caller, number))

    async def cosponsor(
        caller: Caller, number: int, body: dict[str, Any], client: AsyncWebClient
    ) -> Message | None:
        change = await positions.record_position(caller, number, PositionKind.SUPPORT, "")
        return answers.position_receipt(change, PositionKind.SUPPORT)

    on_item_button(
        app, items, Action.OBJECT, form_opener(PositionKind.OBJECTION, forms.objection_form)
    )
    on_item_button(
        app,
        items,
        Action.STATE_POSITION,
        form_opener(PositionKind.RESERVATION, forms.position_form),
    )
    on_item_button(app, items, Action.WITHDRAW_OBJECTION, withdraw)
    on_item_button(app, items, Action.COSPONSOR, cosponsor)

    async def on_position_form(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        request = read_position_form(view)
        if isinstance(request, FieldErrors):
            await refuse_fields(ack, request)
            return
        team, user, _ = pressed(body)
        try:
            await positions.position_submitted(team, user, request)
        except PlenaryError as err:
            await refuse_fields(ack, request.refused(err))
            return
        await ack()

    app.view(Form.OBJECTION)(on_position_form)
    app.view(Form.POSITION)(on_position_form)
