"""The Web API methods the fake answers, by name; auth.*, users.*, views.* and files.* are
here, chat.* and conversations.* in ``messaging``."""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import partial
from typing import Any

from bot.demo.fake_slack import messaging
from bot.demo.fake_slack.block_kit_limits import required_view
from bot.demo.fake_slack.params import ApiError, int_param, optional_str, problems, required
from bot.demo.fake_slack.workspace import PendingUpload, Workspace

TEAM_NAME = "Plenary"

Method = Callable[[dict[str, Any]], dict[str, Any]]
_Implementation = Callable[[Workspace, dict[str, Any]], dict[str, Any]]


def methods(ws: Workspace) -> dict[str, Method]:
    """Every Web API method the fake knows, answering from ``ws``."""
    table: dict[str, _Implementation] = {
        "auth.test": auth_test,
        "chat.postMessage": messaging.post_message,
        "chat.update": messaging.update,
        "chat.postEphemeral": messaging.post_ephemeral,
        "chat.getPermalink": messaging.get_permalink,
        "conversations.info": messaging.conversation_info,
        "conversations.join": messaging.join_conversation,
        "conversations.history": messaging.conversation_history,
        "users.info": users_info,
        "views.open": open_view,
        "views.push": open_view,
        "views.update": update_view,
        "views.publish": publish_view,
        "files.getUploadURLExternal": get_upload_url,
        "files.completeUploadExternal": complete_upload,
    }
    return {name: partial(implementation, ws) for name, implementation in table.items()}


def auth_test(ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "ok": True,
        "url": f"https://{messaging.TEAM_DOMAIN}.slack.com/",
        "team": TEAM_NAME,
        "user": "plenary",
        "team_id": ws.identity.team_id,
        "user_id": ws.identity.bot_user_id,
        "bot_id": ws.identity.bot_id,
        "is_enterprise_install": False,
    }


def users_info(ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    user_id = optional_str(params.get("user"))
    if not user_id:
        raise ApiError("user_not_found")
    user = ws.users.get(user_id)
    if user is None:
        is_bot = user_id == ws.identity.bot_user_id
        user = ws.identity.user_object(user_id, user_id, "UTC", is_bot=is_bot)
    return {"ok": True, "user": copy.deepcopy(user)}


def open_view(ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    """views.open and views.push: a modal shown in answer to a trigger."""
    return _show_view(ws, params, needs_trigger=True)


def update_view(ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    view_id = optional_str(params.get("view_id"))
    if not view_id and not optional_str(params.get("external_id")):
        raise ApiError("invalid_arguments", problems(["either view_id or external_id"]))
    return _show_view(ws, params, needs_trigger=False, view_id=view_id)


def _show_view(
    ws: Workspace, params: dict[str, Any], *, needs_trigger: bool, view_id: str | None = None
) -> dict[str, Any]:
    if needs_trigger and not optional_str(params.get("trigger_id")):
        raise ApiError("invalid_trigger_id")
    view = required_view(params)
    ws.views_opened.append(view)
    shown_id = view_id or ws.new_id("V")
    return {"ok": True, "view": ws.identity.view_json(view, shown_id, ws.serial)}


def publish_view(ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    user_id = required(params, "user_id")
    view = required_view(params)
    ws.views_published[user_id] = view
    return {"ok": True, "view": ws.identity.view_json(view, ws.new_id("V"), ws.serial)}


def get_upload_url(ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    filename = required(params, "filename")
    length = int_param(params, "length", -1)
    if length < 0:
        raise ApiError("invalid_arguments", problems(["missing required field: length"]))
    file_id = ws.new_id("F")
    ws.pending_uploads[file_id] = PendingUpload(filename, length)
    return {"ok": True, "upload_url": f"{ws.base_url}/upload/v1/{file_id}", "file_id": file_id}


def complete_upload(ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    files = params.get("files")
    if not isinstance(files, list) or not files:
        raise ApiError("invalid_arguments", problems(["missing required field: files"]))
    completed: list[tuple[str, str, PendingUpload, bytes]] = []
    for entry in files:
        file_id = entry.get("id") if isinstance(entry, dict) else None
        pending = ws.pending_uploads.get(file_id) if isinstance(file_id, str) else None
        if file_id is None or pending is None or pending.content is None:
            raise ApiError("file_not_found")
        title = optional_str(entry.get("title")) or pending.filename
        completed.append((file_id, title, pending, pending.content))
    for file_id, title, pending, content in completed:
        del ws.pending_uploads[file_id]
        ws.uploads.append(
            {
                "filename": pending.filename,
                "title": title,
                "content": content,
                "channel_id": optional_str(params.get("channel_id")),
                "initial_comment": optional_str(params.get("initial_comment")),
            }
        )
    return {"ok": True, "files": [{"id": f, "title": t} for f, t, _, _ in completed]}
