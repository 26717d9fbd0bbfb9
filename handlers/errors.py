"""The one place unexpected failures land: logged with a reference, answered politely."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from bot.commands.reference import usage_of
from bot.domain.errors import PlenaryError
from bot.render import answers

log = logging.getLogger(__name__)


def usage_for(body: dict[str, Any]) -> str:
    """The usage line of the command a request ran, down to its subcommand."""
    command = str(body.get("command", ""))
    words = str(body.get("text", "")).lower().split()
    for depth in (2, 1, 0):
        prefix = " ".join([command, *words[:depth]])
        found = usage_of(prefix)
        if found:
            return found
    return ""


def register(app: AsyncApp) -> None:
    @app.error
    async def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
        if isinstance(error, PlenaryError):
            if not error.usage:
                error.usage = usage_for(body)
            message = answers.error(error)
            log.info("request refused", extra={"refusal": type(error).__name__})
        else:
            reference = uuid.uuid4().hex[:8]
            log.error(
                "request failed",
                exc_info=error,
                extra={"reference": reference, "command": body.get("command")},
            )
            message = answers.internal_error(reference)
        return BoltResponse(
            status=200,
            body=json.dumps(message.as_ack()),
            headers={"content-type": "application/json"},
        )
