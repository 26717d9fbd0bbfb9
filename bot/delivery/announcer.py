"""Delivers the notice outbox to Slack: posts each notice once, then edits it in place.

Services write notices in the same transaction as the change they announce; this loop
renders each from the current state at send time, so a burst of objections coalesces into
one post and a few edits, paced per channel to Slack's one message a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.model import Item, Meeting, Notice, NoticeKind
from bot.ports.clock import Clock
from bot.ports.store import Store, UnitOfWork
from bot.render import (
    blocks,
    notices,
    procedure as render_procedure,
    sessions as render_schedule,
)
from bot.render.home import home_view
from bot.render.meeting_record import build_record
from bot.services.home import load_home
from bot.services.sessions import assemble_digest

log = logging.getLogger(__name__)

# Errors retrying cannot mend: the message is dropped from the outbox and logged.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_blocks",
        "msg_too_long",
        "no_text",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "missing_scope",
        "restricted_action",
        "cant_update_message",
        "edit_window_closed",
    }
)
MAX_BACKOFF = timedelta(minutes=5)
NOTICE_EVENT = "plenary_notice"  # message metadata type: finds our own posts again
UNCERTAIN_LOOKBACK = 100  # newest channel messages searched for an unconfirmed post
MAX_REASON = 300  # characters of an exception's message kept as a notice's last error
FAILURE_WINDOW = timedelta(days=1)  # how far back /healthz counts failed notices


class Announcer:
    def __init__(
        self,
        store: Store,
        client: AsyncWebClient,
        clock: Clock,
        *,
        pace_seconds: float = 1.0,
        batch: int = 100,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._store = store
        self._client = client
        self._clock = clock
        self._pace = pace_seconds
        self._batch = batch
        self._monotonic = monotonic
        self._sleep = sleep
        self._wake = asyncio.Event()
        self._pass = asyncio.Lock()  # one delivery pass at a time, whoever asks for it
        self._idle = asyncio.Event()
        self._last_sent: dict[str, float] = {}
        self._task: asyncio.Task[None] | None = None
        self.healthy = True  # False while Slack keeps failing; /healthz reports it

    def wake(self) -> None:
        self._idle.clear()
        self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="announcer")
            self.wake()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def drain(self) -> None:
        """Deliver everything due now; returns when nothing due is left."""
        while await self.deliver_due():
            pass

    async def wait_idle(self) -> None:
        """For the demo and tests: wait until the background loop has nothing due."""
        self.wake()
        await self._idle.wait()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                while await self.deliver_due():
                    pass
            except Exception:
                log.exception("announcer pass failed; retrying shortly")
                await self._sleep(1.0)
                continue
            self._idle.set()
            timeout = await self._seconds_to_next_retry()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def _seconds_to_next_retry(self) -> float | None:
        retry_at = await self._store.query(lambda uow: uow.notices.next_retry_at())
        if retry_at is None:
            return None
        return max(0.05, (retry_at - self._clock.now()).total_seconds())

    async def recent_failures(self) -> int:
        """How many notices failed in the last day and are not delivered since."""
        since = self._clock.now() - FAILURE_WINDOW
        return await self._store.query(lambda uow: uow.notices.count_failed(since))

    async def failures(self, limit: int) -> list[Notice]:
        """The notices that failed and are not delivered since, newest failure first."""
        return await self._store.query(lambda uow: uow.notices.failed(None, limit))

    async def deliver_due(self) -> int:
        """One pass over the notices and Home views due now; returns how many were sent."""
        async with self._pass:

            async def unit(uow: UnitOfWork) -> tuple[list[Notice], list[tuple[str, str, int]]]:
                return (
                    await uow.notices.pending(self._clock.now(), self._batch),
                    await uow.homes.stale(self._batch),
                )

            due, homes = await self._store.query(unit)
            sent = 0
            for notice in due:
                await self._pace_channel(notice.channel_id)
                try:
                    delivered = await self._deliver(notice)
                except Exception as exc:
                    # What the delivery did not handle itself (a fault of ours, say in
                    # rendering) fails this notice alone: recorded, retried after a backoff.
                    await self._failed(notice, failure_reason(exc), exc)
                    delivered = False
                sent += delivered
            for team_id, user_id, revision in homes:
                try:
                    await self._publish_home(team_id, user_id, revision)
                except Exception:
                    log.exception("home view not published", extra={"user_id": user_id})
                else:
                    sent += 1
            return sent

    async def _publish_home(self, team_id: str, user_id: str, revision: int) -> None:
        async def unit(uow: UnitOfWork) -> dict[str, Any]:
            return home_view(await load_home(uow, team_id, user_id))

        view = await self._store.query(unit)
        try:
            await self._client.views_publish(user_id=user_id, view=view)
        except (SlackApiError, OSError, TimeoutError) as exc:
            # A Home view is redrawn from state next time anything changes or it is opened;
            # dropping this revision loses nothing but freshness.
            log.warning(
                "home view not published",
                extra={"user_id": user_id, "exception": type(exc).__name__},
            )
        await self._store.transact(lambda uow: uow.homes.mark_published(team_id, user_id, revision))

    async def _pace_channel(self, channel_id: str) -> None:
        last = self._last_sent.get(channel_id)
        if last is not None and self._pace > 0:
            wait = last + self._pace - self._monotonic()
            if wait > 0:
                await self._sleep(wait)
        self._last_sent[channel_id] = self._monotonic()

    async def _deliver(self, notice: Notice) -> bool:
        if notice.kind is NoticeKind.RECORD:
            return await self._upload_record(notice)
        if notice.kind is NoticeKind.MEETING_STARTED and notice.message_ts is None:
            await self._join(notice.channel_id)

        async def unit(uow: UnitOfWork) -> tuple[Notice, blocks.Message | None]:
            current = await uow.notices.get(notice.id) or notice
            return current, await render_notice(uow, current)

        current, message = await self._store.query(unit)
        if message is None:
            await self._store.transact(lambda uow: uow.notices.skip(current.id, current.revision))
            return False
        if current.message_ts is None and current.uncertain_since is not None:
            found = await self._find_posted(current)
            if found is not None:
                await self._store.transact(lambda uow: uow.notices.adopt_message(current.id, found))
                current = replace(current, message_ts=found, uncertain_since=None)
        try:
            if current.message_ts is None:
                response = await self._client.chat_postMessage(
                    channel=current.channel_id,
                    text=message.text,
                    blocks=message.blocks,
                    unfurl_links=False,
                    unfurl_media=False,
                    metadata={
                        "event_type": NOTICE_EVENT,
                        "event_payload": {"notice_id": current.id, "kind": current.kind.value},
                    },
                )
            else:
                response = await self._client.chat_update(
                    channel=current.channel_id,
                    ts=current.message_ts,
                    text=message.text,
                    blocks=message.blocks,
                )
        except Exception as exc:
            refused = slack_refusal(exc)
            if refused is None and current.message_ts is None:
                # No answer was read (the connection failed, or the answer was unreadable):
                # Slack may have posted it. Say so, so the next attempt looks in the channel
                # for the post's metadata before posting again. An edit is safe to repeat.
                now = self._clock.now()
                await self._store.transact(lambda uow: uow.notices.mark_uncertain(current.id, now))
            await self._failed(current, refused or failure_reason(exc), exc)
            return False
        ts = str(response.get("ts") or current.message_ts)

        await self._store.transact(
            lambda uow: uow.notices.mark_delivered(current.id, current.revision, ts)
        )
        self.healthy = True
        log.info(
            "notice delivered",
            extra={
                "notice_id": current.id,
                "kind": current.kind.value,
                "revision": current.revision,
            },
        )
        return True

    async def _join(self, channel_id: str) -> None:
        """Join a public meeting channel, so the bot may read its own recent posts there (to
        recover from a dropped connection); a private channel needs an invitation instead."""
        try:
            await self._client.conversations_join(channel=channel_id)
        except (SlackApiError, aiohttp.ClientError, OSError, TimeoutError) as exc:
            log.info(
                "did not join the meeting channel",
                extra={"channel": channel_id, "exception": type(exc).__name__},
            )

    async def _upload_record(self, notice: Notice) -> bool:
        """The meeting record as two files in the channel (Slack's external upload flow)."""

        async def unit(uow: UnitOfWork) -> tuple[Meeting, list[Item], str, str]:
            meeting = await uow.meetings.get(notice.meeting_id)
            assert meeting is not None
            items = await uow.items.all(meeting.id)
            markdown, table = build_record(
                meeting,
                items,
                await uow.items.decisions(meeting.id),
                await uow.items.position_history(meeting.id),
                self._clock.now(),
            )
            return meeting, items, markdown, table

        meeting, items, markdown, table = await self._store.query(unit)
        stem = f"record-{self._clock.now():%Y%m%d-%H%M}"
        try:
            await self._client.files_upload_v2(
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
                await self._failed(notice, refused or failure_reason(exc), exc)
                return False
            # Anything else may have struck once the completion call was made (slack_sdk
            # reads its answer after Slack has shared the files): uploading again could
            # share the record twice, so it is not retried. The chair can ask for it again.
            reason = failure_reason(exc)
            failed_at = self._clock.now()
            await self._store.transact(
                lambda uow: uow.notices.mark_failed(
                    notice.id, reason, None, notice.revision, failed_at=failed_at
                )
            )
            log.error(
                "record upload failed and is not retried; run /meeting record again"
                " if it is missing",
                extra={"notice_id": notice.id, "kind": notice.kind.value, "error": reason},
                exc_info=not _is_connection_error(exc),
            )
            return False

        await self._store.transact(
            lambda uow: uow.notices.mark_delivered(notice.id, notice.revision, "files")
        )
        return True

    async def _find_posted(self, notice: Notice) -> str | None:
        """The ts of this notice's message if an earlier, unconfirmed post did land."""
        try:
            # The newest messages, not a time window: a lost post is recent, and message
            # timestamps are Slack's clock, not ours.
            response = await self._client.conversations_history(
                channel=notice.channel_id, include_all_metadata=True, limit=UNCERTAIN_LOOKBACK
            )
        except (SlackApiError, aiohttp.ClientError, OSError, TimeoutError) as exc:
            # Without the history we cannot tell; posting again risks a duplicate, which is
            # better than losing the announcement.
            log.warning(
                "could not check for an unconfirmed post",
                extra={"notice_id": notice.id, "exception": type(exc).__name__},
            )
            return None
        for message in response.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == NOTICE_EVENT and payload.get("notice_id") == notice.id:
                log.info("found an unconfirmed post in the channel", extra={"notice_id": notice.id})
                return str(message["ts"])
        return None

    async def _failed(self, notice: Notice, error: str, exc: Exception) -> None:
        """Record the failure on the notice and retry it with backoff, unless Slack's answer
        says retrying cannot mend it."""
        permanent = error in PERMANENT_ERRORS
        if error == "message_not_found":
            # The message was deleted in Slack: post it afresh rather than lose it.
            permanent = False
        retry_at = None
        if not permanent:
            self.healthy = False
            backoff = min(timedelta(seconds=2 ** min(notice.attempts, 10)), MAX_BACKOFF)
            retry_at = self._clock.now() + backoff

        async def unit(uow: UnitOfWork) -> None:
            if error == "message_not_found":
                await uow.notices.forget_message(notice.id)
            await uow.notices.mark_failed(
                notice.id, error, retry_at, notice.revision, failed_at=self._clock.now()
            )

        await self._store.transact(unit)
        # A surprise (neither Slack's answer nor a lost connection) keeps its traceback.
        surprise = slack_refusal(exc) is None and not _is_connection_error(exc)
        log.log(
            logging.ERROR if surprise else logging.WARNING,
            "notice delivery failed",
            extra={
                "notice_id": notice.id,
                "kind": notice.kind.value,
                "error": error,
                "permanent": permanent,
                "retry_at": retry_at.isoformat() if retry_at else None,
                "exception": type(exc).__name__,
            },
            exc_info=surprise,
        )


def slack_refusal(exc: Exception) -> str | None:
    """Slack's error code when Slack answered and refused the call (so did none of it);
    None when no answer was read: a lost connection, an unreadable answer, anything else."""
    if not isinstance(exc, SlackApiError):
        return None
    # An unreadable answer leaves slack_sdk's raw HTTP response here, not a parsed one.
    data = getattr(exc.response, "data", None)
    if isinstance(data, dict) and data.get("ok") is False and isinstance(data.get("error"), str):
        return str(data["error"])
    return None


def failure_reason(exc: Exception) -> str:
    """What went wrong, in one line short enough for the notice's row and the log."""
    message = str(exc).replace("\n", " ")
    reason = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return reason if len(reason) <= MAX_REASON else reason[: MAX_REASON - 1] + "…"


def _is_connection_error(exc: Exception) -> bool:
    return isinstance(exc, aiohttp.ClientError | OSError | TimeoutError)


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
