"""/floor, the list of speakers' buttons, and /meeting discuss|floor|set speaking-time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.floor import (
    AskFloor,
    CloseList,
    Discuss,
    EndDiscussion,
    FloorChairRequest,
    GiveFloor,
    NextSpeaker,
    SetSpeakingTime,
    ShowFloor,
    WithdrawRequest,
    parse_floor,
)
from bot.commands.payloads import Action, MeetingRef
from bot.domain.errors import PlenaryError
from bot.domain.floor import RequestKind
from bot.ports.clock import Clock
from bot.render import answers, command_help, floor as render_floor
from bot.render.blocks import Message
from bot.services.floor import FloorChange, FloorService, FloorState
from bot.services.lookups import Caller
from bot.services.setup import SetupService
from handlers.listening import MeetingRouter, answer, caller_of, pressed, tell


def _listed(state: FloorState) -> Message:
    return render_floor.floor_list(state.floor, state.meeting, state.place)


def _requested(state: FloorState, kind: RequestKind) -> Message:
    assert state.floor is not None
    return render_floor.requested(state.floor, kind, state.place)


def _withdrawn(state: FloorState) -> Message:
    assert state.floor is not None
    return render_floor.withdrawn(state.floor)


def register(
    app: AsyncApp,
    router: MeetingRouter,
    floor: FloorService,
    setup: SetupService,
    clock: Clock,
) -> None:
    def given(change: FloorChange) -> Message:
        return render_floor.floor_given(change.floor, change.ended, change.started, clock.now())

    @app.command("/floor")
    async def on_floor(ack: AsyncAck, command: dict[str, Any]) -> None:
        caller = caller_of(command)
        match parse_floor(str(command.get("text", ""))):
            case AskFloor(kind):
                await answer(ack, _requested(await floor.request(caller, kind), kind))
            case WithdrawRequest():
                await answer(ack, _withdrawn(await floor.withdraw(caller)))
            case ShowFloor():
                await answer(ack, _listed(await floor.show(caller)))
            case _:
                meeting, delegation = await setup.role_of(caller)
                await answer(ack, command_help.help_text(meeting, delegation, caller.user_id))

    async def run(caller: Caller, request: FloorChairRequest) -> Message:
        match request:
            case Discuss(number):
                return render_floor.discussion_opened((await floor.discuss(caller, number)).floor)
            case EndDiscussion():
                return render_floor.discussion_ended((await floor.end_discussion(caller)).floor)
            case NextSpeaker():
                return given(await floor.next_speaker(caller))
            case GiveFloor(name):
                return given(await floor.give(caller, name))
            case CloseList(closed):
                return render_floor.list_closed((await floor.set_closed(caller, closed)).floor)
            case SetSpeakingTime(limit):
                await floor.set_speaking_time(caller, limit)
                return render_floor.speaking_time_set(limit)

    router.route(FloorChairRequest, run)

    def on_button(action_id: Action, act: Callable[[Caller], Awaitable[Message]]) -> None:
        @app.action(action_id)
        async def pressed_button(
            ack: AsyncAck,
            body: dict[str, Any],
            action: dict[str, Any],
            client: AsyncWebClient,
            respond: AsyncRespond,
        ) -> None:
            await ack()
            team, user, channel = pressed(body)
            try:
                ref = MeetingRef.unpack(str(action.get("value", "")))
                message = await act(await floor.button_caller(team, channel, user, ref.meeting_id))
            except PlenaryError as err:
                message = answers.error(err)
            await tell(body, respond, client, message)

    async def request_floor(caller: Caller) -> Message:
        return _requested(await floor.request(caller, RequestKind.SPEAK), RequestKind.SPEAK)

    async def withdraw_request(caller: Caller) -> Message:
        return _withdrawn(await floor.withdraw(caller))

    async def next_speaker(caller: Caller) -> Message:
        return given(await floor.next_speaker(caller))

    on_button(Action.FLOOR_REQUEST, request_floor)
    on_button(Action.FLOOR_WITHDRAW, withdraw_request)
    on_button(Action.FLOOR_NEXT, next_speaker)
