"""The meeting record posted as two files (Markdown and CSV) through Slack's external upload
flow, never shared twice: an upload that may have reached its completion call is not repeated."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from slack_sdk.errors import SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery.failures import failure_reason, is_connection_error, slack_refusal
from bot.domain.model import Item, Meeting, Notice
from bot.ports.clock import Clock
from bot.ports.store import Store, UnitOfWork
from bot.render import procedure as render_procedure
from bot.render.meeting_record import build_record

log = logging.getLogger(__name__)


async def upload_record(
    store: Store,
    client: AsyncWebClient,
    clock: Clock,
    notice: Notice,
    failed: Callable[[Notice, str, Exception], Awaitable[None]],
) -> bool:
    """The meeting record as two files in the channel; ``failed`` records a failure that a
    retry can mend. What happened after the upload is recorded even if the meeting's lease
    changed hands meanwhile (unfenced): an upload has no mark to find it by, so a record
    left pending would be shared again by the next holder."""

    async def unit(uow: UnitOfWork) -> tuple[Meeting, list[Item], str, str]:
        meeting = await uow.meetings.get(notice.meeting_id)
        assert meeting is not None
        items = await uow.items.all(meeting.id)
        markdown, table = build_record(
            meeting,
            items,
            await uow.items.decisions(meeting.id),
            await uow.items.position_history(meeting.id),
            clock.now(),
            await uow.floor.history(meeting.id),
            [(vote, await uow.votes.ballots(vote.id)) for vote in await uow.votes.all(meeting.id)],
        )
        return meeting, items, markdown, table

    meeting, items, markdown, table = await store.query(unit)
    stem = f"record-{clock.now():%Y%m%d-%H%M}"
    try:
        await client.files_upload_v2(
            channel=notice.channel_id,
            initial_comment=render_procedure.record_comment(meeting, len(items)),
            file_uploads=[
                {"content": markdown, "filename": f"{stem}.md", "title": "Meeting record"},
                {"content": table, "filename": f"{stem}.csv", "title": "Meeting record (CSV)"},
            ],
        )
    except Exception as exc:
        refused = slack_refusal(exc)
        if refused is not None or isinstance(exc, SlackRequestError):
            # Slack refused a step, or a file's upload failed before the completion call:
            # nothing was shared, so trying again cannot share it twice.
            await failed(notice, refused or failure_reason(exc), exc)
            return False
        # Anything else may have struck once the completion call was made (slack_sdk
        # reads its answer after Slack has shared the files): uploading again could
        # share the record twice, so it is not retried. The chair can ask for it again.
        reason = failure_reason(exc)
        failed_at = clock.now()
        await store.transact(
            lambda uow: uow.notices.mark_failed(
                notice.id, reason, None, notice.revision, failed_at=failed_at
            )
        )
        log.error(
            "record upload failed and is not retried; run /meeting record again if it is missing",
            extra={"notice_id": notice.id, "kind": notice.kind.value, "error": reason},
            exc_info=not is_connection_error(exc),
        )
        return False

    await store.transact(
        lambda uow: uow.notices.mark_delivered(notice.id, notice.revision, "files")
    )
    return True
