"""Requests must be Slack's own, and user text can never make the bot ping anyone."""

from __future__ import annotations

import time

import pytest

from bot.demo.rig import Rig
from bot.demo.signing import FORM, SignedRequest, SlackRequestFactory
from tests.support.answers import expect_ok
from tests.support.cast import CHAIR, KPCSC, RUSSIA
from tests.support.state import meeting_at

CHANNEL = "C0MEETING"


def _forged(rig: Rig) -> list[tuple[str, SignedRequest]]:
    good = rig.signer.slash_command("/meeting", "start Forged", user_id=CHAIR)
    stale = rig.signer.sign(good.body, FORM, timestamp=int(time.time()) - 301)
    future = rig.signer.sign(good.body, FORM, timestamp=int(time.time()) + 301)
    other = SlackRequestFactory("another-secret").slash_command(
        "/meeting", "start Forged", user_id=CHAIR
    )
    no_sig = {k: v for k, v in good.headers.items() if k != "X-Slack-Signature"}
    no_ts = {k: v for k, v in good.headers.items() if k != "X-Slack-Request-Timestamp"}
    empty = {**good.headers, "X-Slack-Signature": "", "X-Slack-Request-Timestamp": ""}
    ssl_check = rig.signer.sign("ssl_check=1&token=x", FORM)
    return [
        ("wrong secret", other),
        ("stale timestamp", stale),
        ("future timestamp", future),
        ("missing signature", SignedRequest(good.body, no_sig)),
        ("missing timestamp", SignedRequest(good.body, no_ts)),
        ("empty headers", SignedRequest(good.body, empty)),
        ("body altered after signing", SignedRequest(good.body + "x", good.headers)),
        ("unsigned ssl_check", SignedRequest("ssl_check=1&token=x", {"Content-Type": FORM})),
        ("ssl_check signed then altered", SignedRequest(ssl_check.body + "&", ssl_check.headers)),
    ]


@pytest.mark.parametrize("case", range(9))
async def test_a_request_without_a_valid_signature_gets_401_and_changes_nothing(
    rig: Rig, case: int
) -> None:
    name, request = _forged(rig)[case]
    reply = await rig.send(request)
    assert reply.status == 401, name
    assert await meeting_at(rig) is None
    assert rig.slack.calls == []


async def test_a_signed_ssl_check_is_answered_and_does_nothing(rig: Rig) -> None:
    reply = await rig.send(rig.signer.sign("ssl_check=1&token=x", FORM))
    assert reply.status == 200
    assert await meeting_at(rig) is None


HOSTILE = (
    "<!channel> <!here> <!everyone> <@U0VICTIM|victim> <!subteam^S1|@team>"
    " &lt;!channel&gt; @channel @here @everyone"
)


async def test_user_text_never_reaches_the_channel_as_a_mention(kasane: Rig) -> None:
    await expect_ok(kasane, "/table-motion", HOSTILE, user=KPCSC)
    await expect_ok(kasane, "/object", f"1 {HOSTILE}", user=RUSSIA)
    await expect_ok(kasane, "/meeting", "decide 1", user=CHAIR)
    posted = kasane.slack.calls_to("chat.postMessage") + kasane.slack.calls_to("chat.update")
    assert posted
    for call in posted:
        payload = str(call.params.get("text", "")) + str(call.params.get("blocks", ""))
        for token in ("<!channel>", "<!here>", "<!everyone>", "<!subteam", "<@U0VICTIM"):
            assert token not in payload
        for word in ("@channel", "@here", "@everyone"):
            assert word not in str(call.params.get("blocks", ""))


async def test_healthz_reports_the_database(rig: Rig) -> None:
    status, body = await rig.healthz()
    assert status == 200
    assert body["database"] is True
    assert body["status"] == "ok"
