"""One structured log line per request, with a request id every other line of it carries.

Only ids and kinds are logged (team, user, channel, command or action, status, duration);
never tokens and never what the user typed.
"""

from __future__ import annotations

import contextvars
import itertools
import logging
import secrets
import time
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

log = logging.getLogger("plenary.request")
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
# A random prefix per process and a counter: unique enough to follow one request through
# the logs, without a random draw (a system call) for every request.
_PROCESS = secrets.token_hex(3)
_SERIAL = itertools.count(1)


def next_request_id() -> str:
    return f"{_PROCESS}{next(_SERIAL) & 0xFFFFFF:06x}"


class RequestIdFilter(logging.Filter):
    """Stamps every record logged while a request is handled with its id."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = request_id.get()
        if current and not hasattr(record, "request_id"):
            record.request_id = current
        return True


def describe(body: dict[str, Any]) -> dict[str, Any]:
    """What a request is, in ids only."""
    if "command" in body:
        return {"kind": "command", "command": body.get("command"), "user": body.get("user_id")}
    kind = str(body.get("type", "unknown"))
    found: dict[str, Any] = {"kind": kind}
    if kind == "event_callback":
        event = body.get("event") or {}
        found.update(event=event.get("type"), event_id=body.get("event_id"), user=event.get("user"))
    elif kind == "block_actions":
        actions = body.get("actions") or [{}]
        found.update(action=actions[0].get("action_id"), user=(body.get("user") or {}).get("id"))
    elif kind == "view_submission":
        found.update(
            form=(body.get("view") or {}).get("callback_id"),
            user=(body.get("user") or {}).get("id"),
        )
    return found


class LoggedApp(AsyncApp):
    """The Bolt app, logging one line per request it dispatches (HTTP and Socket Mode)."""

    async def async_dispatch(self, req: AsyncBoltRequest) -> BoltResponse:
        token = request_id.set(next_request_id())
        started = time.perf_counter()
        status = 500
        try:
            response = await super().async_dispatch(req)
            status = response.status
            return response
        finally:
            body = req.body if isinstance(req.body, dict) else {}
            log.info(
                "request",
                extra={
                    **describe(body),
                    "request_id": request_id.get(),
                    "team": body.get("team_id") or (body.get("team") or {}).get("id"),
                    "status": status,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            request_id.reset(token)
