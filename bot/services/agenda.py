"""Adopting a circulated agenda when its deadline passes: one question per item, "is it on the
agenda?"; an item blocked under the rule is excised, the others stay open; nothing is kept or
excised without a quorum, and what the adoption did is recorded as it stood."""

from __future__ import annotations

from datetime import datetime

from bot.domain import rules
from bot.domain.model import AgendaProposal, NoticeKind
from bot.domain.rules import ItemStatus, Outcome, Tally, outcome
from bot.ports.store import UnitOfWork
from bot.services.lookups import decide_item


async def adopt_agenda(uow: UnitOfWork, proposal: AgendaProposal, now: datetime) -> bool:
    """Adopt the agenda as it stands; False when another pass already did."""
    # The meeting's row lock first (PostgreSQL), then the claim: one lock order
    # for every unit of a meeting, and the rowcount of the claim decides.
    meeting = await uow.meetings.get(proposal.meeting_id)
    assert meeting is not None
    if not await uow.agendas.mark_adopted(proposal.id, now):
        return False
    present = await uow.meetings.count_present(meeting.id)
    quorate = rules.quorate(present, meeting.quorum)
    participants = await uow.meetings.count_participants(meeting.id)
    # What the adoption did to each item, as it stood at this moment: the
    # announcement is rendered later and must not count what changed since.
    done: dict[str, list[int]] = {
        "kept": [],
        "excised": [],
        "gone": [],
        "undecided": [],
        "blocked": [],
    }
    for item_id in proposal.items:
        item = await uow.items.get(item_id)
        if item is None:
            continue
        if item.status is not ItemStatus.OPEN:
            done["gone"].append(item_id)
            continue
        blocked = outcome(Tally(item.objections, participants), meeting.rule) is Outcome.BLOCKED
        if not quorate:
            # Nothing is decided without a quorum: neither kept nor excised.
            done["undecided"].append(item_id)
            if blocked:
                done["blocked"].append(item_id)
        elif blocked and await uow.votes.open_for_item(item.id) is None:
            # Excising answers only "is it on the agenda?": no confirmation is
            # needed to excise a modification of a superseded item.
            await decide_item(uow, meeting, item, "agenda", now, confirmed=True, excise=True)
            done["excised"].append(item_id)
        else:
            done["kept"].append(item_id)
    if not quorate:
        await uow.agendas.mark_inquorate(proposal.id)
    await uow.notices.add(
        proposal.meeting_id,
        None,
        NoticeKind.AGENDA_ADOPTED,
        now,
        {
            "proposal": proposal.id,
            **done,
            "quorum": meeting.quorum,
            "present": present,
        },
    )
    await uow.homes.mark_stale(meeting.id)
    return True
