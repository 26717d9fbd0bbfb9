"""/meeting set rule|quorum, present, absent, whatif, agenda propose, record: procedure."""

from __future__ import annotations

from bot.commands.parsing import (
    MakeRecord,
    ProcedureRequest,
    ProposeAgenda,
    RegisterAbsent,
    RegisterPresent,
    SetQuorum,
    SetRule,
    ShowWhatIf,
)
from bot.domain.model import Attendance
from bot.domain.text import escape
from bot.render import blocks, procedure as render_procedure
from bot.render.blocks import Message
from bot.services.lookups import Caller
from bot.services.procedure import ProcedureService
from handlers.listening import MeetingRouter


async def run(
    procedure: ProcedureService, caller: Caller, request: ProcedureRequest
) -> blocks.Message:
    match request:
        case SetRule(rule):
            await procedure.set_rule(caller, rule)
            return blocks.note(
                f"Items are now decided by *{rule.describe()}*. Every decision records the rule"
                " it was taken under."
            )
        case SetQuorum(quorum):
            _, present = await procedure.set_quorum(caller, quorum)
            if quorum == 0:
                return blocks.note("No quorum is required to decide.")
            return blocks.note(
                f"Deciding needs {quorum} participant delegations present; {present} have"
                " registered with `/meeting present`."
            )
        case RegisterPresent():
            attendance = await procedure.present(caller)
            said = "is registered present" if attendance.newly else "was already registered"
            return blocks.note(
                f"*{escape(attendance.delegation.name)}* {said}.{_count(attendance)}"
            )
        case RegisterAbsent():
            attendance = await procedure.absent(caller)
            said = (
                "is no longer registered present"
                if attendance.newly
                else "was not registered present"
            )
            return blocks.note(
                f"*{escape(attendance.delegation.name)}* {said}.{_count(attendance)}"
            )
        case ShowWhatIf(number):
            item, found = await procedure.what_if(caller, number)
            return render_procedure.what_if_answer(item, found)
        case ProposeAgenda(deadline):
            proposal = await procedure.propose_agenda(caller, deadline)
            return blocks.note(
                f"The provisional agenda ({len(proposal.items)} items) is circulated; objections"
                " close at the deadline and the adopted agenda is announced then."
            )
        case MakeRecord():
            await procedure.request_record(caller)
            return blocks.note(
                "The record is being prepared; it will be uploaded to this channel as Markdown"
                " and CSV."
            )


def _count(attendance: Attendance) -> str:
    if attendance.quorum:
        return f" {attendance.present} of the {attendance.quorum} required are present."
    return f" {attendance.present} participant delegations are present."


def register(router: MeetingRouter, procedure: ProcedureService) -> None:
    async def run_request(caller: Caller, request: ProcedureRequest) -> Message:
        return await run(procedure, caller, request)

    router.route(ProcedureRequest, run_request)
