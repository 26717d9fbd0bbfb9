"""The fake workspace's objects and the JSON Slack returns for them: messages, views, users."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass
class Message:
    """A message as it currently stands in a channel."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    metadata: dict[str, Any] | None
    thread_ts: str | None
    edits: int = 0
    ephemeral_user: str | None = None


@dataclass(frozen=True)
class BotIdentity:
    """Who the app is in the workspace; every object the fake returns carries these ids."""

    team_id: str
    bot_user_id: str
    bot_id: str = "B0PLENARY"
    app_id: str = "A0PLENARY"

    def message_json(self, message: Message, *, with_metadata: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "text": message.text,
            "ts": message.ts,
            "blocks": copy.deepcopy(message.blocks),
        }
        if message.thread_ts is not None:
            body["thread_ts"] = message.thread_ts
        if with_metadata and message.metadata is not None:
            body["metadata"] = copy.deepcopy(message.metadata)
        return body

    def view_json(self, view: dict[str, Any], view_id: str, serial: int) -> dict[str, Any]:
        return {
            "id": view_id,
            "team_id": self.team_id,
            "type": view.get("type", "modal"),
            "blocks": copy.deepcopy(view.get("blocks", [])),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"1700000000.{serial:08d}",
            "title": copy.deepcopy(view.get("title")),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": copy.deepcopy(view.get("close")),
            "submit": copy.deepcopy(view.get("submit")),
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": self.app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }

    def user_object(
        self, user_id: str, name: str, tz: str, *, is_bot: bool = False
    ) -> dict[str, Any]:
        """A users.info user; raises ValueError for an unknown time zone."""
        try:
            now = datetime.now(ZoneInfo(tz))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {tz!r}") from exc
        offset = now.utcoffset()
        return {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "deleted": False,
            "real_name": name,
            "tz": tz,
            "tz_label": now.tzname() or tz,
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "is_bot": is_bot,
            "is_admin": False,
            "is_app_user": False,
            "profile": {
                "real_name": name,
                "display_name": name,
                "real_name_normalized": name,
                "display_name_normalized": name,
                "team": self.team_id,
            },
        }
