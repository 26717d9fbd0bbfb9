"""/table-motion and the tabling form: a delegation tables an item."""

from __future__ import annotations

from typing import Any, TypeGuard

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.parsing import OpenTablingForm, ShowHelp, TableMotion, parse_table_motion
from bot.commands.payloads import Action, Form, MeetingRef
from bot.domain.errors import Conflict, PlenaryError
from bot.domain.model import Meeting
from bot.domain.text import plain_text
from bot.render import answers, command_help, forms
from bot.services.lookups import Caller
from bot.services.meetings import MeetingService
from handlers.listening import answer, caller_of, pressed, tell

# Which form input a refusal concerns, by the service's name for it.
FIELD_BLOCKS = {
    "deadline": forms.DEADLINE_DATE,
    "session": forms.SESSION,
    "cosponsors": forms.COSPONSORS,
    "title": forms.TITLE,
    "text": forms.TEXT,
}


def register(app: AsyncApp, meetings: MeetingService) -> None:
    @app.command("/table-motion")
    async def on_table_motion(
        ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient
    ) -> None:
        caller = caller_of(command)
        request = parse_table_motion(str(command.get("text", "")))
        if isinstance(request, ShowHelp):
            meeting, delegation = await meetings.role_of(caller)
            await answer(ack, command_help.help_text(meeting, delegation, caller.user_id))
            return
        if isinstance(request, OpenTablingForm):
            meeting, own, others, sessions = await meetings.tabling_context(caller)
            await client.views_open(
                trigger_id=command["trigger_id"],
                view=forms.tabling_form(meeting, own, others, sessions),
            )
            await ack()
            return
        item = await meetings.table(caller, request)
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
            caller, _ = await _caller_in(meetings, body, str(action.get("value", "")))
            meeting, own, others, sessions = await meetings.tabling_context(caller)
        except PlenaryError as err:
            await tell(body, respond, client, answers.error(err))
            return
        await client.views_open(
            trigger_id=body["trigger_id"], view=forms.tabling_form(meeting, own, others, sessions)
        )

    @app.view(Form.TABLING)
    async def on_tabling_form(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        state = view["state"]
        title = plain_text(str(forms.value_of(state, forms.TITLE).get("value") or ""))
        text = plain_text(str(forms.value_of(state, forms.TEXT).get("value") or ""))
        day = forms.value_of(state, forms.DEADLINE_DATE).get("selected_date")
        clock = forms.value_of(state, forms.DEADLINE_TIME).get("selected_time")
        errors = {}
        if not title:
            errors[forms.TITLE] = "Give the motion a title."
        if not text:
            errors[forms.TEXT] = "Write the text of the motion."
        if bool(day) != bool(clock):
            missing = forms.DEADLINE_TIME if day else forms.DEADLINE_DATE
            errors[missing] = "Give both a date and a time for the deadline, or neither."
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        try:
            caller, meeting = await _caller_in(
                meetings, body, str(view.get("private_metadata", ""))
            )
            ids = list(
                dict.fromkeys(
                    int(o["value"])
                    for o in forms.value_of(state, forms.COSPONSORS).get("selected_options") or []
                    if _number(o.get("value"))
                )
            )
            session = (forms.value_of(state, forms.SESSION).get("selected_option") or {}).get(
                "value"
            )
            request = TableMotion(
                text=text,
                title=title,
                deadline=f"{day} {clock}" if day and clock else None,
                session=int(session) if _number(session) else None,
                cosponsors=tuple(await meetings.delegation_names(meeting.id, ids)),
            )
            await meetings.table(caller, request)
        except PlenaryError as err:
            block = FIELD_BLOCKS.get(err.field, forms.TEXT)
            await ack(response_action="errors", errors={block: err.message[:300]})
            return
        await ack()


async def _caller_in(
    meetings: MeetingService, body: dict[str, Any], value: str
) -> tuple[Caller, Meeting]:
    """The presser as a caller in the meeting a packed MeetingRef names, in their workspace."""
    team, user, _ = pressed(body)
    meeting = await meetings.meeting_by_id(MeetingRef.unpack(value).meeting_id)
    if meeting is None or meeting.team_id != team:
        raise Conflict("This form belongs to a meeting that no longer exists here.")
    return Caller(meeting.team_id, meeting.channel_id, user), meeting


def _number(value: object) -> TypeGuard[str]:
    """A choice's value as the form drew it: ASCII digits (a forged one may be anything)."""
    return isinstance(value, str) and value.isascii() and value.isdigit()
