"""/meeting set rule|quorum, present, absent, whatif, agenda propose, record: procedure."""

from __future__ import annotations

from bot.commands.procedure import (
    MakeRecord,
    ProcedureRequest,
    ProposeAgenda,
    RegisterAbsent,
    RegisterPresent,
    SetQuorum,
    SetRule,
    ShowWhatIf,
)
from bot.render import procedure as render_procedure
from bot.render.blocks import Message
from bot.services.lookups import Caller
from bot.services.procedure import ProcedureService
from handlers.listening import MeetingRouter


async def run(procedure: ProcedureService, caller: Caller, request: ProcedureRequest) -> Message:
    match request:
        case SetRule(rule):
            await procedure.set_rule(caller, rule)
            return render_procedure.rule_set(rule)
        case SetQuorum(quorum):
            _, present = await procedure.set_quorum(caller, quorum)
            return render_procedure.quorum_set(quorum, present)
        case RegisterPresent():
            return render_procedure.registered_present(await procedure.present(caller))
        case RegisterAbsent():
            return render_procedure.registered_absent(await procedure.absent(caller))
        case ShowWhatIf(number):
            item, found, vote = await procedure.what_if(caller, number)
            return render_procedure.what_if_answer(item, found, vote)
        case ProposeAgenda(deadline):
            proposal = await procedure.propose_agenda(caller, deadline)
            return render_procedure.agenda_circulated(proposal)
        case MakeRecord():
            await procedure.request_record(caller)
            return render_procedure.record_requested()


def register(router: MeetingRouter, procedure: ProcedureService) -> None:
    async def run_request(caller: Caller, request: ProcedureRequest) -> Message:
        return await run(procedure, caller, request)

    router.route(ProcedureRequest, run_request)
