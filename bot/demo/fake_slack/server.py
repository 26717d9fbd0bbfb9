"""The fake Slack served over loopback (an aiohttp app on 127.0.0.1, port 0): the Web API,
response URLs, file uploads and Socket Mode, each call recorded for the caller to assert on."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote

from aiohttp import web

from bot.demo.fake_slack.faults import Faults
from bot.demo.fake_slack.objects import BotIdentity
from bot.demo.fake_slack.params import ApiError
from bot.demo.fake_slack.socket_mode import SocketMode
from bot.demo.fake_slack.web_api import methods
from bot.demo.fake_slack.workspace import Workspace

_JSON_PARAMS = ("blocks", "attachments", "metadata", "view", "files")


@dataclass
class ApiCall:
    """One Web API call as the fake saw it."""

    method: str
    params: dict[str, Any]
    status: int  # 0 when the connection was dropped without an answer
    response: dict[str, Any]


CallObserver = Callable[[ApiCall], None]


class FakeSlack(Workspace, Faults):
    """An aiohttp server on 127.0.0.1 that answers Web API calls the way Slack documents them.

    Everything the app sends is recorded (``calls``, messages, views, uploads, responses) so
    callers can assert on outcomes; ``fail_next``, ``drop_next``, ``misanswer_next``,
    ``limit_rate`` and ``down`` inject faults, and ``observe`` lets a caller see each call as it
    is answered.
    """

    def __init__(
        self,
        *,
        team_id: str = "T0PLENARY",
        bot_user_id: str = "UPLENARYBOT",
        bot_token: str = "xoxb-fake",  # noqa: S107 - a throwaway token only this fake accepts
        app_token: str = "xapp-1-A0PLENARY-1-fake",  # noqa: S107 - Socket Mode's, likewise
    ) -> None:
        Workspace.__init__(self, BotIdentity(team_id, bot_user_id))
        Faults.__init__(self)
        self.bot_token = bot_token
        self.app_token = app_token
        self.calls: list[ApiCall] = []
        self.responses: dict[str, list[dict[str, Any]]] = {}
        self.down = False
        self._methods = methods(self)
        self._observers: list[CallObserver] = []
        self._socket_mode = SocketMode(self.identity.app_id, app_token)
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError("FakeSlack is already running")
        app = web.Application()
        app.router.add_get("/api/{method}", self._handle_api)
        app.router.add_post("/api/{method}", self._handle_api)
        app.router.add_post("/responses/{key}", self._handle_response_url)
        app.router.add_post("/upload/v1/{file_id}", self._handle_upload)
        app.router.add_get("/socket-mode", self._socket_mode.handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host="127.0.0.1", port=0)
        await site.start()
        host, port = runner.addresses[0][:2]
        self._runner = runner
        self._base_url = f"http://{host}:{port}"

    async def stop(self) -> None:
        await self._socket_mode.close()
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

    def reset_calls(self) -> None:
        self.calls.clear()

    def observe(self, observer: CallObserver) -> None:
        """Call ``observer`` with each Web API call as it is recorded, before the app reads
        the answer (the benchmark times arrivals this way)."""
        self._observers.append(observer)

    # ------------------------------------------------------------------ Socket Mode

    async def socket_connected(self) -> None:
        """Wait until an app has opened a Socket Mode connection."""
        await self._socket_mode.connected()

    async def envelope(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send the app one Socket Mode envelope (``slash_commands``, ``interactive`` or
        ``events_api``) and return the payload it acknowledged with (``{}`` for none)."""
        return await self._socket_mode.envelope(kind, payload)

    # ------------------------------------------------------------------ HTTP handlers

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        try:
            params = await _read_params(request)
        except ApiError as exc:
            return self._answer(method, {}, 200, exc.body())
        token = _bearer_token(request.headers.get("Authorization"))
        if token is None and isinstance(params.get("token"), str):
            token = params["token"]
        params.pop("token", None)

        if self.down:
            return self._answer(method, params, 503, {"ok": False, "error": "service_unavailable"})
        if method == "apps.connections.open":  # the one method called with the app token
            opened = self._socket_mode.connections_open(token, self.base_url)
            return self._answer(method, params, 200, opened)

        fault = self.take_fault(method)
        if fault is not None and fault.answer is not None:
            self._record(ApiCall(method, params, 200, self._dispatch(method, params, token)))
            if isinstance(fault.answer, str):
                # Declared JSON but unreadable, as from a proxy's error page.
                return web.Response(text=fault.answer, content_type="application/json")
            return web.json_response(fault.answer)
        if fault is not None and fault.status is not None:
            headers: dict[str, str] = {}
            if fault.status == 429 and fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
            body = {"ok": False, "error": fault.error or fault.default_error}
            return self._answer(method, params, fault.status, body, headers)

        if fault is not None:
            response = self._dispatch(method, params, token) if fault.after_accepting else {}
            self._record(ApiCall(method, params, 0, response))
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
        self._record(ApiCall(method, params, status, body))
        return web.json_response(body, status=status, headers=headers)

    def _record(self, call: ApiCall) -> None:
        if call.status == 200 and call.response.get("ok"):
            self.accepted(call.method)
        self.calls.append(call)
        for observer in self._observers:
            observer(call)

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
        except ApiError as exc:
            return exc.body()

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
        file_id = request.match_info["file_id"]
        if file_id not in self.pending_uploads:
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
        self.store_upload(file_id, data)
        return web.Response(text=f"OK - {len(data)}")


async def _read_params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if request.body_exists:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError as exc:
                raise ApiError("invalid_json") from exc
            if not isinstance(body, dict):
                raise ApiError("invalid_json")
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
