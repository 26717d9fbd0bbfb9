"""The Web API's chat.* and conversations.* methods: the channels' messages, written and read."""

from __future__ import annotations

from typing import Any

from bot.demo.fake_slack.block_kit_limits import message_content
from bot.demo.fake_slack.objects import Message
from bot.demo.fake_slack.params import (
    ApiError,
    flag,
    int_param,
    optional_str,
    required_channel,
    ts_key,
)
from bot.demo.fake_slack.workspace import Workspace

TEAM_DOMAIN = "plenary"
_DEFAULT_HISTORY_LIMIT = 100


def post_message(ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    channel = required_channel(params)
    text, blocks, metadata = message_content(params)
    message = _new_message(ws, channel, params, text, blocks, metadata or None)
    ws.messages.setdefault(channel, {})[message.ts] = message
    return {
        "ok": True,
        "channel": channel,
        "ts": message.ts,
        "message": ws.identity.message_json(message, with_metadata=True),
    }


def update(ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    channel = required_channel(params)
    message = ws.messages.get(channel, {}).get(optional_str(params.get("ts")) or "")
    if message is None:
        raise ApiError("message_not_found")
    text, blocks, metadata = message_content(params)
    before = (message.text, message.blocks, message.metadata)
    if params.get("text") is not None:
        message.text = text
    if blocks is not None:
        message.blocks = blocks
    if metadata is not None:
        message.metadata = metadata or None
    if (message.text, message.blocks, message.metadata) != before:
        message.edits += 1
    return {
        "ok": True,
        "channel": channel,
        "ts": message.ts,
        "text": message.text,
        "message": ws.identity.message_json(message, with_metadata=True),
    }


def post_ephemeral(ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    channel = required_channel(params)
    user = optional_str(params.get("user"))
    if not user:
        raise ApiError("user_not_in_channel")
    text, blocks, _ = message_content(params)
    message = _new_message(ws, channel, params, text, blocks, None, ephemeral_user=user)
    ws.ephemeral_messages.append(message)
    return {"ok": True, "message_ts": message.ts}


def _new_message(
    ws: Workspace,
    channel: str,
    params: dict[str, Any],
    text: str,
    blocks: list[dict[str, Any]] | None,
    metadata: dict[str, Any] | None,
    *,
    ephemeral_user: str | None = None,
) -> Message:
    return Message(
        channel=channel,
        ts=ws.next_ts(),
        text=text,
        blocks=blocks or [],
        metadata=metadata,
        thread_ts=optional_str(params.get("thread_ts")),
        ephemeral_user=ephemeral_user,
    )


def get_permalink(ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    channel = required_channel(params)
    message = ws.messages.get(channel, {}).get(optional_str(params.get("message_ts")) or "")
    if message is None:
        raise ApiError("message_not_found")
    permalink = f"https://{TEAM_DOMAIN}.slack.com/archives/{channel}/p{message.ts.replace('.', '')}"
    if message.thread_ts is not None and message.thread_ts != message.ts:
        permalink += f"?thread_ts={message.thread_ts}&cid={channel}"
    return {"ok": True, "channel": channel, "permalink": permalink}


def conversation_info(ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    channel = required_channel(params)
    return {
        "ok": True,
        "channel": {
            "id": channel,
            "name": ws.channel_names.get(channel, channel.lower()),
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_private": False,
            "is_archived": False,
            "is_general": False,
            "is_member": True,
            "created": 1_700_000_000,
        },
    }


def join_conversation(ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    """Joining a public channel; the answer carries the channel as conversations.info."""
    ws.joined.add(required_channel(params))
    return conversation_info(ws, params)


def conversation_history(ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    channel = required_channel(params)
    limit = int_param(params, "limit", _DEFAULT_HISTORY_LIMIT)
    if limit < 1:
        limit = _DEFAULT_HISTORY_LIMIT
    inclusive = flag(params.get("inclusive"))
    oldest = optional_str(params.get("oldest"))
    latest = optional_str(params.get("latest"))
    with_metadata = flag(params.get("include_all_metadata"))

    def in_window(message: Message) -> bool:
        key = ts_key(message.ts)
        if oldest is not None and (
            key < ts_key(oldest) or (key == ts_key(oldest) and not inclusive)
        ):
            return False
        return not (
            latest is not None
            and (key > ts_key(latest) or (key == ts_key(latest) and not inclusive))
        )

    top_level = [
        m
        for m in ws.messages.get(channel, {}).values()
        if m.thread_ts in (None, m.ts) and in_window(m)
    ]
    top_level.sort(key=lambda m: ts_key(m.ts), reverse=True)
    return {
        "ok": True,
        "messages": [
            ws.identity.message_json(m, with_metadata=with_metadata) for m in top_level[:limit]
        ],
        "has_more": len(top_level) > limit,
        "pin_count": 0,
        "response_metadata": {"next_cursor": ""},
    }
