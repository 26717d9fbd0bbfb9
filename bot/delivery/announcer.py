"""Delivers the notice outbox to Slack: posts each notice once, then edits it in place.

Services write notices in the same transaction as the change they announce; this loop
renders each from the current state at send time, so a burst of objections coalesces into
one post and a few edits, paced per channel to Slack's one message a second. A "blocked" or
"no longer blocked" notice whose turn comes after its news was undone is dropped unposted
(``notice_views.still_news``), so changes that cancel out within the pacing window never
reach the channel as a run of contradictory posts: the channel goes straight to the final
standing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import replace
from datetime import timedelta
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery.channel import NOTICE_EVENT, find_posted, join_channel
from bot.delivery.failures import failure_reason, record_failure, retry_after, slack_refusal
from bot.delivery.home_views import publish_home
from bot.delivery.leasing import Leasing
from bot.delivery.notice_views import render_notice, render_private, still_news
from bot.delivery.pacing import Pacing
from bot.delivery.record_upload import upload_record
from bot.delivery.workspace_clients import WorkspaceClients
from bot.domain.model import Notice, NoticeKind
from bot.ports.clock import Clock
from bot.ports.store import DeliveryLeases, LeaseLost, Store, UnitOfWork
from bot.render import (
    blocks,
)

log = logging.getLogger(__name__)

FAILURE_WINDOW = timedelta(days=1)  # how far back /healthz counts failed notices
DELIVERY_LEASE = timedelta(seconds=30)  # a meeting's lease, unless renewed sooner
# How soon a replica asks again for a meeting another replica delivers: the holder gives the
# lease up at the end of its pass, so what was queued meanwhile waits about this long.
LEASE_RETRY_SECONDS = 0.5
# How soon a notice already due is looked at again while a workspace waits out a 429.
THROTTLED_RECHECK = timedelta(seconds=1)


class Announcer:
    def __init__(
        self,
        store: Store,
        clients: WorkspaceClients,
        clock: Clock,
        *,
        pace_seconds: float = 1.0,
        batch: int = 100,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        leases: DeliveryLeases | None = None,
        lease: timedelta = DELIVERY_LEASE,
    ) -> None:
        self._store = store
        self._clients = clients  # each workspace's client: its own token
        self._clock = clock
        self._batch = batch
        self._sleep = sleep
        self._wake = asyncio.Event()
        self._pass = asyncio.Lock()  # one delivery pass at a time, whoever asks for it
        self._idle = asyncio.Event()
        self._pacing = Pacing(clock, pace_seconds, monotonic, sleep)
        self._task: asyncio.Task[None] | None = None
        self.healthy = True  # False while Slack keeps failing; /healthz reports it
        # Several replicas on one database: a meeting's notices are delivered by the one
        # holding its lease (None: this process is the only one, as with SQLite).
        self._leasing = Leasing(store, clock, leases, lease)

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
            timeout = await self.seconds_to_next_attempt()
            if self._leasing.refused:
                timeout = min(timeout or LEASE_RETRY_SECONDS, LEASE_RETRY_SECONDS)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def seconds_to_next_attempt(self) -> float | None:
        """Until the next notice's retry time or the end of a rate limit's wait."""
        now = self._clock.now()
        retry_at = await self._store.query(lambda uow: uow.notices.next_retry_at())
        waits = self._pacing.waits_end()
        if retry_at is not None and retry_at > now:
            waits.append(retry_at)
        elif retry_at is not None:
            # Due already, yet left by the last pass: a rate limit holds its workspace back,
            # or another replica holds its meeting. Ask again within a second, not at once:
            # asking at once would spin until the wait is over.
            waits.append(now + THROTTLED_RECHECK if waits else now)
        if not waits:
            return None
        return max(0.05, (min(waits) - now).total_seconds())

    async def recent_failures(self) -> int:
        """How many notices failed in the last day and are not delivered since."""
        since = self._clock.now() - FAILURE_WINDOW
        return await self._store.query(lambda uow: uow.notices.count_failed(since))

    async def failures(self, limit: int) -> list[Notice]:
        """The notices that failed and are not delivered since, newest failure first."""
        return await self._store.query(lambda uow: uow.notices.failed(None, limit))

    async def deliver_due(self) -> int:
        """One pass over the notices and Home views due now; returns how many were sent or
        dropped as no longer news."""
        async with self._pass:

            async def unit(uow: UnitOfWork) -> tuple[list[Notice], list[tuple[str, str, int]]]:
                return (
                    # Not the notices of workspaces waiting out a 429: they would take the
                    # batch's places from other workspaces' notices.
                    await uow.notices.pending(
                        self._clock.now(), self._batch, skip_teams=self._pacing.throttled_teams()
                    ),
                    await uow.homes.stale(self._batch),
                )

            due, homes = await self._store.query(unit)
            self._leasing.begin_pass()
            channels = {n.meeting_id: n.channel_id for n in due}
            try:
                due = await self._leased(due, channels)
                sent = await self._deliver_each(due)
            finally:
                await self._leasing.release(
                    {
                        meeting: self._pacing.spoke_at(channel)
                        for meeting, channel in channels.items()
                    }
                )
            for team_id, user_id, revision in homes:
                if self._pacing.throttled(team_id):
                    continue
                try:
                    wait = await publish_home(
                        self._store, self._clients, team_id, user_id, revision
                    )
                except Exception:
                    # A fault of ours in drawing it: the view stays stale, and nothing else
                    # waits for it (it is tried again at the next pass).
                    log.exception("home view not published", extra={"user_id": user_id})
                    continue
                if wait is None:
                    sent += 1
                else:
                    self._pacing.throttle(team_id, wait)
            return sent

    async def _leased(self, due: list[Notice], channels: dict[int, str]) -> list[Notice]:
        """Take the lease of each meeting with notices due. Shared with other replicas, what
        is due is read again once the leases are held: a notice another replica delivered
        meanwhile is no longer pending. Only the notices of meetings held are returned."""
        taken = await self._leasing.take(n.meeting_id for n in due)
        for meeting_id, spoke_at in taken.items():
            if spoke_at is not None:
                # The channel's pacing goes on from whichever replica spoke to it last.
                self._pacing.paced_since(channels[meeting_id], spoke_at)
        if not self._leasing.shared or not taken:
            return [n for n in due if n.meeting_id in taken]
        fresh = await self._store.query(
            lambda uow: uow.notices.pending(
                self._clock.now(), self._batch, skip_teams=self._pacing.throttled_teams()
            )
        )
        return [n for n in fresh if n.meeting_id in taken]

    async def _deliver_each(self, due: list[Notice]) -> int:
        sent = 0
        for notice in due:
            if self._pacing.throttled(notice.team_id):
                continue  # Slack asked for a wait: a later pass sends it
            # Waiting first, and reading the state after: what changes meanwhile is
            # rendered, or undone, before anything is sent.
            await self._pacing.wait_for_turn(notice.channel_id)
            await self._leasing.keep()
            if not await self._leasing.renew(notice.meeting_id):
                continue
            try:
                sent += await self._deliver_one(notice)
            except LeaseLost:
                continue  # another replica delivers the meeting now, from what it finds
        return sent

    async def _deliver_one(self, notice: Notice) -> bool:
        client = await self._clients.for_team(notice.team_id)
        if client is None:
            await self._not_installed(notice)
            return True  # handled: given up on record
        try:
            return await self._deliver(notice, client)
        except LeaseLost:
            raise
        except Exception as exc:
            # What the delivery did not handle itself (a fault of ours, say in rendering)
            # fails this notice alone: recorded, retried after a backoff.
            await self._failed(notice, failure_reason(exc), exc)
            return False

    def _write(
        self, notice: Notice, unit: Callable[[UnitOfWork], Coroutine[Any, Any, None]]
    ) -> Coroutine[Any, Any, None]:
        """A write about the notice, fenced by its meeting's delivery lease."""
        return self._leasing.write(notice.meeting_id, unit)

    async def _not_installed(self, notice: Notice) -> None:
        """The workspace has no install (uninstalled, or its token revoked): the notice is
        given up, on record, and Slack is not called."""
        reason = "not delivered: Plenary is not installed in the workspace"
        now = self._clock.now()
        await self._write(
            notice,
            lambda uow: uow.notices.mark_failed(
                notice.id, reason, None, notice.revision, failed_at=now
            ),
        )
        log.warning(
            "notice not delivered: not installed",
            extra={"notice_id": notice.id, "team_id": notice.team_id},
        )

    async def _deliver(self, notice: Notice, client: AsyncWebClient) -> bool:
        if notice.kind is NoticeKind.RECORD:
            self._pacing.spoke(notice.channel_id)
            return await upload_record(self._store, client, self._clock, notice, self._failed)
        if notice.kind is NoticeKind.FLOOR_WARNING:
            return await self._tell_privately(notice, client)
        if notice.kind is NoticeKind.MEETING_STARTED and notice.message_ts is None:
            await join_channel(notice.channel_id, client)

        async def unit(uow: UnitOfWork) -> tuple[Notice, bool, blocks.Message | None]:
            current = await uow.notices.get(notice.id) or notice
            if not await still_news(uow, current):
                return current, False, None
            return current, True, await render_notice(uow, current)

        current, news, message = await self._store.query(unit)
        if not news:
            await self._write(
                current, lambda uow: uow.notices.supersede(current.id, current.revision)
            )
            log.info(
                "notice dropped unposted: its news was undone before its turn",
                extra={"notice_id": current.id, "kind": current.kind.value},
            )
            return True
        if message is None:
            await self._write(current, lambda uow: uow.notices.skip(current.id, current.revision))
            return False
        if current.message_ts is None and current.uncertain_since is not None:
            found = await find_posted(current, client)
            if found is not None:
                await self._write(current, lambda uow: uow.notices.adopt_message(current.id, found))
                current = replace(current, message_ts=found, uncertain_since=None)
        first_post = current.message_ts is None
        # Marked before a first post, not after it failed: a process killed between Slack
        # accepting the post and this recording its answer leaves the mark, and whoever
        # delivers the notice next looks in the channel (``_find_posted``) instead of
        # posting it twice. An edit is safe to repeat and needs no mark.
        marked_now = first_post and current.uncertain_since is None
        # The calls above (the token, joining, the channel's history) may have outlasted the
        # lease: renewed now, the post goes out with a whole lease ahead of it.
        if not await self._leasing.renew(current.meeting_id):
            raise LeaseLost(current.meeting_id)
        if marked_now:
            now = self._clock.now()
            await self._write(current, lambda uow: uow.notices.mark_uncertain(current.id, now))
        self._pacing.spoke(current.channel_id)
        try:
            if current.message_ts is None:
                response = await client.chat_postMessage(
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
                response = await client.chat_update(
                    channel=current.channel_id,
                    ts=current.message_ts,
                    text=message.text,
                    blocks=message.blocks,
                )
        except Exception as exc:
            refused = slack_refusal(exc)
            if refused is not None and marked_now:
                # Slack answered that it did not post: nothing of this attempt is in the
                # channel. Without an answer (the connection failed, or the answer was
                # unreadable) Slack may have posted it, and the mark stays.
                await self._write(current, lambda uow: uow.notices.clear_uncertain(current.id))
            await self._failed(current, refused or failure_reason(exc), exc)
            return False
        ts = str(response.get("ts") or current.message_ts)

        async def delivered(uow: UnitOfWork) -> None:
            await uow.notices.mark_delivered(current.id, current.revision, ts)
            if current.kind is NoticeKind.UNBLOCKED and current.item_id is not None:
                await uow.notices.end_shown_block(current.item_id)

        await self._write(current, delivered)
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

    async def _tell_privately(self, notice: Notice, client: AsyncWebClient) -> bool:
        """An ephemeral notice: shown to each of its readers in the channel, at most once.
        Slack keeps no trace of an ephemeral message to look for after a crash, and a
        warning told twice misleads more than one lost, so an attempt whose fate is unknown
        is never repeated."""

        async def unit(uow: UnitOfWork) -> tuple[blocks.Message, list[str]] | None:
            return await render_private(uow, notice)

        rendered = await self._store.query(unit)
        if rendered is None or notice.uncertain_since is not None:
            if notice.uncertain_since is not None:
                log.warning("private notice not repeated", extra={"notice_id": notice.id})
            await self._write(notice, lambda uow: uow.notices.skip(notice.id, notice.revision))
            return False
        message, readers = rendered
        now = self._clock.now()
        await self._write(notice, lambda uow: uow.notices.mark_uncertain(notice.id, now))
        self._pacing.spoke(notice.channel_id)
        shown = 0
        try:
            for user in readers:
                await client.chat_postEphemeral(
                    channel=notice.channel_id, user=user, text=message.text, blocks=message.blocks
                )
                shown += 1
        except Exception as exc:
            refused = slack_refusal(exc)
            if refused is not None and shown == 0:
                # Slack answered that it showed it to no one (say a 429): nothing of this
                # attempt was seen, so a later one may tell it.
                await self._write(notice, lambda uow: uow.notices.clear_uncertain(notice.id))
            await self._failed(notice, refused or failure_reason(exc), exc)
            return False
        await self._write(
            notice, lambda uow: uow.notices.mark_delivered(notice.id, notice.revision, "ephemeral")
        )
        return True

    async def _failed(self, notice: Notice, error: str, exc: Exception) -> None:
        wait = retry_after(exc)
        if wait is not None:
            # Slack did nothing with the call and asked for a wait: the notice is tried
            # again after it (not counted as a failure), and no Slack call of the workspace
            # is made meanwhile. Nothing sleeps holding the meeting's lease.
            until = self._pacing.throttle(notice.team_id, wait)
            await self._write(notice, lambda uow: uow.notices.postpone(notice.id, until))
            log.info(
                "Slack asked for a wait; the notice is tried again after it",
                extra={"notice_id": notice.id, "team_id": notice.team_id, "retry_after": wait},
            )
            return
        if await record_failure(
            lambda unit: self._write(notice, unit), self._clock, notice, error, exc
        ):
            self.healthy = False
