"""The fake workspace's state: its channels' messages, views, files and users, and what the
app did to them, kept for assertions."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from bot.demo.fake_slack.objects import BotIdentity, Message
from bot.demo.fake_slack.params import ts_key

_FIRST_TS_MICROS = 1_700_000_000_000_100
_TS_STEP_MICROS = 100


@dataclass
class PendingUpload:
    """A file announced with files.getUploadURLExternal and not yet completed."""

    filename: str
    length: int
    content: bytes | None = None


class Workspace:
    """One workspace, inherited by ``FakeSlack``, which serves it over the Web API.

    What the app did is kept for assertions: messages (``channel_messages``, ``ephemerals``),
    ``views_opened``, ``views_published``, ``uploads`` and the channels it ``joined``.
    """

    def __init__(self, identity: BotIdentity) -> None:
        self.identity = identity
        self.views_published: dict[str, dict[str, Any]] = {}
        self.views_opened: list[dict[str, Any]] = []
        self.uploads: list[dict[str, Any]] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.channel_names: dict[str, str] = {}
        self.joined: set[str] = set()  # channels the bot joined with conversations.join
        self.messages: dict[str, dict[str, Message]] = {}  # by channel, then ts
        self.ephemeral_messages: list[Message] = []
        self.pending_uploads: dict[str, PendingUpload] = {}
        self._next_ts_micros = _FIRST_TS_MICROS
        self.serial = 0

    @property
    def base_url(self) -> str:
        """Where the workspace is served: upload URLs point there."""
        raise NotImplementedError

    def channel_messages(self, channel: str) -> list[Message]:
        """Snapshots of the channel's messages (thread replies included) in ts order."""
        messages = sorted(self.messages.get(channel, {}).values(), key=lambda m: ts_key(m.ts))
        return copy.deepcopy(messages)

    def ephemerals(self, channel: str, user: str | None = None) -> list[Message]:
        return copy.deepcopy(
            [
                m
                for m in self.ephemeral_messages
                if m.channel == channel and (user is None or m.ephemeral_user == user)
            ]
        )

    def add_user(self, user_id: str, name: str, tz: str = "UTC") -> None:
        """Register a user for users.info; raises ValueError for an unknown time zone."""
        self.users[user_id] = self.identity.user_object(user_id, name, tz)

    def add_channel(self, channel_id: str, name: str) -> None:
        """Give a channel the name conversations.info reports (default: the id, lower-cased)."""
        self.channel_names[channel_id] = name

    def store_upload(self, file_id: str, content: bytes) -> bool:
        """Keep the bytes POSTed to an upload URL; False when no upload awaits them."""
        pending = self.pending_uploads.get(file_id)
        if pending is None:
            return False
        pending.content = content
        return True

    def next_ts(self) -> str:
        """The ts of the next message: increasing, like Slack's."""
        micros = self._next_ts_micros
        self._next_ts_micros += _TS_STEP_MICROS
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def new_id(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}0{self.serial:08d}"
