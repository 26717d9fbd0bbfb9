"""Announcements reach the channel exactly once through rate limits, Slack errors, dropped
connections, retried events and outages, while commands keep being acknowledged."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.demo.rig import Rig
from tests.support.answers import expect_ok
from tests.support.cast import CHAIR, KPCSC, MALI, RUSSIA, UKRAINE
from tests.support.state import notices_owed

CHANNEL = "C0MEETING"


def cards(rig: Rig, number: int) -> list[str]:
    return [
        m.text
        for m in rig.slack.channel_messages(CHANNEL)
        if m.text.startswith(f"#{number} tabled")
    ]


async def retry_later(rig: Rig) -> None:
    """Let the outbox's backoff pass, as time would, and deliver."""
    rig.clock.advance(timedelta(minutes=10))
    await rig.settle()


async def test_a_post_answered_429_several_times_is_delivered_once_after_the_waits(
    kasane: Rig,
) -> None:
    kasane.slack.fail_next("chat.postMessage", status=429, times=3, retry_after=5)
    await expect_ok(kasane, "/table-motion", "Adopt the agenda", user=UKRAINE)
    for _ in range(3):
        assert cards(kasane, 1) == []
        kasane.clock.advance(timedelta(seconds=4))
        await kasane.settle()  # Retry-After (5 s) not over: Slack is not asked again
        kasane.clock.advance(timedelta(seconds=1))
        await kasane.settle()
    assert len(cards(kasane, 1)) == 1
    statuses = [c.status for c in kasane.slack.calls_to("chat.postMessage")][-4:]
    assert statuses == [429, 429, 429, 200]


async def test_a_429_is_a_later_attempt_time_not_a_failure_and_not_a_wait_in_the_call(
    kasane: Rig,
) -> None:
    kasane.slack.fail_next("chat.postMessage", status=429, retry_after=30)
    await expect_ok(kasane, "/table-motion", "Adopt the agenda", user=UKRAINE)
    # The pass returned at once (the rig's clock never moved): the notice waits in the outbox
    # for its later attempt time, and nothing counts it as failed.
    assert [c.status for c in kasane.slack.calls_to("chat.postMessage")][-1] == 429
    assert await notices_owed(kasane) == 1
    _, health = await kasane.healthz()
    assert health["failed_notices"] == 0
    # Until the wait is over, no other call to the workspace is made either.
    await expect_ok(kasane, "/object", "1 no", user=MALI)
    calls = len(kasane.slack.calls)
    kasane.clock.advance(timedelta(seconds=29))
    await kasane.settle()
    assert len(kasane.slack.calls) == calls
    kasane.clock.advance(timedelta(seconds=1))
    await kasane.settle()
    assert len(cards(kasane, 1)) == 1
    assert "#1 is blocked by Mali." in [m.text for m in kasane.slack.channel_messages(CHANNEL)]
    assert await notices_owed(kasane) == 0


async def test_commands_are_acknowledged_while_slack_rate_limits_the_announcer(
    kasane: Rig,
) -> None:
    kasane.plenary.announcer.start()
    kasane.slack.fail_next("chat.postMessage", status=429, times=2, retry_after=1)
    first = await kasane.send(kasane.signer.slash_command("/table-motion", "One", user_id=UKRAINE))
    second = await kasane.send(kasane.signer.slash_command("/object", "1 no", user_id=MALI))
    assert first.status == second.status == 200
    assert "Tabled as *#1*" in first.text
    assert "Recorded Mali's objection" in second.text
    for _ in range(2):  # each 429's wait passes, as time would
        await kasane.plenary.announcer.wait_idle()
        kasane.clock.advance(timedelta(seconds=1))
    await kasane.plenary.announcer.wait_idle()
    assert len(cards(kasane, 1)) == 1
    assert "#1 is blocked by Mali." in [m.text for m in kasane.slack.channel_messages(CHANNEL)]


