"""The real app over HTTP on loopback, against the local stand-in for Slack and a database.

The offline demo, the end-to-end tests and the benchmark all drive the bot through this rig:
signed requests in, Web API calls out, nothing of the product replaced. The database is named
by its URL, as ``DATABASE_URL`` names it: a SQLite file (the demo's) or a PostgreSQL database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlencode, urlsplit

import aiohttp
from aiohttp import web

from bot.app import Plenary, build
from bot.config import Settings
from bot.demo.fake_slack.server import FakeSlack
from bot.demo.signing import SignedRequest, SlackRequestFactory, post
from bot.domain.workspaces import DEFAULT_RETENTION
from bot.ports.clock import ManualClock
from bot.serving import web_app

SIGNING_SECRET = "demo-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-fake"
# Multi-workspace rigs seal tokens under this key (a Fernet key made for the demo only).
TOKEN_KEY = "q1EhQ0wRZ0b1cTEZqCkq8r9TQ8xYjv7c2kH1m9nZb0M="
# On PostgreSQL each replica also sweeps on a real-time period; the rig's time is the hand-moved
# clock, so that sweep is set far apart and never runs at an instant a test did not choose.
RIG_SWEEP = timedelta(hours=1)


@dataclass(frozen=True)
class Reply:
    """What the app answered to one request."""

    status: int
    raw: str
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def json(self) -> dict[str, Any]:
        decoded: dict[str, Any] = json.loads(self.raw) if self.raw.startswith("{") else {}
        return decoded

    @property
    def text(self) -> str:
        """The fallback text as a reader sees it: Slack's entities decoded."""
        raw = str(self.json.get("text", ""))
        return raw.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")

    @property
    def ephemeral(self) -> bool:
        return bool(self.json.get("response_type", "ephemeral") == "ephemeral")


class Rig:
    def __init__(
        self,
        database_url: str,
        start: datetime,
        *,
        team_id: str = "T0PLENARY",
        multi_workspace: bool = False,
        retention: timedelta = DEFAULT_RETENTION,
    ) -> None:
        """``database_url``: ``sqlite:///path`` or ``postgresql://…``, opened (and migrated)
        on start and again on each restart. ``multi_workspace``: no SLACK_BOT_TOKEN;
        workspaces install through the OAuth flow (``install``), each with a token of its
        own."""
        self.database_url = database_url
        self.multi_workspace = multi_workspace
        self.retention = retention
        self.clock = ManualClock(start)
        self.slack = FakeSlack(team_id=team_id, bot_token=BOT_TOKEN)
        self.signer = SlackRequestFactory(
            SIGNING_SECRET, team_id=team_id, response_url_for=self.slack.response_url
        )
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._plenary: Plenary | None = None
        self.url = ""

    @property
    def plenary(self) -> Plenary:
        assert self._plenary is not None, "the rig is not started"
        return self._plenary

    @property
    def settings(self) -> Settings:
        if self.multi_workspace:
            return Settings(
                bot_token="",
                client_id=self.slack.client_id,
                client_secret=self.slack.client_secret,
                token_key=TOKEN_KEY,
                retention=self.retention,
                signing_secret=SIGNING_SECRET,
                api_url=self.slack.api_url,
                database_url=self.database_url,
                sweep_every=RIG_SWEEP,
            )
        return Settings(
            bot_token=BOT_TOKEN,
            signing_secret=SIGNING_SECRET,
            api_url=self.slack.api_url,
            database_url=self.database_url,
            sweep_every=RIG_SWEEP,
        )

    async def start(self) -> None:
        await self.slack.start()
        self._plenary = await build(self.settings, clock=self.clock, pace_seconds=0)
        self._runner = web.AppRunner(web_app(self._plenary), handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host="127.0.0.1", port=0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        self._session = aiohttp.ClientSession()

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()
        if self._plenary is not None:
            await self._plenary.close()
        await self.slack.stop()

    async def restart(self) -> None:
        """Stop the bot and start it again on the same database, as after a crash or deploy."""
        assert self._runner is not None
        await self._runner.cleanup()
        await self.plenary.close()
        self._plenary = await build(self.settings, clock=self.clock, pace_seconds=0)
        self._runner = web.AppRunner(web_app(self._plenary), handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host="127.0.0.1", port=0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

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

    async def send(self, request: SignedRequest, path: str = "/slack/events") -> Reply:
        assert self._session is not None
        status, body = await post(self._session, self.url + path, request)
        return Reply(status, body)

    async def command(
        self,
        command: str,
        text: str,
        *,
        user: str,
        channel: str = "C0MEETING",
        team: str | None = None,
    ) -> Reply:
        """Send a signed slash command, then let the announcer deliver what it owes."""
        reply = await self.send(
            self.signer.slash_command(command, text, user_id=user, channel_id=channel, team_id=team)
        )
        await self.settle()
        return reply

    async def submit(
        self,
        form: str,
        fields: dict[str, dict[str, Any]],
        *,
        user: str,
        private_metadata: str = "",
        team: str | None = None,
    ) -> Reply:
        """Submit a form as Slack does, each field's element under a block of its own name
        (as the app builds its forms), then let the announcer deliver what it owes."""
        values = {block: {block: element} for block, element in fields.items()}
        reply = await self.send(
            self.signer.view_submission(
                user_id=user,
                callback_id=form,
                values=values,
                private_metadata=private_metadata,
                team_id=team,
            )
        )
        await self.settle()
        return reply

    async def get(self, path: str, headers: dict[str, str] | None = None) -> Reply:
        """A browser's GET (redirects not followed)."""
        assert self._session is not None
        async with self._session.get(
            self.url + path, headers=headers or {}, allow_redirects=False
        ) as response:
            return Reply(
                response.status,
                await response.text(),
                dict(response.headers.items()),
            )

    async def begin_install(self) -> tuple[str, str]:
        """Open /slack/install as a browser does: the state Slack's consent page is sent
        with, and the cookie the app set to tie the state to this browser."""
        reply = await self.get("/slack/install")
        assert reply.status == 302, reply
        query = parse_qs(urlsplit(reply.headers["Location"]).query)
        cookie = reply.headers["Set-Cookie"].split(";", 1)[0]
        return query["state"][0], cookie

    async def finish_install(self, state: str, cookie: str, code: str) -> Reply:
        """Slack sends the browser back to the redirect URL with the code."""
        return await self.get(
            f"/slack/oauth_redirect?{urlencode({'code': code, 'state': state})}",
            {"Cookie": cookie},
        )

    async def install(self, team_id: str) -> Reply:
        """A user installs the app in ``team_id`` through the whole OAuth flow."""
        state, cookie = await self.begin_install()
        return await self.finish_install(state, cookie, self.slack.consent(team_id))

    async def settle(self) -> None:
        """Deliver every notice due now (the announcer's work, run to completion)."""
        await self.plenary.announcer.drain()

    async def healthz(self) -> tuple[int, dict[str, Any]]:
        assert self._session is not None
        async with self._session.get(self.url + "/healthz") as response:
            return response.status, await response.json()
