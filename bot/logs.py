"""Structured logs: one JSON line per event, with any token-looking text masked."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from bot.requestlog import RequestIdFilter

_TOKEN = re.compile(r"\b(xox[abposr]|xapp)-[A-Za-z0-9-]+")
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


def redact(text: str) -> str:
    if "xox" not in text and "xapp" not in text:  # the common case, without the regex
        return text
    return _TOKEN.sub(lambda m: m.group(1) + "-***", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, default=str, ensure_ascii=False))


def configure(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # slack_sdk logs request bodies at DEBUG; keep it above that whatever the root level.
    logging.getLogger("slack_sdk").setLevel(max(level, logging.INFO))
    logging.getLogger("slack_bolt").setLevel(max(level, logging.INFO))
    # APScheduler logs two INFO lines per job added; with 10,000 deadlines that was over a
    # third of start-up time. Its warnings and errors (missed or failed jobs) still show.
    logging.getLogger("apscheduler").setLevel(max(level, logging.WARNING))