@pytest.mark.storage_agnostic(reason="Slack's retries, waited out in real time")
async def test_server_errors_are_retried_and_the_message_appears_once(kasane: Rig) -> None:
    kasane.slack.fail_next("chat.postMessage", status=503, times=5)
    await expect_ok(kasane, "/table-motion", "Adopt the agenda", user=UKRAINE)
    assert cards(kasane, 1) == []  # the client's own retries were not enough
    await retry_later(kasane)
    assert len(cards(kasane, 1)) == 1


async def test_a_post_whose_connection_dropped_after_slack_accepted_it_is_not_posted_again(
    kasane: Rig,
) -> None:
    kasane.slack.drop_next("chat.postMessage", after_accepting=True)
    await expect_ok(kasane, "/table-motion", "Adopt the agenda", user=UKRAINE)
    assert len(cards(kasane, 1)) == 1  # Slack has it; the bot does not know yet
    await retry_later(kasane)
    assert len(cards(kasane, 1)) == 1
    assert kasane.slack.calls_to("conversations.history")
    await expect_ok(kasane, "/object", "1 Not yet", user=MALI)
    card = next(m for m in kasane.slack.channel_messages(CHANNEL) if m.text.startswith("#1 tabled"))
    assert card.edits == 1  # the found message is edited in place from then on


async def test_a_post_whose_connection_dropped_before_slack_got_it_is_posted_once(
    kasane: Rig,
) -> None:
    kasane.slack.drop_next("chat.postMessage", after_accepting=False)
    await expect_ok(kasane, "/table-motion", "Adopt the agenda", user=UKRAINE)
    assert cards(kasane, 1) == []
    await retry_later(kasane)
    assert len(cards(kasane, 1)) == 1


