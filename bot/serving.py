"""How requests reach the app: HTTP (Slack's events, the OAuth install pages, /healthz, the
room's screens and the public record) or Socket Mode, both dispatching to the one Bolt app
that ``bot.app`` assembles."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.app import Plenary
from bot.web.routes import WebRoutes

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler


def reparse_misread_form(request: AsyncBoltRequest) -> AsyncBoltRequest:
    """Bolt takes any form body that merely contains the word "payload" for an
    interactivity payload, so a slash command whose text says "payload" would be dropped as
    unhandled. Such a body, with no ``payload`` field, is parsed again as the form it is."""
    raw = request.raw_body
    if request.body or "payload" not in raw or raw.startswith("{"):
        return request
    fields = dict(parse_qsl(raw, keep_blank_values=True))
    if "payload" in fields:
        return request
    request.body = fields
    request.context = build_async_context(AsyncBoltContext({}), fields)
    return request


def _is_number(text: str) -> bool:
    """ASCII digits only: ``"²".isdigit()`` is true, but ``int("²")`` raises."""
    return text.isascii() and text.isdigit()


def web_app(plenary: Plenary) -> web.Application:
    """HTTP mode: Slack posts to /slack/events; /healthz answers for the orchestrator; the
    room's screens and the public record are served at their links (``bot/web``)."""

    verifier = plenary.verifier

    async def events(request: web.Request) -> web.Response:
        # slack_sdk's verifier raises on a non-numeric timestamp header instead of refusing;
        # refuse such requests here so they get Bolt's 401, never a listener error.
        if not _is_number(request.headers.get("X-Slack-Request-Timestamp", "")):
            return web.Response(status=401, text="")
        bolt_request = reparse_misread_form(await to_bolt_request(request))
        if bolt_request.body.get("ssl_check") == "1":
            # Slack's certificate check (Bolt's own answers it before verifying; not here).
            valid = verifier is not None and verifier.is_valid_request(
                bolt_request.raw_body, request.headers
            )
            return web.Response(status=200 if valid else 401, text="")
        bolt_response = await plenary.app.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)

    async def healthz(_: web.Request) -> web.Response:
        database = await plenary.db.ping()
        slack = plenary.announcer.healthy
        status = "ok" if database and slack else ("degraded" if database else "down")
        # Announcements that failed in the last day (each logged with its notice id).
        failed = await plenary.announcer.recent_failures() if database else None
        health = {"status": status, "database": database, "slack": slack, "failed_notices": failed}
        return web.Response(
            status=200 if database else 503,
            text=json.dumps(health),
            content_type="application/json",
        )

    application = web.Application()
    application.add_routes([web.post("/slack/events", events), web.get("/healthz", healthz)])
    oauth_flow = plenary.app.oauth_flow
    if oauth_flow is not None:
        # Multi-workspace mode: Bolt's OAuth flow, its state in a cookie and in the store.

        async def install(request: web.Request) -> web.Response:
            response = await oauth_flow.handle_installation(await to_bolt_request(request))
            return await to_aiohttp_response(response)

        async def oauth_redirect(request: web.Request) -> web.Response:
            response = await oauth_flow.handle_callback(await to_bolt_request(request))
            return await to_aiohttp_response(response)

        application.add_routes(
            [
                web.get(oauth_flow.install_path, install),
                web.get(oauth_flow.redirect_uri_path, oauth_redirect),
            ]
        )
    WebRoutes(plenary.links).add_to(application)
    return application


async def connect_socket_mode(plenary: Plenary, app_token: str) -> AsyncSocketModeHandler:
    """Socket Mode: Slack delivers requests over a WebSocket the app opens (no public URL),
    through Bolt's handler on the same app; Slack has authenticated them, so there is no
    signature to check."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    handler = AsyncSocketModeHandler(plenary.app, app_token)
    await handler.connect_async()  # type: ignore[no-untyped-call]
    return handler
