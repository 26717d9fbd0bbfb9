"""What each notice says now: rendered from the meeting's current state at send time, so a
burst of changes coalesces into one post and a few edits."""

from __future__ import annotations

from datetime import datetime

from bot.domain.model import Notice, NoticeKind
from bot.ports.store import UnitOfWork
from bot.render import (
    blocks,
    notices,
    procedure as render_procedure,
    sessions as render_schedule,
)
from bot.services.sessions import assemble_digest


async def render_notice(uow: UnitOfWork, notice: Notice) -> blocks.Message | None:
    """Render a notice from the meeting's current state; None when its subject is gone."""
    meeting = await uow.meetings.get(notice.meeting_id)
    if meeting is None:
        return None
    if notice.kind is NoticeKind.MEETING_STARTED:
        return notices.meeting_started(meeting)
    if notice.kind in (NoticeKind.AGENDA_PROPOSED, NoticeKind.AGENDA_ADOPTED):
        proposal = await uow.agendas.get(int(notice.payload["proposal"]))
        if proposal is None:
            return None
        items = [i for i in await uow.items.all(meeting.id) if i.id in proposal.items]
        if notice.kind is NoticeKind.AGENDA_PROPOSED:
            return render_procedure.agenda_proposed(meeting, proposal, items)
        return render_procedure.agenda_adopted(
            meeting, proposal, items, await uow.items.decisions(meeting.id), notice.payload
        )
    if notice.kind is NoticeKind.REMINDER:
        session = await uow.sessions.get(int(notice.payload["session_id"]))
        if session is None:
            return None
        return render_schedule.reminder(
            meeting, session, await uow.items.open_in_session(session.id)
        )
    if notice.kind is NoticeKind.DIGEST:
        digest = await assemble_digest(
            uow,
            meeting,
            since=datetime.fromisoformat(notice.payload["since"])
            if notice.payload.get("since")
            else None,
            until=datetime.fromisoformat(notice.payload["until"]),
            late=bool(notice.payload.get("late")),
        )
        return render_schedule.digest(digest)
    item = await uow.items.get(notice.item_id) if notice.item_id is not None else None
    if item is None:
        return None
    if notice.kind is NoticeKind.ITEM_CARD:
        participants = await uow.meetings.count_participants(meeting.id)
        return notices.item_card(item, meeting, participants)
    if notice.kind is NoticeKind.BLOCKED:
        return notices.blocked_notice(item, meeting, closed=notice.closed)
    if notice.kind is NoticeKind.INQUORATE:
        return render_procedure.inquorate_notice(
            item,
            str(notice.payload.get("why", "")),
            str(notice.payload.get("cause", "quorum")),
        )
    if notice.kind is NoticeKind.WITHDRAWN:
        return notices.withdrawn_notice(item, by_chair=notice.payload.get("as") == "chair")
    if notice.kind is NoticeKind.UNBLOCKED:
        return notices.unblocked_notice(item, meeting)
    decision = await uow.items.decision(item.id)  # NoticeKind.OUTCOME
    return notices.outcome_notice(item, decision, meeting) if decision else None
