"""A local stand-in for Slack's Web API, served over loopback for the demo, tests and benchmark."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiohttp import web

TEAM_NAME = "Plenary"
TEAM_DOMAIN = "plenary"

_FIRST_TS_MICROS = 1_700_000_000_000_100
_TS_STEP_MICROS = 100
_JSON_PARAMS = ("blocks", "attachments", "metadata", "view", "files")

_MAX_MESSAGE_BLOCKS = 50
_MAX_VIEW_BLOCKS = 100
_MAX_MESSAGE_TEXT = 40_000
_MAX_SECTION_TEXT = 3000
_MAX_SECTION_FIELDS = 10
_MAX_FIELD_TEXT = 2000
_MAX_HEADER_TEXT = 150
_DEFAULT_HISTORY_LIMIT = 100


@dataclass
class ApiCall:
    """One Web API call as the fake saw it."""

    method: str
    params: dict[str, Any]
    status: int  # 0 when the connection was dropped without an answer
    response: dict[str, Any]


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


@dataclass
class _Fault:
    method: str
    remaining: int
    status: int | None  # None: drop the connection instead of answering
    retry_after: int | None = None
    error: str | None = None
    after_accepting: bool = False
    # Carry the call out, then answer this instead: a JSON object, or text that is not JSON.
    answer: dict[str, Any] | str | None = None


@dataclass
class _PendingUpload:
    filename: str
    length: int
    content: bytes | None = None


@dataclass
class _ApiError(Exception):
    error: str
    extra: dict[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.error, **self.extra}


_Method = Callable[[dict[str, Any]], dict[str, Any]]


class FakeSlack:
    """An aiohttp server on 127.0.0.1 that answers Web API calls the way Slack documents them.

    Everything the app sends is recorded (``calls``, messages, views, uploads, responses) so
    callers can assert on outcomes; ``fail_next``, ``drop_next``, ``misanswer_next`` and
    ``down`` inject faults.
    """

    def __init__(
        self,
        *,
        team_id: str = "T0PLENARY",
        bot_user_id: str = "UPLENARYBOT",
        bot_token: str = "xoxb-fake",  # noqa: S107 - a throwaway token only this fake accepts
        app_token: str = "xapp-1-A0PLENARY-1-fake",  # noqa: S107 - Socket Mode's, likewise
    ) -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_token = bot_token
        self.app_token = app_token
        self.bot_id = "B0PLENARY"
        self.app_id = "A0PLENARY"

        self.calls: list[ApiCall] = []
        self.responses: dict[str, list[dict[str, Any]]] = {}
        self.views_published: dict[str, dict[str, Any]] = {}
        self.views_opened: list[dict[str, Any]] = []
        self.uploads: list[dict[str, Any]] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.channel_names: dict[str, str] = {}
        self.down = False
        self.joined: set[str] = set()  # channels the bot joined with conversations.join

        self._messages: dict[str, dict[str, Message]] = {}
        self._ephemerals: list[Message] = []
        self._faults: list[_Fault] = []
        self._pending_uploads: dict[str, _PendingUpload] = {}
        self._next_ts_micros = _FIRST_TS_MICROS
        self._serial = 0
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None
        # Socket Mode: the app's WebSocket, and the acknowledgements awaited by envelope id.
        self._socket: web.WebSocketResponse | None = None
        self._socket_open = asyncio.Event()
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._methods: dict[str, _Method] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.info": self._conversations_info,
            "conversations.join": self._conversations_join,
            "conversations.history": self._conversations_history,
            "users.info": self._users_info,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
        }

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError("FakeSlack is already running")
        app = web.Application()
        app.router.add_get("/api/{method}", self._handle_api)
        app.router.add_post("/api/{method}", self._handle_api)
        app.router.add_post("/responses/{key}", self._handle_response_url)
        app.router.add_post("/upload/v1/{file_id}", self._handle_upload)
        app.router.add_get("/socket-mode", self._handle_socket)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host="127.0.0.1", port=0)
        await site.start()
        host, port = runner.addresses[0][:2]
        self._runner = runner
        self._base_url = f"http://{host}:{port}"

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("FakeSlack is not running; call start() first")
        return self._base_url

    @property
    def api_url(self) -> str:
        """Base URL for ``AsyncWebClient(base_url=...)``."""
        return f"{self.base_url}/api/"

    def response_url(self, key: str = "default") -> str:
        """A response_url whose POSTed JSON bodies land in ``responses[key]``."""
        self.responses.setdefault(key, [])
        return f"{self.base_url}/responses/{quote(key, safe='')}"

    # ------------------------------------------------------------------ inspection

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method == method]

    def channel_messages(self, channel: str) -> list[Message]:
        """Snapshots of the channel's messages (thread replies included) in ts order."""
        messages = sorted(self._messages.get(channel, {}).values(), key=lambda m: _ts_key(m.ts))
        return copy.deepcopy(messages)

    def ephemerals(self, channel: str, user: str | None = None) -> list[Message]:
        return copy.deepcopy(
            [
                m
                for m in self._ephemerals
                if m.channel == channel and (user is None or m.ephemeral_user == user)
            ]
        )

    def add_user(self, user_id: str, name: str, tz: str = "UTC") -> None:
        """Register a user for users.info; raises ValueError for an unknown time zone."""
        self.users[user_id] = self._user_object(user_id, name, tz)

    def add_channel(self, channel_id: str, name: str) -> None:
        """Give a channel the name conversations.info reports (default: the id, lower-cased)."""
        self.channel_names[channel_id] = name

    def reset_calls(self) -> None:
        self.calls.clear()

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        times: int = 1,
        retry_after: int | None = 1,
        error: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls to ``method`` ("*" for any) with HTTP ``status``."""
        _check_times(times)
        self._faults.append(
            _Fault(method, times, status=status, retry_after=retry_after, error=error)
        )

    def drop_next(self, method: str, *, times: int = 1, after_accepting: bool = False) -> None:
        """Close the connection of the next ``times`` calls to ``method`` without answering.

        With ``after_accepting`` the call takes effect first, as when Slack stored a message
        but the answer never reached the app.
        """
        _check_times(times)
        self._faults.append(_Fault(method, times, status=None, after_accepting=after_accepting))

    def misanswer_next(self, method: str, answer: dict[str, Any] | str, *, times: int = 1) -> None:
        """Carry out the next ``times`` calls to ``method``, but answer each with ``answer``
        (HTTP 200): a JSON object lacking what Slack documents, or text that is not JSON.

        Stands for an API answer the client cannot use although Slack did the work.
        """
        _check_times(times)
        self._faults.append(_Fault(method, times, status=None, answer=answer))

    def _take_fault(self, method: str) -> _Fault | None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.method in (method, "*"):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None

    # ------------------------------------------------------------------ HTTP handlers

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        try:
            params = await _read_params(request)
        except _ApiError as exc:
            return self._answer(method, {}, 200, exc.body())
        token = _bearer_token(request.headers.get("Authorization"))
        if token is None and isinstance(params.get("token"), str):
            token = params["token"]
        params.pop("token", None)

        if self.down:
            return self._answer(method, params, 503, {"ok": False, "error": "service_unavailable"})
        if method == "apps.connections.open":  # the one method called with the app token
            return self._answer(method, params, 200, self._apps_connections_open(token))

        fault = self._take_fault(method)
        if fault is not None and fault.answer is not None:
            done = self._dispatch(method, params, token)
            self.calls.append(ApiCall(method, params, 200, done))
            if isinstance(fault.answer, str):
                # Declared JSON but unreadable, as from a proxy's error page.
                return web.Response(text=fault.answer, content_type="application/json")
            return web.json_response(fault.answer)
        if fault is not None and fault.status is not None:
            headers: dict[str, str] = {}
            if fault.status == 429 and fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
            error = fault.error or _default_error(fault.status)
            return self._answer(
                method, params, fault.status, {"ok": False, "error": error}, headers
            )

        if fault is not None:
            response = self._dispatch(method, params, token) if fault.after_accepting else {}
            self.calls.append(ApiCall(method, params, 0, response))
            return _drop_connection(request)

        return self._answer(method, params, 200, self._dispatch(method, params, token))

    def _answer(
        self,
        method: str,
        params: dict[str, Any],
        status: int,
        body: dict[str, Any],
        headers: Mapping[str, str] | None = None,
    ) -> web.Response:
        self.calls.append(ApiCall(method, params, status, body))
        return web.json_response(body, status=status, headers=headers)

    def _dispatch(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        implementation = self._methods.get(method)
        if implementation is None:
            return {"ok": False, "error": "unknown_method"}
        if not token:
            return {"ok": False, "error": "not_authed"}
        if token != self.bot_token:
            return {"ok": False, "error": "invalid_auth"}
        try:
            return implementation(params)
        except _ApiError as exc:
            return exc.body()

    # ------------------------------------------------------------------ Socket Mode

    def _apps_connections_open(self, token: str | None) -> dict[str, Any]:
        if not token:
            return {"ok": False, "error": "not_authed"}
        if token != self.app_token:
            return {"ok": False, "error": "invalid_auth"}
        return {"ok": True, "url": self.base_url.replace("http://", "ws://") + "/socket-mode"}

    async def _handle_socket(self, request: web.Request) -> web.WebSocketResponse:
        """Slack's side of a Socket Mode connection: says hello, then relays envelopes sent
        with ``envelope`` and the app's acknowledgements of them."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._socket = socket
        await socket.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "fake", "approximate_connection_time": 18060},
                "connection_info": {"app_id": self.app_id},
            }
        )
        self._socket_open.set()
        async for message in socket:
            if message.type is not web.WSMsgType.TEXT:
                continue
            body = json.loads(message.data)
            ack = self._acks.pop(str(body.get("envelope_id", "")), None)
            if ack is not None and not ack.done():
                ack.set_result(body.get("payload") or {})
        self._socket_open.clear()
        return socket

    async def socket_connected(self) -> None:
        """Wait until an app has opened a Socket Mode connection."""
        await self._socket_open.wait()

    async def envelope(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send the app one Socket Mode envelope (``slash_commands``, ``interactive`` or
        ``events_api``) and return the payload it acknowledged with (``{}`` for none)."""
        if self._socket is None or self._socket.closed:
            raise RuntimeError("no app is connected over Socket Mode")
        self._serial += 1
        envelope_id = f"env-{self._serial}"
        acknowledged: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._acks[envelope_id] = acknowledged
        await self._socket.send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )
        return await acknowledged

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return web.Response(status=400, text="invalid_payload")
        self.responses.setdefault(request.match_info["key"], []).append(body)
        return web.Response(text="ok")

    async def _handle_upload(self, request: web.Request) -> web.Response:
        pending = self._pending_uploads.get(request.match_info["file_id"])
        if pending is None:
            return web.Response(status=404, text="file_not_found")
        if request.content_type == "multipart/form-data":
            form = await request.post()
            part = form.get("filename")
            if isinstance(part, web.FileField):
                data = part.file.read()
            elif isinstance(part, str):
                data = part.encode()
            else:
                return web.Response(status=400, text="missing filename field")
        else:
            data = await request.read()
        pending.content = data
        return web.Response(text=f"OK - {len(data)}")

    # ------------------------------------------------------------------ Web API methods

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": TEAM_NAME,
            "user": "plenary",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = _required_channel(params)
        text, blocks, metadata = _message_content(params)
        message = Message(
            channel=channel,
            ts=self._next_ts(),
            text=text,
            blocks=blocks or [],
            metadata=metadata or None,
            thread_ts=_optional_str(params.get("thread_ts")),
        )
        self._messages.setdefault(channel, {})[message.ts] = message
        return {
            "ok": True,
            "channel": channel,
            "ts": message.ts,
            "message": self._message_json(message, with_metadata=True),
        }

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = _required_channel(params)
        message = self._messages.get(channel, {}).get(_optional_str(params.get("ts")) or "")
        if message is None:
            raise _ApiError("message_not_found")
        text, blocks, metadata = _message_content(params)
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
            "message": self._message_json(message, with_metadata=True),
        }

    def _chat_post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = _required_channel(params)
        user = _optional_str(params.get("user"))
        if not user:
            raise _ApiError("user_not_in_channel")
        text, blocks, _ = _message_content(params)
        message = Message(
            channel=channel,
            ts=self._next_ts(),
            text=text,
            blocks=blocks or [],
            metadata=None,
            thread_ts=_optional_str(params.get("thread_ts")),
            ephemeral_user=user,
        )
        self._ephemerals.append(message)
        return {"ok": True, "message_ts": message.ts}

    def _chat_get_permalink(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = _required_channel(params)
        message = self._messages.get(channel, {}).get(_optional_str(params.get("message_ts")) or "")
        if message is None:
            raise _ApiError("message_not_found")
        permalink = (
            f"https://{TEAM_DOMAIN}.slack.com/archives/{channel}/p{message.ts.replace('.', '')}"
        )
        if message.thread_ts is not None and message.thread_ts != message.ts:
            permalink += f"?thread_ts={message.thread_ts}&cid={channel}"
        return {"ok": True, "channel": channel, "permalink": permalink}

    def _conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = _required_channel(params)
        return {
            "ok": True,
            "channel": {
                "id": channel,
                "name": self.channel_names.get(channel, channel.lower()),
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

    def _conversations_join(self, params: dict[str, Any]) -> dict[str, Any]:
        """Joining a public channel; the answer carries the channel as conversations.info."""
        self.joined.add(_required_channel(params))
        return self._conversations_info(params)

    def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = _required_channel(params)
        limit = _int_param(params, "limit", _DEFAULT_HISTORY_LIMIT)
        if limit < 1:
            limit = _DEFAULT_HISTORY_LIMIT
        inclusive = _flag(params.get("inclusive"))
        oldest = _optional_str(params.get("oldest"))
        latest = _optional_str(params.get("latest"))
        with_metadata = _flag(params.get("include_all_metadata"))

        def in_window(message: Message) -> bool:
            key = _ts_key(message.ts)
            if oldest is not None and (
                key < _ts_key(oldest) or (key == _ts_key(oldest) and not inclusive)
            ):
                return False
            return not (
                latest is not None
                and (key > _ts_key(latest) or (key == _ts_key(latest) and not inclusive))
            )

        top_level = [
            m
            for m in self._messages.get(channel, {}).values()
            if m.thread_ts in (None, m.ts) and in_window(m)
        ]
        top_level.sort(key=lambda m: _ts_key(m.ts), reverse=True)
        return {
            "ok": True,
            "messages": [
                self._message_json(m, with_metadata=with_metadata) for m in top_level[:limit]
            ],
            "has_more": len(top_level) > limit,
            "pin_count": 0,
            "response_metadata": {"next_cursor": ""},
        }

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = _optional_str(params.get("user"))
        if not user_id:
            raise _ApiError("user_not_found")
        user = self.users.get(user_id)
        if user is None:
            user = self._user_object(user_id, user_id, "UTC", is_bot=user_id == self.bot_user_id)
        return {"ok": True, "user": copy.deepcopy(user)}

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._show_view(params, needs_trigger=True)

    def _views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._show_view(params, needs_trigger=True)

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view_id = _optional_str(params.get("view_id"))
        if not view_id and not _optional_str(params.get("external_id")):
            raise _ApiError("invalid_arguments", _messages(["either view_id or external_id"]))
        return self._show_view(params, needs_trigger=False, view_id=view_id)

    def _show_view(
        self, params: dict[str, Any], *, needs_trigger: bool, view_id: str | None = None
    ) -> dict[str, Any]:
        if needs_trigger and not _optional_str(params.get("trigger_id")):
            raise _ApiError("invalid_trigger_id")
        view = _required_view(params)
        self.views_opened.append(view)
        return {"ok": True, "view": self._view_json(view, view_id or self._new_id("V"))}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = _optional_str(params.get("user_id"))
        if not user_id:
            raise _ApiError("invalid_arguments", _messages(["missing required field: user_id"]))
        view = _required_view(params)
        self.views_published[user_id] = view
        return {"ok": True, "view": self._view_json(view, self._new_id("V"))}

    def _files_get_upload_url_external(self, params: dict[str, Any]) -> dict[str, Any]:
        filename = _optional_str(params.get("filename"))
        if not filename:
            raise _ApiError("invalid_arguments", _messages(["missing required field: filename"]))
        length = _int_param(params, "length", -1)
        if length < 0:
            raise _ApiError("invalid_arguments", _messages(["missing required field: length"]))
        file_id = self._new_id("F")
        self._pending_uploads[file_id] = _PendingUpload(filename, length)
        return {
            "ok": True,
            "upload_url": f"{self.base_url}/upload/v1/{file_id}",
            "file_id": file_id,
        }

    def _files_complete_upload_external(self, params: dict[str, Any]) -> dict[str, Any]:
        files = params.get("files")
        if not isinstance(files, list) or not files:
            raise _ApiError("invalid_arguments", _messages(["missing required field: files"]))
        completed: list[tuple[str, str, _PendingUpload, bytes]] = []
        for entry in files:
            file_id = entry.get("id") if isinstance(entry, dict) else None
            pending = self._pending_uploads.get(file_id) if isinstance(file_id, str) else None
            if file_id is None or pending is None or pending.content is None:
                raise _ApiError("file_not_found")
            title = _optional_str(entry.get("title")) or pending.filename
            completed.append((file_id, title, pending, pending.content))
        for file_id, title, pending, content in completed:
            del self._pending_uploads[file_id]
            self.uploads.append(
                {
                    "filename": pending.filename,
                    "title": title,
                    "content": content,
                    "channel_id": _optional_str(params.get("channel_id")),
                    "initial_comment": _optional_str(params.get("initial_comment")),
                }
            )
        return {"ok": True, "files": [{"id": f, "title": t} for f, t, _, _ in completed]}

    # ------------------------------------------------------------------ shaping

    def _next_ts(self) -> str:
        micros = self._next_ts_micros
        self._next_ts_micros += _TS_STEP_MICROS
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _new_id(self, prefix: str) -> str:
        self._serial += 1
        return f"{prefix}0{self._serial:08d}"

    def _message_json(self, message: Message, *, with_metadata: bool) -> dict[str, Any]:
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

    def _view_json(self, view: dict[str, Any], view_id: str) -> dict[str, Any]:
        return {
            "id": view_id,
            "team_id": self.team_id,
            "type": view.get("type", "modal"),
            "blocks": copy.deepcopy(view.get("blocks", [])),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"1700000000.{self._serial:08d}",
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

    def _user_object(
        self, user_id: str, name: str, tz: str, *, is_bot: bool = False
    ) -> dict[str, Any]:
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


# ---------------------------------------------------------------------- helpers


async def _read_params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if request.body_exists:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError as exc:
                raise _ApiError("invalid_json") from exc
            if not isinstance(body, dict):
                raise _ApiError("invalid_json")
            params.update(body)
        else:
            form = await request.post()
            params.update({key: value for key, value in form.items() if isinstance(value, str)})
    for key in _JSON_PARAMS:
        raw = params.get(key)
        if isinstance(raw, str):
            # Undecodable values stay as sent; validation then rejects them as Slack would.
            with contextlib.suppress(ValueError):
                params[key] = json.loads(raw)
    return params


def _drop_connection(request: web.Request) -> web.Response:
    transport = request.transport
    if transport is not None:
        transport.close()
    # aiohttp treats the failed write of this response as a client disconnect.
    return web.Response(status=204)


def _bearer_token(header: str | None) -> str | None:
    if header is None or not header.startswith("Bearer "):
        return None
    return header.removeprefix("Bearer ").strip() or None


def _default_error(status: int) -> str:
    return {429: "ratelimited", 503: "service_unavailable"}.get(status, "internal_error")


def _check_times(times: int) -> None:
    if times < 1:
        raise ValueError("times must be at least 1")


def _ts_key(ts: str) -> tuple[int, int]:
    seconds, _, fraction = ts.partition(".")
    try:
        return int(seconds), int(fraction.ljust(6, "0")[:6])
    except ValueError:
        return 0, 0


def _optional_str(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _flag(value: Any) -> bool:
    return (
        value is True or value == 1 or (isinstance(value, str) and value.lower() in ("1", "true"))
    )


def _int_param(params: dict[str, Any], key: str, default: int) -> int:
    value = params.get(key)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise _ApiError("invalid_arguments", _messages([f"invalid {key}"])) from exc


def _messages(problems: list[str]) -> dict[str, Any]:
    return {"response_metadata": {"messages": [f"[ERROR] {p}" for p in problems]}}


def _required_channel(params: dict[str, Any]) -> str:
    channel = _optional_str(params.get("channel"))
    if not channel:
        raise _ApiError("channel_not_found")
    return channel


def _message_content(
    params: dict[str, Any],
) -> tuple[str, list[dict[str, Any]] | None, dict[str, Any] | None]:
    """Validate text, blocks and metadata of a chat.* call; blocks/metadata are None if absent."""
    text = _optional_str(params.get("text")) or ""
    raw_blocks = params.get("blocks")
    blocks: list[dict[str, Any]] | None = None
    if raw_blocks is not None:
        problems = _block_problems(raw_blocks, _MAX_MESSAGE_BLOCKS, "/blocks")
        if problems:
            raise _ApiError("invalid_blocks", {"errors": problems, **_messages(problems)})
        blocks = list(raw_blocks)
    if not text.strip() and not blocks and not params.get("attachments"):
        raise _ApiError("no_text")
    if len(text) > _MAX_MESSAGE_TEXT:
        raise _ApiError("msg_too_long")
    metadata = params.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise _ApiError("invalid_metadata_format")
    return text, blocks, metadata


def _required_view(params: dict[str, Any]) -> dict[str, Any]:
    view = params.get("view")
    if not isinstance(view, dict):
        raise _ApiError("invalid_arguments", _messages(["missing required field: view"]))
    problems = _block_problems(view.get("blocks", []), _MAX_VIEW_BLOCKS, "/view/blocks")
    if problems:
        raise _ApiError("invalid_arguments", _messages(problems))
    return view


def _block_problems(blocks: Any, limit: int, pointer: str) -> list[str]:
    """Slack-style problem strings for a blocks array; empty when the blocks are acceptable."""
    if not isinstance(blocks, list):
        return [f"must be an array [json-pointer:{pointer}]"]
    if len(blocks) > limit:
        return [f"no more than {limit} items allowed [json-pointer:{pointer}]"]
    problems: list[str] = []
    for index, block in enumerate(blocks):
        where = f"{pointer}/{index}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            problems.append(f"missing required field: type [json-pointer:{where}]")
        elif block["type"] == "section":
            problems.extend(_section_problems(block, where))
        elif block["type"] == "header":
            problems.extend(_text_problems(block.get("text"), _MAX_HEADER_TEXT, f"{where}/text"))
    return problems


def _section_problems(block: dict[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    if "text" in block:
        problems.extend(_text_problems(block["text"], _MAX_SECTION_TEXT, f"{where}/text"))
    fields = block.get("fields")
    if fields is not None:
        if not isinstance(fields, list) or len(fields) > _MAX_SECTION_FIELDS:
            problems.append(
                f"no more than {_MAX_SECTION_FIELDS} items allowed [json-pointer:{where}/fields]"
            )
        else:
            for i, item in enumerate(fields):
                problems.extend(_text_problems(item, _MAX_FIELD_TEXT, f"{where}/fields/{i}"))
    return problems


def _text_problems(text_object: Any, limit: int, where: str) -> list[str]:
    if not isinstance(text_object, dict) or not isinstance(text_object.get("text"), str):
        return [f"must be a text object [json-pointer:{where}]"]
    length = len(text_object["text"])
    if length == 0:
        return [f"must be more than 0 characters [json-pointer:{where}/text]"]
    if length > limit:
        return [f"must be less than {limit + 1} characters [json-pointer:{where}/text]"]
    return []