async def test_a_retried_event_delivery_has_no_second_effect(kasane: Rig) -> None:
    event = {"type": "app_home_opened", "user": MALI, "channel": "D0", "tab": "home"}
    first = await kasane.send(kasane.signer.event(event, event_id="Ev42"))
    await kasane.settle()
    retry = kasane.signer.event(event, event_id="Ev42")
    headers = {**retry.headers, "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    from bot.demo.signing import SignedRequest

    again = await kasane.send(SignedRequest(retry.body, headers))
    await kasane.settle()
    assert first.status == again.status == 200
    assert len(kasane.slack.calls_to("views.publish")) == 1
    other = await kasane.send(kasane.signer.event(event, event_id="Ev43"))
    await kasane.settle()
    assert other.status == 200
    assert len(kasane.slack.calls_to("views.publish")) == 2


@pytest.mark.storage_agnostic(reason="Slack's retries, waited out in real time")
async def test_while_slack_is_down_commands_work_health_says_degraded_and_nothing_is_lost(
    kasane: Rig,
) -> None:
    kasane.slack.down = True
    await expect_ok(kasane, "/table-motion", "Adopt the agenda", user=UKRAINE)
    await expect_ok(kasane, "/object", "1 Not yet", user=MALI)
    await expect_ok(kasane, "/object", "1 reservation: fine", user=RUSSIA)
    status, health = await kasane.healthz()
    assert status == 200
    # The card and the block notice wait; the reservation's edit joins the card's.
    assert health == {"status": "degraded", "database": True, "slack": False, "failed_notices": 2}
    kasane.slack.down = False
    for _ in range(3):
        await retry_later(kasane)
    assert len(cards(kasane, 1)) == 1
    assert "#1 is blocked by Mali." in [m.text for m in kasane.slack.channel_messages(CHANNEL)]
    _, health = await kasane.healthz()
    assert (health["status"], health["failed_notices"]) == ("ok", 0)


async def test_slack_refusing_auth_test_does_not_stop_commands(kasane: Rig) -> None:
    kasane.slack.fail_next("auth.test", status=200, error="invalid_auth", times=10)
    await expect_ok(kasane, "/table-motion", "Adopt the agenda", user=KPCSC)
    assert len(cards(kasane, 1)) == 1


async def test_every_request_logs_one_line_with_an_id_and_no_text_or_token(
    kasane: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await expect_ok(kasane, "/table-motion", "A very secret motion text", user=UKRAINE)
    requests = [r for r in caplog.records if r.name == "plenary.request"]
    assert len(requests) == 1
    record = requests[0].__dict__
    assert record["kind"] == "command"
    assert record["command"] == "/table-motion"
    assert record["status"] == 200
    assert len(record["request_id"]) == 12
    from bot.logs import JsonFormatter

    lines = [JsonFormatter().format(r) for r in caplog.records]
    assert all("A very secret motion text" not in line for line in lines)
    assert all("xoxb-" not in line for line in lines)
    stamped = [r for r in caplog.records if getattr(r, "request_id", None) == record["request_id"]]
    assert len(stamped) >= 1


async def test_an_unexpected_failure_answers_politely_and_logs_a_reference(
    kasane: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    await kasane.plenary.db.close()  # the database goes away under the bot
    reply = await kasane.send(kasane.signer.slash_command("/meeting", "agenda", user_id=CHAIR))
    assert reply.status == 200
    assert "Reference:" in reply.text
    assert "Traceback" not in reply.raw
    assert any(r.levelno == logging.ERROR for r in caplog.records)
    status, health = await kasane.healthz()
    assert status == 503
    assert health["database"] is False


async def test_a_home_view_slack_rate_limits_is_published_once_its_wait_is_over(
    kasane: Rig,
) -> None:
    kasane.slack.fail_next("views.publish", status=429, retry_after=10)
    opened = {"type": "app_home_opened", "user": UKRAINE, "channel": "D0", "tab": "home"}
    assert (await kasane.send(kasane.signer.event(opened, event_id="EvHOME429"))).status == 200
    await kasane.settle()
    assert [c.status for c in kasane.slack.calls_to("views.publish")] == [429]
    kasane.clock.advance(timedelta(seconds=9))
    await kasane.settle()
    assert [c.status for c in kasane.slack.calls_to("views.publish")] == [429]
    kasane.clock.advance(timedelta(seconds=1))
    await kasane.settle()
    assert [c.status for c in kasane.slack.calls_to("views.publish")] == [429, 200]


async def test_a_rate_limited_look_for_an_unconfirmed_post_waits_and_never_posts_twice(
    kasane: Rig,
) -> None:
    kasane.slack.drop_next("chat.postMessage", after_accepting=True)
    await expect_ok(kasane, "/table-motion", "Adopt the agenda", user=UKRAINE)
    assert len(cards(kasane, 1)) == 1  # Slack kept it; the answer was lost
    kasane.slack.fail_next("conversations.history", status=429, retry_after=5)
    kasane.clock.advance(timedelta(minutes=10))  # the outbox's backoff
    await kasane.settle()
    assert [c.status for c in kasane.slack.calls_to("conversations.history")] == [429]
    kasane.clock.advance(timedelta(seconds=5))
    await kasane.settle()
    assert [c.status for c in kasane.slack.calls_to("conversations.history")] == [429, 200]
    assert len(cards(kasane, 1)) == 1  # found and kept, not posted again
    assert await notices_owed(kasane) == 0


async def test_a_notice_due_while_its_workspace_waits_out_a_429_is_asked_for_again_within_a_second(
    kasane: Rig,
) -> None:
    """Not at once, again and again: the announcer's loop would spin for the whole wait."""
    await expect_ok(kasane, "/table-motion", "One", user=UKRAINE)
    kasane.slack.fail_next("chat.postMessage", status=503, times=3)
    await expect_ok(kasane, "/table-motion", "Two", user=UKRAINE)
    assert cards(kasane, 2) == []
    kasane.clock.advance(timedelta(seconds=5))  # #2's backoff is over: it is due
    kasane.slack.fail_next("chat.update", status=429, retry_after=30)
    await expect_ok(kasane, "/object", "1 no", user=MALI)  # #1's card: 429; #2 waits too
    assert cards(kasane, 2) == []
    wait = await kasane.plenary.announcer.seconds_to_next_attempt()
    assert wait is not None
    assert wait >= 1.0
    kasane.clock.advance(timedelta(seconds=30))
    await kasane.settle()
    assert len(cards(kasane, 2)) == 1
    assert "#1 is blocked by Mali." in [m.text for m in kasane.slack.channel_messages(CHANNEL)]
