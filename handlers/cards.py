"""Item card buttons (object, withdraw, co-sponsor, reservation / stand aside) and their
modals: the same services and rules as /object, one rule, many doors."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import forms, render
from bot.actions import Action, Form, ItemRef
from bot.domain import PositionKind
from bot.errors import PlenaryError
from bot.lookups import Caller
from bot.services import MeetingService, PositionChange
from bot.text import plain_text
from handlers.interaction import caller_for_item, pressed, tell


def receipt(change: PositionChange, kind: PositionKind) -> render.Message:
    return render.position_receipt(
        change.delegation.name,
        change.item.number,
        kind,
        replaced=change.replaced,
        previous=change.previous.kind if change.previous else None,
        change=change.change,
    )


def register(app: AsyncApp, meetings: MeetingService) -> None:
    async def checked(body: dict[str, Any], action: dict[str, Any]) -> tuple[Caller, int]:
        return await caller_for_item(meetings, body, str(action.get("value", "")))

    @app.action(Action.OBJECT)
    async def on_object(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        try:
            caller, number = await checked(body, action)
            item = await meetings.item(caller, number)
            await meetings.check_position(caller, number, PositionKind.OBJECTION)
        except PlenaryError as err:
            await tell(body, respond, client, render.error(err))
            return
        await client.views_open(trigger_id=body["trigger_id"], view=forms.objection_form(item))

    @app.action(Action.STATE_POSITION)
    async def on_state_position(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        try:
            caller, number = await checked(body, action)
            item = await meetings.item(caller, number)
            await meetings.check_position(caller, number, PositionKind.RESERVATION)
        except PlenaryError as err:
            await tell(body, respond, client, render.error(err))
            return
        await client.views_open(trigger_id=body["trigger_id"], view=forms.position_form(item))

    @app.action(Action.WITHDRAW_OBJECTION)
    async def on_withdraw(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        try:
            caller, number = await checked(body, action)
            change = await meetings.withdraw_objection(caller, number)
            message = render.withdrawal_receipt(change.delegation.name, number, change.change)
        except PlenaryError as err:
            message = render.error(err)
        await tell(body, respond, client, message)

    @app.action(Action.COSPONSOR)
    async def on_cosponsor(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        try:
            caller, number = await checked(body, action)
            change = await meetings.record_position(caller, number, PositionKind.SUPPORT, "")
            message = receipt(change, PositionKind.SUPPORT)
        except PlenaryError as err:
            message = render.error(err)
        await tell(body, respond, client, message)

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
