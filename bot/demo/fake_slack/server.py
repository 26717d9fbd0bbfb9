"""The fake Slack served over loopback (an aiohttp app on 127.0.0.1, port 0): the Web API,
response URLs, file uploads and Socket Mode, each call recorded for the caller to assert on."""

from __future__ import annotations

import base64
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
CLIENT_ID = "1234.5678"
CLIENT_SECRET = "fake-client-secret"  # a throwaway secret only this fake accepts


@dataclass
class ApiCall:
    """One Web API call as the fake saw it."""

    method: str
    params: dict[str, Any]
    status: int  # 0 when the connection was dropped without an answer
    response: dict[str, Any]
    team_id: str | None = None  # the workspace whose token the call carried (None: no token)


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
        # Installs into more workspaces (oauth.v2.access): each token belongs to one
        # workspace, and a call about a channel of another workspace is refused as Slack
        # refuses it (channel_not_found).
        self.client_id = CLIENT_ID
        self.client_secret = CLIENT_SECRET
        self.token_teams: dict[str, str] = {bot_token: team_id}
        self.channel_teams: dict[str, str] = {}
        self._codes: dict[str, _Grant] = {}
        self._refresh_tokens: dict[str, tuple[str, str]] = {}  # → (team, its access token)
        self.refreshed: list[str] = []  # tokens issued by refreshing, oldest first
        self._current_team: str | None = None  # whose token the call being answered carries
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

    # ------------------------------------------------------------------ installs

    def consent(
        self,
        team_id: str,
        *,
        enterprise_id: str | None = None,
        org_wide: bool = False,
        rotating: bool = False,
    ) -> str:
        """A user approved the install in ``team_id`` (or org-wide in ``enterprise_id``):
        the code Slack hands the browser for the app's redirect URL, usable once."""
        code = f"code-{team_id}-{self.new_id('C')}"
        self._codes[code] = _Grant(team_id, enterprise_id, org_wide, rotating)
        return code

    def channel_of(self, channel_id: str, team_id: str) -> None:
        """The channel is in ``team_id``'s workspace: only that workspace's token reaches it."""
        self.channel_teams[channel_id] = team_id

    def revoke(self, team_id: str) -> None:
        """The app was uninstalled from the workspace: its tokens stop working."""
        for token in [t for t, team in self.token_teams.items() if team == team_id]:
            del self.token_teams[token]

    def refuse_refreshes(self) -> None:
        """Every refresh token stops working (say, revoked): refreshing is refused."""
        self._refresh_tokens.clear()

    def tokens_of(self, team_id: str) -> set[str]:
        return {t for t, team in self.token_teams.items() if team == team_id}

    def _oauth_access(self, params: dict[str, Any], authorization: str | None) -> dict[str, Any]:
        client_id, client_secret = _basic_auth(authorization) or (
            optional(params, "client_id"),
            optional(params, "client_secret"),
        )
        if client_id != self.client_id or client_secret != self.client_secret:
            return {"ok": False, "error": "invalid_client_id"}
        if params.get("grant_type") == "refresh_token":
            return self._refresh(str(params.get("refresh_token", "")))
        grant = self._codes.pop(str(params.get("code", "")), None)
        if grant is None:
            return {"ok": False, "error": "invalid_code"}
        token = (
            f"xoxb-{grant.enterprise_id if grant.org_wide else grant.team_id}-{self.new_id('K')}"
        )
        self.token_teams[token] = grant.team_id
        enterprise = {"id": grant.enterprise_id, "name": "Org"} if grant.enterprise_id else None
        rotation: dict[str, Any] = {}
        if grant.rotating:
            rotation = self._rotating(token, grant.team_id)
        return {
            **rotation,
            "ok": True,
            "access_token": token,
            "token_type": "bot",
            "scope": "commands,chat:write",
            "bot_user_id": self.identity.bot_user_id,
            "app_id": self.identity.app_id,
            "team": None if grant.org_wide else {"id": grant.team_id, "name": grant.team_id},
            "enterprise": enterprise,
            "is_enterprise_install": grant.org_wide,
            "authed_user": {"id": "UINSTALLER"},
        }

    def _rotating(self, token: str, team_id: str) -> dict[str, Any]:
        """Token rotation: the token expires in 12 hours; a refresh token, usable once,
        gets the next one."""
        refresh_token = f"xoxe-1-{self.new_id('R')}"
        self._refresh_tokens[refresh_token] = (team_id, token)
        return {"refresh_token": refresh_token, "expires_in": 43_200}

    def _refresh(self, refresh_token: str) -> dict[str, Any]:
        held = self._refresh_tokens.pop(refresh_token, None)
        if held is None:
            return {"ok": False, "error": "invalid_refresh_token"}
        team_id, old = held
        self.token_teams.pop(old, None)  # the old token is taken to have expired
        token = f"xoxb-{team_id}-{self.new_id('K')}"
        self.token_teams[token] = team_id
        self.refreshed.append(token)
        return {"ok": True, "access_token": token, "token_type": "bot"} | self._rotating(
            token, team_id
        )

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
        self._current_team = None
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
        if method == "oauth.v2.access":  # the one method called with the app's credentials
            granted = self._oauth_access(params, request.headers.get("Authorization"))
            return self._answer(method, params, 200, granted)
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
        if call.team_id is None and call.method != "oauth.v2.access":
            call.team_id = self._current_team
        if call.status == 200 and call.response.get("ok"):
            self.accepted(call.method)
        self.calls.append(call)
        for observer in self._observers:
            observer(call)

    def _dispatch(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        implementation = self._methods.get(method)
        if implementation is None:
            return {"ok": False, "error": "unknown_method"}
        self._current_team = None
        if not token:
            return {"ok": False, "error": "not_authed"}
        team = self.token_teams.get(token)
        if team is None:
            return {"ok": False, "error": "invalid_auth"}
        self._current_team = team
        channel = params.get("channel") or params.get("channel_id")
        if isinstance(channel, str) and self.channel_teams.get(channel, team) != team:
            return {"ok": False, "error": "channel_not_found"}  # another workspace's channel
        if method == "auth.test":
            return {**implementation(params), "team_id": team}
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


@dataclass(frozen=True)
class _Grant:
    """An install approved in the browser and not yet exchanged (oauth.v2.access)."""

    team_id: str
    enterprise_id: str | None
    org_wide: bool
    rotating: bool = False


def optional(params: dict[str, Any], name: str) -> str | None:
    value = params.get(name)
    return value if isinstance(value, str) else None


def _basic_auth(header: str | None) -> tuple[str | None, str | None] | None:
    if header is None or not header.startswith("Basic "):
        return None
    try:
        decoded = base64.b64decode(header.removeprefix("Basic ").strip()).decode()
    except ValueError:
        return None
    client_id, _, secret = decoded.partition(":")
    return client_id, secret


def _bearer_token(header: str | None) -> str | None:
    if header is None or not header.startswith("Bearer "):
        return None
    return header.removeprefix("Bearer ").strip() or None
