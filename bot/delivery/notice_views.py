"""What each notice says now: rendered from the meeting's current state at send time, so a
burst of changes coalesces into one post and a few edits; and whether a notice not yet
posted is still news at all."""

from __future__ import annotations

from datetime import datetime

from bot.domain import rules
from bot.domain.model import Item, Meeting, Notice, NoticeKind
from bot.domain.rules import ItemStatus
from bot.ports.store import UnitOfWork
from bot.render import (
    blocks,
    floor as render_floor,
    notices,
    procedure as render_procedure,
    sessions as render_schedule,
    votes as render_votes,
)
from bot.render.blocks import is_blocked
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
    if notice.kind is NoticeKind.SPEAKERS_LIST:
        floor = await uow.floor.get(int(notice.payload["floor"]))
        return render_floor.speakers_list(floor, meeting) if floor is not None else None
    item = await uow.items.get(notice.item_id) if notice.item_id is not None else None
    if item is None:
        return None
    if notice.kind in (NoticeKind.VOTE_CARD, NoticeKind.VOTE_RESULT):
        vote = await uow.votes.get(int(notice.payload["vote"]))
        if vote is None:
            return None
        if notice.kind is NoticeKind.VOTE_CARD:
            return render_votes.vote_card(vote, item, meeting)
        ballots = await uow.votes.ballots(vote.id)
        return render_votes.vote_result(vote, item, meeting, ballots)
    if notice.kind is NoticeKind.ITEM_CARD:
        participants = await uow.meetings.count_participants(meeting.id)
        return notices.item_card(item, meeting, participants)
    if notice.kind is NoticeKind.BLOCKED:
        # Once posted, a block notice says what stands now: while the item is open and no
        # longer blocked, it reads as over even before "no longer blocked" goes out.
        over = notice.closed or (
            item.status is ItemStatus.OPEN and not await _blocked_now(uow, meeting, item)
        )
        return notices.blocked_notice(item, meeting, closed=over)
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


async def still_news(uow: UnitOfWork, notice: Notice) -> bool:
    """Whether a notice is still worth sending. Only a "blocked" or "no longer blocked"
    notice never posted can stop being news: when the standing it announces was undone
    before its turn, or the channel already shows it, or the item left the agenda."""
    if notice.kind not in (NoticeKind.BLOCKED, NoticeKind.UNBLOCKED):
        return True
    if notice.message_ts is not None or notice.uncertain_since is not None:
        return True  # in the channel (or maybe): kept up to date instead
    if notice.closed or notice.item_id is None:
        return False
    item = await uow.items.get(notice.item_id)
    meeting = await uow.meetings.get(notice.meeting_id)
    if item is None or meeting is None or item.status is not ItemStatus.OPEN:
        return False  # the outcome or the withdrawal is the news now
    return rules.standing_notice_is_news(
        says_blocked=notice.kind is NoticeKind.BLOCKED,
        blocked=await _blocked_now(uow, meeting, item),
        channel_shows_blocked=await uow.notices.shows_blocked(item.id),
    )


async def _blocked_now(uow: UnitOfWork, meeting: Meeting, item: Item) -> bool:
    return is_blocked(item, meeting, await uow.meetings.count_participants(meeting.id))


async def render_private(
    uow: UnitOfWork, notice: Notice
) -> tuple[blocks.Message, list[str]] | None:
    """A notice told only to some people in the channel (the speaker's warning): what it says
    and to whom; None when its subject is gone or nobody is left to tell."""
    turn = await uow.floor.turn(int(notice.payload["turn"]))
    floor_id = await uow.floor.floor_of_turn(int(notice.payload["turn"]))
    floor = await uow.floor.get(floor_id) if floor_id is not None else None
    if turn is None or floor is None or turn.ended_at is not None:
        return None
    speakers = [
        d.members
        for d in await uow.meetings.delegations(notice.meeting_id)
        if d.id == turn.delegation_id
    ]
    members = list(speakers[0]) if speakers else []
    return (render_floor.time_warning(floor, turn), members) if members else None
