"""/table-motion and the tabling form: a delegation tables an item."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.motions import OpenTablingForm, parse_table_motion
from bot.commands.payloads import Action, Form, MeetingRef
from bot.commands.submissions import FieldErrors, read_tabling_form
from bot.commands.tokens import ShowHelp
from bot.domain.errors import PlenaryError
from bot.render import answers, command_help, forms
from bot.services.items import ItemService
from bot.services.setup import SetupService
from handlers.listening import answer, caller_of, pressed, refuse_fields, tell


def register(app: AsyncApp, items: ItemService, setup: SetupService) -> None:
    @app.command("/table-motion")
    async def on_table_motion(
        ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient
    ) -> None:
        caller = caller_of(command)
        request = parse_table_motion(str(command.get("text", "")))
        if isinstance(request, ShowHelp):
            meeting, delegation = await setup.role_of(caller)
            await answer(ack, command_help.help_text(meeting, delegation, caller.user_id))
            return
        if isinstance(request, OpenTablingForm):
            meeting, own, others, sessions = await items.tabling_context(caller)
            await client.views_open(
                trigger_id=command["trigger_id"],
                view=forms.tabling_form(meeting, own, others, sessions),
            )
            await ack()
            return
        item = await items.table(caller, request)
        await answer(ack, answers.tabled_receipt(item, request.kept_in_text))

    @app.action(Action.TABLE)
    async def on_table_button(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        try:
            team, user, _ = pressed(body)
            ref = MeetingRef.unpack(str(action.get("value", "")))
            caller, _ = await items.caller_in(team, user, ref.meeting_id)
            meeting, own, others, sessions = await items.tabling_context(caller)
        except PlenaryError as err:
            await tell(body, respond, client, answers.error(err))
            return
        await client.views_open(
            trigger_id=body["trigger_id"], view=forms.tabling_form(meeting, own, others, sessions)
        )

    @app.view(Form.TABLING)
    async def on_tabling_form(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        request = read_tabling_form(view)
        if isinstance(request, FieldErrors):
            await refuse_fields(ack, request)
            return
        team, user, _ = pressed(body)
        try:
            await items.table_submitted(team, user, request)
        except PlenaryError as err:
            await refuse_fields(ack, request.refused(err))
            return
        await ack()
