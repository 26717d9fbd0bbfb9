"""The room's screen and the public record over plain HTTP: who gets the links, what a
wrong, rotated or unpublished link answers, the guessing limit, the headers every page
carries, and the screen's event stream following the meeting."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.app import build
from bot.demo.rig import Rig
from bot.serving import web_app
from tests.support.answers import expect_ok
from tests.support.cast import CHAIR, KPCSC, RUSSIA, UKRAINE
from tests.support.web import get, record_token, screen_token


async def test_only_a_chair_gets_the_screen_link_and_asking_again_gives_the_same_one(
    kasane: Rig,
) -> None:
    refused = await kasane.command("/meeting", "screen", user=RUSSIA)
    assert ":warning:" in refused.raw
    assert "Only the meeting's chairs" in refused.text
    first = await screen_token(kasane)
    assert len(first) >= 22  # at least 128 bits, URL-safe base64
    assert await screen_token(kasane) == first
    status, _, _ = await get(kasane, f"/screen/{first}")
    assert status == 200


async def test_rotating_the_screen_link_makes_the_old_one_a_plain_404_at_once(kasane: Rig) -> None:
    old = await screen_token(kasane)
    new = await screen_token(kasane, rotate=True)
    assert new != old
    status, _, body = await get(kasane, f"/screen/{old}")
    assert (status, body) == (404, "Not found")
    assert (await get(kasane, f"/screen/{new}"))[0] == 200


async def test_the_record_is_unpublished_until_a_chair_publishes_it_and_off_takes_it_down(
    kasane: Rig,
) -> None:
    screen = await screen_token(kasane)
    assert (await get(kasane, f"/record/{screen}"))[0] == 404  # a screen token is no record
    refused = await kasane.command("/meeting", "publish on", user=UKRAINE)
    assert "Only the meeting's chairs" in refused.text
    token = await record_token(kasane)
    status, _, page = await get(kasane, f"/record/{token}")
    assert status == 200
    assert "Record of KP Intersessional, Kasane" in page
    off = await expect_ok(kasane, "/meeting", "publish off", user=CHAIR)
    assert "taken down" in off
    for path in (f"/record/{token}", f"/record/{token}/record.md", f"/record/{token}/record.csv"):
        assert (await get(kasane, path))[0] == 404


async def test_publishing_again_keeps_the_link_and_rotate_replaces_it(kasane: Rig) -> None:
    token = await record_token(kasane)
    assert await record_token(kasane) == token
    rotated = await record_token(kasane, "rotate")
    assert rotated != token
    assert (await get(kasane, f"/record/{token}"))[0] == 404
    assert (await get(kasane, f"/record/{rotated}"))[0] == 200


async def test_the_record_files_name_delegations_and_never_slack_users(kasane: Rig) -> None:
    await expect_ok(kasane, "/table-motion", "Exclude the Russian Federation", user=UKRAINE)
    await expect_ok(kasane, "/object", "1 Outside the mandate", user=RUSSIA)
    await expect_ok(kasane, "/meeting", "decide 1", user=CHAIR)
    token = await record_token(kasane)
    pages = [await get(kasane, f"/record/{token}{tail}") for tail in ("", "/record.md")]
    pages.append(await get(kasane, f"/record/{token}/record.csv"))
    for status, _, body in pages:
        assert status == 200
        assert "Russian Federation" in body
        assert "Outside the mandate" in body
        for user in (CHAIR, RUSSIA, UKRAINE):
            assert user not in body
    assert "by the chair" in pages[1][2]


async def test_every_web_answer_forbids_other_origins_and_leaks_no_referrer(kasane: Rig) -> None:
    token = await screen_token(kasane)
    for path in (f"/screen/{token}", "/screen/wrong-token-0123456789abcdef", "/static/screen.js"):
        _, headers, _ = await get(kasane, path)
        policy = headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Content-Type-Options"] == "nosniff"


async def test_guessing_links_from_one_address_is_refused_after_twenty_misses(
    kasane: Rig,
) -> None:
    token = await screen_token(kasane)
    statuses = [(await get(kasane, f"/record/guess{n:020d}"))[0] for n in range(20)]
    assert set(statuses) == {404}
    status, headers, _ = await get(kasane, f"/record/guess{99:020d}")
    assert status == 429
    assert int(headers["Retry-After"]) >= 1
    assert (await get(kasane, f"/screen/{token}"))[0] == 429  # even a right token, for now


async def test_nothing_but_the_links_and_static_files_is_served(kasane: Rig) -> None:
    await screen_token(kasane)
    for path in ("/screen/", "/record", "/static/../bot/app.py", "/static/secrets.txt", "/db"):
        assert (await get(kasane, path))[0] == 404


async def next_event(stream: aiohttp.StreamReader) -> tuple[str, dict[str, Any]]:
    """The next named event on a Server-Sent Events stream (comments and retry skipped)."""
    event, data = "", ""
    while True:
        line = (await stream.readline()).decode().rstrip("\n")
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            data = line[6:]
        elif line == "" and event:
            return event, json.loads(data)


async def test_the_screen_stream_sends_the_state_then_each_change_and_gone_on_rotation(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/table-motion", "Exclude the Russian Federation", user=UKRAINE)
    await expect_ok(kasane, "/meeting", "discuss 1", user=CHAIR)
    token = await screen_token(kasane)
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{kasane.url}/screen/{token}/events") as response,
    ):
        assert response.headers["Content-Type"].startswith("text/event-stream")
        event, state = await asyncio.wait_for(next_event(response.content), 5)
        assert event == "state"
        assert "No objection stands" in state["html"]
        await expect_ok(kasane, "/object", "1 Outside the mandate", user=RUSSIA)
        event, state = await asyncio.wait_for(next_event(response.content), 5)
        assert "Blocked by <bdi>Russian Federation</bdi>" in state["html"]
        assert "Outside the mandate" in state["html"]
        await screen_token(kasane, rotate=True)
        event, _ = await asyncio.wait_for(next_event(response.content), 5)
        assert event == "gone"


@pytest.mark.parametrize("kind", ["screen", "record"])
async def test_an_observer_cannot_turn_links_on_or_over(kasane: Rig, kind: str) -> None:
    text = "screen rotate" if kind == "screen" else "publish rotate"
    reply = await kasane.command("/meeting", text, user=KPCSC)
    assert ":warning:" in reply.raw
    assert "Only the meeting's chairs" in reply.text


async def test_a_screen_served_by_another_replica_follows_changes_made_through_this_one(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/table-motion", "Exclude the Russian Federation", user=UKRAINE)
    await expect_ok(kasane, "/meeting", "discuss 1", user=CHAIR)
    token = await screen_token(kasane)
    replica = await build(kasane.settings, clock=kasane.clock)  # the same database
    runner = web.AppRunner(web_app(replica), handle_signals=False)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/screen/{token}/events"
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            _, state = await asyncio.wait_for(next_event(response.content), 5)
            assert "No objection stands" in state["html"]
            await expect_ok(kasane, "/object", "1 Outside the mandate", user=RUSSIA)
            _, state = await asyncio.wait_for(next_event(response.content), 5)
            assert "Blocked by <bdi>Russian Federation</bdi>" in state["html"]
    finally:
        await runner.cleanup()
        await replica.close()
