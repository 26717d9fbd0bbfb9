"""Installed in any workspace: each workspace installs through the OAuth flow, runs its own
meetings with its own token, and, once it uninstalls, is sent nothing more and has its data
purged after the retention period; the other workspaces are untouched throughout."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.demo.rig import Rig
from tests.support.backends import sqlite_file
from tests.support.cast import START

ALPHA, BETA = "T0ALPHA", "T0BETA"
ALPHA_ROOM, BETA_ROOM = "C0ALPHA", "C0BETA"
ALPHA_CHAIR, BETA_CHAIR = "U0ACHAIR", "U0BCHAIR"
RETENTION = timedelta(days=30)


@pytest.fixture
async def hub(database_url: str) -> AsyncIterator[Rig]:
    """Plenary in multi-workspace mode, installed in no workspace yet."""
    async with Rig(database_url, START, multi_workspace=True, retention=RETENTION) as running:
        running.slack.channel_of(ALPHA_ROOM, ALPHA)
        running.slack.channel_of(BETA_ROOM, BETA)
        yield running


async def installed(rig: Rig) -> int:
    return await rig.plenary.store.query(lambda uow: uow.workspaces.count_installations())


async def run_meeting(rig: Rig, team: str, channel: str, chair: str, motion: str) -> None:
    """The chair starts a meeting, registers a delegation of one and tables a motion."""
    for text in (f"start {team} meeting", f"delegation add Mali participant <@{chair}|c>"):
        reply = await rig.command("/meeting", text, user=chair, channel=channel, team=team)
        assert reply.status == 200
        assert ":warning:" not in reply.raw, reply.text
    reply = await rig.command("/table-motion", motion, user=chair, channel=channel, team=team)
    assert ":warning:" not in reply.raw, reply.text


async def test_two_workspaces_install_and_each_meeting_is_posted_with_its_own_token(
    hub: Rig,
) -> None:
    assert (await hub.install(ALPHA)).status == 200
    assert (await hub.install(BETA)).status == 200
    assert await installed(hub) == 2

    await run_meeting(hub, ALPHA, ALPHA_ROOM, ALPHA_CHAIR, "Alpha's own motion")
    await run_meeting(hub, BETA, BETA_ROOM, BETA_CHAIR, "Beta's own motion")

    posts = hub.slack.calls_to("chat.postMessage") + hub.slack.calls_to("chat.update")
    assert posts
    for call in posts:
        assert call.response.get("ok"), call
        room = call.params["channel"]
        assert call.team_id == (ALPHA if room == ALPHA_ROOM else BETA)
    alpha_text = " ".join(m.text for m in hub.slack.channel_messages(ALPHA_ROOM))
    beta_text = " ".join(m.text for m in hub.slack.channel_messages(BETA_ROOM))
    assert "Alpha's own motion" in alpha_text
    assert "Beta's own motion" not in alpha_text
    assert "Beta's own motion" in beta_text
    assert "Alpha's own motion" not in beta_text

    # The record's files and the Home tab go out with the workspace's own token too.
    hub.slack.reset_calls()
    await hub.command("/meeting", "record", user=BETA_CHAIR, channel=BETA_ROOM, team=BETA)
    home = {"type": "app_home_opened", "user": ALPHA_CHAIR, "channel": "D0", "tab": "home"}
    await hub.send(hub.signer.event(home, event_id="EvHOME", team_id=ALPHA))
    await hub.settle()
    uploads = hub.slack.calls_to("files.completeUploadExternal")
    assert [(c.team_id, c.response["ok"]) for c in uploads] == [(BETA, True)]
    assert [u["channel_id"] for u in hub.slack.uploads] == [BETA_ROOM, BETA_ROOM]
    published = hub.slack.calls_to("views.publish")
    assert [(c.team_id, c.params["user_id"]) for c in published] == [(ALPHA, ALPHA_CHAIR)]
    assert "Beta's own motion" not in str(published[0].params["view"])

    # A workspace sees only its own meetings, even naming the other's channel.
    agenda = await hub.command("/meeting", "agenda", user=BETA_CHAIR, channel=ALPHA_ROOM, team=BETA)
    assert "Alpha's own motion" not in agenda.raw


@pytest.mark.sqlite_only(reason="reads the SQLite file and its write-ahead log byte by byte")
async def test_tokens_are_stored_encrypted_never_in_the_clear(hub: Rig) -> None:
    await hub.install(ALPHA)
    (token,) = hub.slack.tokens_of(ALPHA)
    # The database file and its write-ahead log, where a fresh install's row still is.
    database = sqlite_file(hub)
    stored = b"".join(p.read_bytes() for p in database.parent.glob(f"{database.name}*"))
    assert token.encode() not in stored
    with sqlite3.connect(database) as raw:
        (sealed,) = raw.execute("SELECT sealed_bot_token FROM installations").fetchone()
    assert token not in sealed
    assert hub.slack.calls_to("chat.postMessage") == []
    reply = await hub.command(
        "/meeting", "start Sealed", user=ALPHA_CHAIR, channel=ALPHA_ROOM, team=ALPHA
    )
    assert reply.status == 200
    (post,) = hub.slack.calls_to("chat.postMessage")
    assert post.team_id == ALPHA  # the sealed token, opened, is the one Slack issued


async def test_a_forged_or_replayed_state_is_refused_and_nothing_more_is_stored(hub: Rig) -> None:
    state, cookie = await hub.begin_install()
    forged = await hub.finish_install("forged-state", cookie, hub.slack.consent(ALPHA))
    assert forged.status in (400, 401)
    assert await installed(hub) == 0

    first = await hub.finish_install(state, cookie, hub.slack.consent(ALPHA))
    assert first.status == 200
    assert "Thank you!" in first.raw
    assert await installed(hub) == 1

    replayed = await hub.finish_install(state, cookie, hub.slack.consent(BETA))
    assert replayed.status == 401
    assert await installed(hub) == 1
    assert hub.slack.tokens_of(BETA) == set()  # the code was never even exchanged


async def test_an_unknown_code_or_a_denied_install_is_refused_and_nothing_is_stored(
    hub: Rig,
) -> None:
    state, cookie = await hub.begin_install()
    unknown = await hub.finish_install(state, cookie, "code-nobody-issued")
    assert unknown.status == 401
    used = hub.slack.consent(ALPHA)
    state, cookie = await hub.begin_install()
    assert (await hub.finish_install(state, cookie, used)).status == 200
    state, cookie = await hub.begin_install()
    assert (await hub.finish_install(state, cookie, used)).status == 401  # a code works once

    state, cookie = await hub.begin_install()
    denied = await hub.get(
        f"/slack/oauth_redirect?error=access_denied&state={state}", {"Cookie": cookie}
    )
    assert "Something Went Wrong" in denied.raw
    assert "access_denied" in denied.raw
    assert await installed(hub) == 1  # the one good install, nothing from the others


async def test_two_hundred_commands_make_no_auth_test_call(hub: Rig) -> None:
    await hub.install(ALPHA)
    await run_meeting(hub, ALPHA, ALPHA_ROOM, ALPHA_CHAIR, "A motion")
    hub.slack.reset_calls()
    for _ in range(200):
        reply = await hub.send(
            hub.signer.slash_command(
                "/meeting", "agenda", user_id=ALPHA_CHAIR, channel_id=ALPHA_ROOM, team_id=ALPHA
            )
        )
        assert reply.status == 200
        assert "A motion" in reply.raw
    assert hub.slack.calls_to("auth.test") == []


async def test_a_command_from_a_workspace_that_never_installed_is_not_served(hub: Rig) -> None:
    await hub.install(ALPHA)
    reply = await hub.command("/meeting", "start Stray", user="U0X", channel="C0X", team="T0NONE")
    assert reply.status == 200
    told = [r["text"] for answers in hub.slack.responses.values() for r in answers]
    assert any("Plenary is not installed in this workspace" in text for text in told)
    assert await hub.plenary.store.query(lambda uow: uow.meetings.find("T0NONE", "C0X")) is None
    assert hub.slack.calls_to("chat.postMessage") == []


async def test_an_uninstall_stops_all_calls_at_once_and_purges_the_data_after_retention(
    hub: Rig,
) -> None:
    await hub.install(ALPHA)
    await hub.install(BETA)
    await run_meeting(hub, ALPHA, ALPHA_ROOM, ALPHA_CHAIR, "Alpha's motion")
    await run_meeting(hub, BETA, BETA_ROOM, BETA_CHAIR, "Beta's motion")
    # Alpha's chair tables one more motion; its card is still owed when Alpha uninstalls.
    await hub.send(
        hub.signer.slash_command(
            "/table-motion", "Owed", user_id=ALPHA_CHAIR, channel_id=ALPHA_ROOM, team_id=ALPHA
        )
    )
    hub.slack.reset_calls()

    uninstalled = await hub.send(
        hub.signer.event({"type": "app_uninstalled"}, event_id="EvGONE", team_id=ALPHA)
    )
    assert uninstalled.status == 200
    hub.slack.revoke(ALPHA)
    assert await hub.plenary.store.query(lambda uow: uow.workspaces.installation(ALPHA)) is None

    await hub.settle()
    await run_meeting(hub, BETA, "C0BETA2", BETA_CHAIR, "Beta carries on")
    assert [c for c in hub.slack.calls if c.team_id == ALPHA] == []
    assert "Owed" not in " ".join(m.text for m in hub.slack.channel_messages(ALPHA_ROOM))
    failed = await hub.plenary.announcer.failures(10)
    assert failed
    assert {n.team_id for n in failed} == {ALPHA}
    assert all("uninstalled" in (n.last_error or "") for n in failed)
    assert "Beta carries on" in " ".join(m.text for m in hub.slack.channel_messages("C0BETA2"))

    async def meeting_in(team: str, channel: str) -> bool:
        found = await hub.plenary.store.query(lambda uow: uow.meetings.find(team, channel))
        return found is not None

    hub.clock.advance(RETENTION - timedelta(minutes=1))
    assert (await hub.plenary.timekeeper.run_due()).purged == []
    assert await meeting_in(ALPHA, ALPHA_ROOM)

    hub.clock.advance(timedelta(minutes=1))
    assert (await hub.plenary.timekeeper.run_due()).purged == [ALPHA]
    assert not await meeting_in(ALPHA, ALPHA_ROOM)
    assert await meeting_in(BETA, BETA_ROOM)
    beta = await hub.plenary.store.query(lambda uow: uow.meetings.find(BETA, BETA_ROOM))
    assert beta is not None
    beta_items = await hub.plenary.store.query(lambda uow: uow.items.all(beta.id))
    assert [i.text for i in beta_items] == ["Beta's motion"]

    await hub.restart()
    hub.clock.advance(timedelta(days=1))
    assert (await hub.plenary.timekeeper.run_due()).purged == []  # done once, across restarts


async def test_a_revoked_bot_token_counts_as_an_uninstall_and_a_revoked_user_token_does_not(
    hub: Rig,
) -> None:
    await hub.install(ALPHA)
    await hub.install(BETA)
    users_only = {"type": "tokens_revoked", "tokens": {"oauth": ["U0SOMEONE"]}}
    await hub.send(hub.signer.event(users_only, event_id="EvUSERS", team_id=ALPHA))
    assert await installed(hub) == 2
    bot = {"type": "tokens_revoked", "tokens": {"bot": ["UPLENARYBOT"]}}
    await hub.send(hub.signer.event(bot, event_id="EvBOT", team_id=ALPHA))
    assert await installed(hub) == 1
    assert await hub.plenary.store.query(lambda uow: uow.workspaces.installation(BETA))
    planned = await hub.plenary.store.query(lambda uow: uow.workspaces.planned_purges())
    assert planned == [(ALPHA, START + RETENTION)]


async def test_a_reinstall_within_the_retention_period_keeps_the_workspaces_meetings(
    hub: Rig,
) -> None:
    await hub.install(ALPHA)
    await run_meeting(hub, ALPHA, ALPHA_ROOM, ALPHA_CHAIR, "Kept")
    await hub.send(hub.signer.event({"type": "app_uninstalled"}, event_id="Ev1", team_id=ALPHA))
    hub.slack.revoke(ALPHA)
    hub.clock.advance(timedelta(days=3))
    assert (await hub.install(ALPHA)).status == 200
    hub.clock.advance(RETENTION)
    assert (await hub.plenary.timekeeper.run_due()).purged == []
    agenda = await hub.command(
        "/meeting", "agenda", user=ALPHA_CHAIR, channel=ALPHA_ROOM, team=ALPHA
    )
    assert "Kept" in agenda.raw


async def test_an_org_wide_install_serves_each_workspace_of_its_grid_org(hub: Rig) -> None:
    grid_room = "C0GRID"
    hub.slack.channel_of(grid_room, "T0GRID1")
    state, cookie = await hub.begin_install()
    code = hub.slack.consent("T0GRID1", enterprise_id="E0ORG", org_wide=True)
    assert (await hub.finish_install(state, cookie, code)).status == 200
    org = await hub.plenary.store.query(lambda uow: uow.workspaces.installation("E0ORG"))
    assert org is not None
    assert org.is_enterprise_install

    reply = await hub.send(
        hub.signer.slash_command(
            "/meeting",
            "start Grid meeting",
            user_id="U0GRID",
            channel_id=grid_room,
            team_id="T0GRID1",
            enterprise_id="E0ORG",
        )
    )
    assert reply.status == 200
    assert ":warning:" not in reply.raw
    await hub.settle()
    (post,) = hub.slack.calls_to("chat.postMessage")
    assert post.response["ok"]
    assert post.params["channel"] == grid_room

    gone = hub.signer.event(
        {"type": "app_uninstalled"}, event_id="EvORG", team_id="T0GRID1", enterprise_id="E0ORG"
    )
    assert (await hub.send(gone)).status == 200
    assert await installed(hub) == 0
    planned = await hub.plenary.store.query(lambda uow: uow.workspaces.planned_purges())
    assert planned == [("T0GRID1", START + RETENTION)]


async def test_a_rotating_token_is_refreshed_once_by_requests_that_need_it_together(
    hub: Rig,
) -> None:
    state, cookie = await hub.begin_install()
    code = hub.slack.consent(ALPHA, rotating=True)
    assert (await hub.finish_install(state, cookie, code)).status == 200
    await run_meeting(hub, ALPHA, ALPHA_ROOM, ALPHA_CHAIR, "Before the refresh")
    assert hub.slack.refreshed == []

    hub.clock.advance(timedelta(hours=11))  # an hour before the 12-hour token expires
    hub.slack.reset_calls()
    agendas = [
        hub.signer.slash_command(
            "/meeting", "agenda", user_id=ALPHA_CHAIR, channel_id=ALPHA_ROOM, team_id=ALPHA
        )
        for _ in range(20)
    ]
    replies = await asyncio.gather(*(hub.send(request) for request in agendas))
    assert all("Before the refresh" in reply.raw for reply in replies)
    refreshes = [
        c
        for c in hub.slack.calls_to("oauth.v2.access")
        if c.params["grant_type"] == "refresh_token"
    ]
    assert len(refreshes) == 1
    (new_token,) = hub.slack.refreshed

    # The old token no longer works; announcements go out with the new one.
    await run_meeting(hub, ALPHA, "C0ALPHA2", ALPHA_CHAIR, "After the refresh")
    (post,) = [
        c for c in hub.slack.calls_to("chat.postMessage") if c.params["channel"] == "C0ALPHA2"
    ][:1]
    assert post.response["ok"]
    assert hub.slack.tokens_of(ALPHA) == {new_token}
    assert len(hub.slack.refreshed) == 1


async def test_a_refused_refresh_leaves_the_token_in_use_until_it_expires(hub: Rig) -> None:
    state, cookie = await hub.begin_install()
    assert (
        await hub.finish_install(state, cookie, hub.slack.consent(ALPHA, rotating=True))
    ).status == 200
    hub.slack.refuse_refreshes()
    hub.clock.advance(timedelta(hours=11))
    await run_meeting(hub, ALPHA, ALPHA_ROOM, ALPHA_CHAIR, "Still served")
    assert hub.slack.refreshed == []
    refused = [c for c in hub.slack.calls_to("oauth.v2.access") if "grant_type" in c.params]
    assert refused
    assert all(c.response["error"] == "invalid_refresh_token" for c in refused)
    assert all(c.response["ok"] for c in hub.slack.calls_to("chat.postMessage"))
    assert "Still served" in " ".join(m.text for m in hub.slack.channel_messages(ALPHA_ROOM))


async def test_a_rate_limited_workspace_waits_alone_and_another_workspaces_notices_go_out(
    hub: Rig,
) -> None:
    for team in (ALPHA, BETA):
        assert (await hub.install(team)).status == 200
    await run_meeting(hub, ALPHA, ALPHA_ROOM, ALPHA_CHAIR, "Alpha's first motion")
    await run_meeting(hub, BETA, BETA_ROOM, BETA_CHAIR, "Beta's first motion")
    hub.slack.reset_calls()
    hub.slack.fail_next("chat.postMessage", status=429, retry_after=60)
    for team, room, chair in ((ALPHA, ALPHA_ROOM, ALPHA_CHAIR), (BETA, BETA_ROOM, BETA_CHAIR)):
        request = hub.signer.slash_command(
            "/table-motion", f"{team}'s second motion", user_id=chair, channel_id=room, team_id=team
        )
        assert (await hub.send(request)).status == 200
    await hub.settle()  # one delivery: Alpha's post is answered 429, Beta's goes out

    posts = [(c.params.get("channel"), c.status) for c in hub.slack.calls_to("chat.postMessage")]
    assert posts == [(ALPHA_ROOM, 429), (BETA_ROOM, 200)]
    assert f"{BETA}'s second motion" in " ".join(
        m.text for m in hub.slack.channel_messages(BETA_ROOM)
    )
    hub.clock.advance(timedelta(seconds=60))
    await hub.settle()
    alpha = [m.text for m in hub.slack.channel_messages(ALPHA_ROOM)]
    assert sum(f"{ALPHA}'s second motion" in text for text in alpha) == 1
