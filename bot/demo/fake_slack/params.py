"""Reading a Web API call's parameters as Slack does, and the error answers it gives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ApiError(Exception):
    """Raised by a method to answer ``{"ok": false, "error": ...}`` with any extra fields."""

    error: str
    extra: dict[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.error, **self.extra}


def problems(found: list[str]) -> dict[str, Any]:
    """The ``response_metadata`` Slack adds to an error answer to say what was wrong."""
    return {"response_metadata": {"messages": [f"[ERROR] {p}" for p in found]}}


def optional_str(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def flag(value: Any) -> bool:
    return (
        value is True or value == 1 or (isinstance(value, str) and value.lower() in ("1", "true"))
    )


def int_param(params: dict[str, Any], key: str, default: int) -> int:
    value = params.get(key)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ApiError("invalid_arguments", problems([f"invalid {key}"])) from exc


def required(params: dict[str, Any], key: str) -> str:
    """A required string parameter; its absence is answered ``invalid_arguments``."""
    value = optional_str(params.get(key))
    if not value:
        raise ApiError("invalid_arguments", problems([f"missing required field: {key}"]))
    return value


def required_channel(params: dict[str, Any]) -> str:
    channel = optional_str(params.get("channel"))
    if not channel:
        raise ApiError("channel_not_found")
    return channel


def ts_key(ts: str) -> tuple[int, int]:
    """A message ts as a sortable pair (seconds, microseconds); malformed ones sort first."""
    seconds, _, fraction = ts.partition(".")
    try:
        return int(seconds), int(fraction.ljust(6, "0")[:6])
    except ValueError:
        return 0, 0
