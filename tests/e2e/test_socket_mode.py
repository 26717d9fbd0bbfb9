"""Socket Mode, end to end: the bot opens the connection the way ``python -m bot socket`` does
(apps.connections.open with the app token, then a WebSocket to the URL it returns), and the
local stand-in for Slack sends it envelopes shaped as Slack's: a slash command, a button press
and an Events API event. The answers go back as acknowledgements over the socket."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from bot.app import Plenary, build
from bot.commands.payloads import Action, ItemRef
from bot.config import Settings
from bot.demo.fake_slack.server import FakeSlack
from bot.demo.signing import SignedRequest, SlackRequestFactory
from bot.serving import connect_socket_mode

CHANNEL = "C0SOCKET"
CHAIR, MALI, PERU = "U0CHAIR", "U0MALI", "U0PERU"


def command(request: SignedRequest) -> dict[str, Any]:
    """The form fields Slack would otherwise POST, as the envelope's payload carries them."""
    return dict(parse_qsl(request.body, keep_blank_values=True))


def interaction(request: SignedRequest) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(dict(parse_qsl(request.body))["payload"])
    return payload


@pytest.fixture
async def connected(database_url: str) -> AsyncIterator[tuple[FakeSlack, Plenary]]:
    async with FakeSlack() as slack:
        settings = Settings(
            bot_token=slack.bot_token,
            app_token=slack.app_token,
            api_url=slack.api_url,
            database_url=database_url,
        )
        plenary = await build(settings, pace_seconds=0)  # no need to pace posts to a fake
        await plenary.start()
        handler = await connect_socket_mode(plenary, settings.app_token)
        try:
            await slack.socket_connected()
            yield slack, plenary
        finally:
            await handler.close_async()  # type: ignore[no-untyped-call]
            await plenary.close()


async def test_commands_buttons_and_events_work_over_socket_mode(
    connected: tuple[FakeSlack, Plenary],
) -> None:
    slack, plenary = connected
    signer = SlackRequestFactory(
        "unused: Socket Mode is not signed", response_url_for=slack.response_url
    )
    assert [c.method for c in slack.calls_to("apps.connections.open")] == ["apps.connections.open"]

    async def run(user: str, name: str, text: str) -> dict[str, Any]:
        request = signer.slash_command(name, text, user_id=user, channel_id=CHANNEL)
        return await slack.envelope("slash_commands", command(request))

    started = await run(CHAIR, "/meeting", "start Socket Summit")
    assert started["response_type"] == "ephemeral"
    assert "Socket Summit" in started["text"]
    for text in (
        f"delegation add Mali participant <@{MALI}>",
        f"delegation add Peru participant <@{PERU}>",
    ):
        assert "Added" in (await run(CHAIR, "/meeting", text))["text"]
    await run(MALI, "/table-motion", "Adopt the report")
    objected = await run(PERU, "/object", "1 Not before the annex")
    assert "Recorded Peru's objection to #1" in objected["text"]
    assert "now blocked" in objected["text"]
    refused = await run(MALI, "/object", "9")
    assert refused["response_type"] == "ephemeral"
    assert "no item #9" in refused["text"]

    await plenary.announcer.drain()
    posted = " ".join(m.text for m in slack.channel_messages(CHANNEL))
    assert "Socket Summit" in posted
    assert "#1 is blocked" in posted
    assert "Peru" in posted

    press = signer.block_action(
        user_id=PERU,
        action_id=Action.WITHDRAW_OBJECTION,
        value=ItemRef(1, 1).pack(),
        channel_id=CHANNEL,
        response_key="socket-press",
    )
    assert await slack.envelope("interactive", interaction(press)) == {}
    await plenary.announcer.drain()
    answers = " ".join(str(a.get("text")) for a in slack.responses["socket-press"])
    assert "Withdrew Peru's objection to #1" in answers

    home = {"type": "app_home_opened", "user": MALI, "channel": "D0MALI", "tab": "home"}
    event: dict[str, Any] = json.loads(signer.event(home, event_id="EvSocket1").body)
    assert await slack.envelope("events_api", event) == {}
    await plenary.announcer.drain()
    assert "Socket Summit" in json.dumps(slack.views_published[MALI])


async def test_python_m_bot_socket_connects_with_the_app_token_and_answers(tmp_path: Path) -> None:
    async with FakeSlack() as slack:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("SLACK_")},
            "SLACK_BOT_TOKEN": slack.bot_token,
            "SLACK_APP_TOKEN": slack.app_token,
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'process.sqlite3'}",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "socket",
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            # Guards against a hang only; nothing here measures speed.
            await asyncio.wait_for(slack.socket_connected(), timeout=60)
            signer = SlackRequestFactory("unused", response_url_for=slack.response_url)
            request = signer.slash_command(
                "/meeting", "start From the CLI", user_id=CHAIR, channel_id=CHANNEL
            )
            started = await asyncio.wait_for(
                slack.envelope("slash_commands", command(request)), timeout=60
            )
            assert "From the CLI" in started["text"]
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
        assert process.returncode == 0, stderr.decode(errors="replace")[-2000:]
        log = [json.loads(line) for line in stderr.decode().splitlines() if line.startswith("{")]
        assert [e["event"] for e in log if e["event"] in ("connected", "stopped")] == [
            "connected",
            "stopped",
        ]
        assert all(slack.app_token not in json.dumps(e) for e in log)
