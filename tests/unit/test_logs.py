"""The log formatter masks anything shaped like a Slack token, wherever it appears."""

from __future__ import annotations

import json
import logging

import pytest

from bot.logs import JsonFormatter, redact


@pytest.mark.parametrize(
    "token", ["xoxb-123-456-abc", "xoxp-9-ZZ", "xoxa-2-x", "xapp-1-A0-9-deadbeef", "xoxs-1"]
)
def test_a_token_is_masked_in_a_log_line(token: str) -> None:
    record = logging.LogRecord("t", logging.ERROR, "", 0, "failed with %s", (token,), None)
    record.detail = f"header Bearer {token}"
    line = JsonFormatter().format(record)
    assert token not in line
    assert json.loads(line)["event"].endswith("-***")


def test_a_line_without_a_token_is_left_as_it_is() -> None:
    text = '{"event": "request", "command": "/object", "user": "U0XOXB"}'
    assert redact(text) is text
