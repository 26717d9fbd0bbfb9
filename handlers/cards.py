"""Item card buttons (object, withdraw, co-sponsor, reservation / stand aside) and their
modals: the same services and rules as /object, one rule, many doors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.payloads import Action, Form, ItemRef
from bot.domain.errors import PlenaryError
from bot.domain.model import Item
from bot.domain.rules import PositionKind
from bot.domain.text import plain_text
from bot.render import answers, forms
from bot.render.blocks import Message
from bot.services.lookups import Caller
from bot.services.meetings import MeetingService
from handlers.listening import on_item_button, pressed


def register(app: AsyncApp, meetings: MeetingService) -> None:
    def form_opener(
        kind: PositionKind, form: Callable[[Item], dict[str, Any]]
    ) -> Callable[[Caller, int, dict[str, Any], AsyncWebClient], Awaitable[None]]:
        """A button that opens ``form``, after refusing what submitting it would refuse."""

        async def open_form(
            caller: Caller, number: int, body: dict[str, Any], client: AsyncWebClient
        ) -> None:
            item = await meetings.item(caller, number)
            await meetings.check_position(caller, number, kind)
            await client.views_open(trigger_id=body["trigger_id"], view=form(item))

        return open_form

    async def withdraw(
        caller: Caller, number: int, body: dict[str, Any], client: AsyncWebClient
    ) -> Message | None:
        return answers.withdrawal_receipt(await meetings.withdraw_position(caller, number))

    async def cosponsor(
        caller: Caller, number: int, body: dict[str, Any], client: AsyncWebClient
    ) -> Message | None:
        change = await meetings.record_position(caller, number, PositionKind.SUPPORT, "")
        return answers.position_receipt(change, PositionKind.SUPPORT)

    on_item_button(
        app, meetings, Action.OBJECT, form_opener(PositionKind.OBJECTION, forms.objection_form)
    )
    on_item_button(
        app,
        meetings,
        Action.STATE_POSITION,
        form_opener(PositionKind.RESERVATION, forms.position_form),
    )
    on_item_button(app, meetings, Action.WITHDRAW_OBJECTION, withdraw)
    on_item_button(app, meetings, Action.COSPONSOR, cosponsor)

    @app.view(Form.OBJECTION)
    async def on_objection_form(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        reason = plain_text(str(forms.value_of(view["state"], forms.REASON).get("value") or ""))
        await _submit(ack, body, view, PositionKind.OBJECTION, reason, forms.REASON)

    @app.view(Form.POSITION)
    async def on_position_form(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        chosen = forms.value_of(view["state"], forms.KIND).get("selected_option") or {}
        statement = plain_text(
            str(forms.value_of(view["state"], forms.STATEMENT).get("value") or "")
        )
        if chosen.get("value") not in (PositionKind.RESERVATION, PositionKind.STAND_ASIDE):
            await ack(response_action="errors", errors={forms.KIND: "Choose a position."})
            return
        if not statement:
            await ack(
                response_action="errors",
                errors={forms.STATEMENT: "Write the statement to put on record."},
            )
            return
        kind = PositionKind(chosen["value"])
        await _submit(ack, body, view, kind, statement, forms.STATEMENT)

    async def _submit(
        ack: AsyncAck,
        body: dict[str, Any],
        view: dict[str, Any],
        kind: PositionKind,
        statement: str,
        field: str,
    ) -> None:
        team, user, _ = pressed(body)
        try:
            ref = ItemRef.unpack(str(view.get("private_metadata", "")))
            base, number = await meetings.item_for_button(team, None, ref.meeting_id, ref.item_id)
            caller = Caller(base.team_id, base.channel_id, user)
            await meetings.record_position(caller, number, kind, statement)
        except PlenaryError as err:
            await ack(response_action="errors", errors={field: err.message[:300]})
            return
        await ack()
