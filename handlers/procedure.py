"""/meeting set rule|quorum, present, absent, whatif, agenda propose, record: procedure."""

from __future__ import annotations

from bot import render, render_procedure
from bot.commands import (
    MakeRecord,
    ProcedureRequest,
    ProposeAgenda,
    RegisterAbsent,
    RegisterPresent,
    SetQuorum,
    SetRule,
    ShowWhatIf,
)
from bot.lookups import Caller
from bot.procedure import Attendance, ProcedureService
from bot.text import escape


async def run(
    procedure: ProcedureService, caller: Caller, request: ProcedureRequest
) -> render.Message:
    match request:
        case SetRule(rule):
            await procedure.set_rule(caller, rule)
            return render.note(
                f"Items are now decided by *{rule.describe()}*. Every decision records the rule"
                " it was taken under."
            )
        case SetQuorum(quorum):
            _, present = await procedure.set_quorum(caller, quorum)
            if quorum == 0:
                return render.note("No quorum is required to decide.")
            return render.note(
                f"Deciding needs {quorum} participant delegations present; {present} have"
                " registered with `/meeting present`."
            )
        case RegisterPresent():
            attendance = await procedure.present(caller)
            said = "is registered present" if attendance.newly else "was already registered"
            return render.note(
                f"*{escape(attendance.delegation.name)}* {said}.{_count(attendance)}"
            )
        case RegisterAbsent():
            attendance = await procedure.absent(caller)
            said = (
                "is no longer registered present"
                if attendance.newly
                else "was not registered present"
            )
            return render.note(
                f"*{escape(attendance.delegation.name)}* {said}.{_count(attendance)}"
            )
        case ShowWhatIf(number):
            item, found = await procedure.what_if(caller, number)
            return render_procedure.what_if_answer(item, found)
        case ProposeAgenda(deadline):
            proposal = await procedure.propose_agenda(caller, deadline)
            return render.note(
                f"The provisional agenda ({len(proposal.items)} items) is circulated; objections"
                " close at the deadline and the adopted agenda is announced then."
            )
        case MakeRecord():
            await procedure.request_record(caller)
            return render.note(
                "The record is being prepared; it will be uploaded to this channel as Markdown"
                " and CSV."
            )


def _count(attendance: Attendance) -> str:
    if attendance.quorum:
        return f" {attendance.present} of the {attendance.quorum} required are present."
    return f" {attendance.present} participant delegations are present."
