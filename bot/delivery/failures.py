"""When a delivery fails: what Slack's answer says, how the failure is recorded on its notice,
and whether retrying could mend it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.domain.model import Notice
from bot.ports.clock import Clock
from bot.ports.store import UnitOfWork

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
MAX_REASON = 300  # characters of an exception's message kept as a notice's last error
DEFAULT_RETRY_AFTER = 1.0  # seconds, when a 429 does not say how long to wait

# How the announcer writes about a notice: a transaction (fenced by its delivery lease).
Write = Callable[[Callable[[UnitOfWork], Coroutine[Any, Any, None]]], Awaitable[None]]


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


def retry_after(exc: Exception) -> float | None:
    """Seconds Slack asked us to wait when it answered 429 (rate limited); None for any other
    failure. Slack did nothing with the call, so trying it again later cannot repeat it."""
    if not isinstance(exc, SlackApiError):
        return None
    response = exc.response
    if getattr(response, "status_code", None) != 429:
        return None
    headers = getattr(response, "headers", None) or {}
    for name, value in headers.items():
        if str(name).lower() == "retry-after":
            first = value[0] if isinstance(value, list | tuple) and value else value
            try:
                return max(0.0, float(first))
            except (TypeError, ValueError):
                break
    return DEFAULT_RETRY_AFTER


def failure_reason(exc: Exception) -> str:
    """What went wrong, in one line short enough for the notice's row and the log."""
    message = str(exc).replace("\n", " ")
    reason = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return reason if len(reason) <= MAX_REASON else reason[: MAX_REASON - 1] + "…"


def is_connection_error(exc: Exception) -> bool:
    return isinstance(exc, aiohttp.ClientError | OSError | TimeoutError)


async def record_failure(
    write: Write, clock: Clock, notice: Notice, error: str, exc: Exception
) -> bool:
    """Record the failure on the notice and plan its retry with backoff, unless Slack's answer
    says retrying cannot mend it; returns whether it will be retried."""
    permanent = error in PERMANENT_ERRORS
    if error == "message_not_found":
        # The message was deleted in Slack: post it afresh rather than lose it.
        permanent = False
    retry_at = None
    if not permanent:
        backoff = min(timedelta(seconds=2 ** min(notice.attempts, 10)), MAX_BACKOFF)
        retry_at = clock.now() + backoff

    async def unit(uow: UnitOfWork) -> None:
        if error == "message_not_found":
            await uow.notices.forget_message(notice.id)
        await uow.notices.mark_failed(
            notice.id, error, retry_at, notice.revision, failed_at=clock.now()
        )

    await write(unit)
    # A surprise (neither Slack's answer nor a lost connection) keeps its traceback.
    surprise = slack_refusal(exc) is None and not is_connection_error(exc)
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
    return not permanent
