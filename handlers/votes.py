"""/vote, the vote card's buttons, and /meeting vote|vote close|vote cancel."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.payloads import Action
from bot.commands.tokens import ShowHelp
from bot.commands.votes import (
    CancelVote,
    CastVote,
    CloseVote,
    OpenVote,
    VoteChairRequest,
    parse_vote,
)
from bot.domain.votes import Ballot
from bot.render import command_help, vote_answers
from bot.render.blocks import Message
from bot.services.items import ItemService
from bot.services.lookups import Caller
from bot.services.setup import SetupService
from bot.services.votes import BallotCast, VoteService
from handlers.listening import MeetingRouter, answer, caller_of, on_item_button


def _receipt(cast: BallotCast) -> Message:
    return vote_answers.ballot_cast(
        cast.vote, cast.delegation.name, cast.choice, cast.explanation, replaced=cast.replaced
    )


def register(
    app: AsyncApp,
    router: MeetingRouter,
    votes: VoteService,
    items: ItemService,
    setup: SetupService,
) -> None:
    @app.command("/vote")
    async def on_vote(ack: AsyncAck, command: dict[str, Any]) -> None:
        caller = caller_of(command)
        match parse_vote(str(command.get("text", ""))):
            case CastVote(number, choice, explanation):
                await answer(ack, _receipt(await votes.cast(caller, number, choice, explanation)))
            case ShowHelp():
                meeting, delegation = await setup.role_of(caller)
                await answer(ack, command_help.help_text(meeting, delegation, caller.user_id))

    async def run(caller: Caller, request: VoteChairRequest) -> Message:
        match request:
            case OpenVote():
                return vote_answers.vote_opened((await votes.open_vote(caller, request)).vote)
            case CloseVote(number):
                closed = await votes.close(caller, number)
                return vote_answers.vote_closed(closed.view.vote, closed.result)
            case CancelVote(number):
                return vote_answers.vote_cancelled((await votes.cancel(caller, number)).vote)

    router.route(VoteChairRequest, run)

    def ballot_button(action_id: Action, choice: Ballot) -> None:
        async def cast(
            caller: Caller, number: int, body: dict[str, Any], client: AsyncWebClient
        ) -> Message:
            return _receipt(await votes.cast(caller, number, choice))

        on_item_button(app, items, action_id, cast)

    ballot_button(Action.VOTE_YES, Ballot.YES)
    ballot_button(Action.VOTE_NO, Ballot.NO)
    ballot_button(Action.VOTE_ABSTAIN, Ballot.ABSTAIN)

    async def close(
        caller: Caller, number: int, body: dict[str, Any], client: AsyncWebClient
    ) -> Message:
        closed = await votes.close(caller, number)
        return vote_answers.vote_closed(closed.view.vote, closed.result)

    on_item_button(app, items, Action.VOTE_CLOSE, close)
