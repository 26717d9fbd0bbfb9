"""The fake Slack Web API behaves like Slack for a real slack_sdk client over loopback."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from urllib.parse import parse_qs

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.demo.fake_slack.server import FakeSlack
from bot.demo.signing import SlackRequestFactory, post

CHANNEL = "C0MEETING"
SECRET = "demo-signing-secret"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
def client(fake: FakeSlack) -> AsyncWebClient:
    """A client that never retries, so every fault is visible to the test."""
    return AsyncWebClient(token=fake.bot_token, base_url=fake.api_url, retry_handlers=[])


def section(text: str) -> dict[str, object]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


async def test_update_replaces_the_posted_message_and_counts_the_edit(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    posted = await client.chat_postMessage(
        channel=CHANNEL, text="Motion 1", blocks=[section("*Motion 1*: adopt the agenda")]
    )
    await client.chat_update(
        channel=CHANNEL, ts=posted["ts"], text="Motion 1 carried", blocks=[section("Carried")]
    )

    [message] = fake.channel_messages(CHANNEL)
    assert message.ts == posted["ts"] == "1700000000.000100"
    assert message.text == "Motion 1 carried"
    assert message.blocks == [section("Carried")]
    assert message.edits == 1


async def test_an_update_that_changes_nothing_is_not_counted_as_an_edit(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    posted = await client.chat_postMessage(channel=CHANNEL, text="Quorum reached")
    await client.chat_update(channel=CHANNEL, ts=posted["ts"], text="Quorum reached")

    assert fake.channel_messages(CHANNEL)[0].edits == 0
    assert len(fake.calls_to("chat.update")) == 1


async def test_timestamps_are_unique_and_increasing(client: AsyncWebClient) -> None:
    stamps = [
        (await client.chat_postMessage(channel=CHANNEL, text=f"m{i}"))["ts"] for i in range(3)
    ]

    assert stamps == sorted(stamps, key=float)
    assert len(set(stamps)) == 3


async def test_updating_an_unknown_message_fails_with_message_not_found(
    client: AsyncWebClient,
) -> None:
    with pytest.raises(SlackApiError) as raised:
        await client.chat_update(channel=CHANNEL, ts="1600000000.000100", text="x")

    assert raised.value.response["error"] == "message_not_found"


async def test_more_than_fifty_blocks_are_rejected_as_invalid_blocks(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(
            channel=CHANNEL, text="too long", blocks=[section(f"row {i}") for i in range(51)]
        )

    assert raised.value.response["error"] == "invalid_blocks"
    assert fake.channel_messages(CHANNEL) == []


async def test_section_text_over_3000_characters_is_rejected_as_invalid_blocks(
    client: AsyncWebClient,
) -> None:
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel=CHANNEL, text="long", blocks=[section("x" * 3001)])

    assert raised.value.response["error"] == "invalid_blocks"


async def test_a_rate_limited_post_is_retried_after_retry_after_and_delivered_once(
    fake: FakeSlack,
) -> None:
    fake.fail_next("chat.postMessage", status=429, retry_after=0)
    patient = AsyncWebClient(
        token=fake.bot_token,
        base_url=fake.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=3)],
    )

    await patient.chat_postMessage(channel=CHANNEL, text="Objection noted")

    assert [call.status for call in fake.calls_to("chat.postMessage")] == [429, 200]
    assert fake.calls_to("chat.postMessage")[0].response == {"ok": False, "error": "ratelimited"}
    assert [m.text for m in fake.channel_messages(CHANNEL)] == ["Objection noted"]


async def test_a_rate_limited_answer_carries_the_retry_after_header(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    fake.fail_next("*", status=429, retry_after=7)

    with pytest.raises(SlackApiError) as raised:
        await client.auth_test()

    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "7"


async def test_a_failure_with_status_200_answers_ok_false_with_the_given_error(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    fake.fail_next("chat.postMessage", status=200, error="fatal_error", times=2)

    for _ in range(2):
        with pytest.raises(SlackApiError) as raised:
            await client.chat_postMessage(channel=CHANNEL, text="x")
        assert raised.value.response["error"] == "fatal_error"
    await client.chat_postMessage(channel=CHANNEL, text="x")

    assert len(fake.channel_messages(CHANNEL)) == 1


async def test_a_drop_after_accepting_stores_the_message_though_the_client_sees_an_error(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    fake.drop_next("chat.postMessage", after_accepting=True)

    with pytest.raises(aiohttp.ServerDisconnectedError):
        await client.chat_postMessage(channel=CHANNEL, text="Decision recorded")

    assert [m.text for m in fake.channel_messages(CHANNEL)] == ["Decision recorded"]
    assert fake.calls_to("chat.postMessage")[0].status == 0


async def test_a_naive_retry_after_an_accepted_drop_posts_the_message_twice(
    fake: FakeSlack,
) -> None:
    naive = AsyncWebClient(
        token=fake.bot_token,
        base_url=fake.api_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(
                interval_calculator=FixedValueRetryIntervalCalculator(fixed_internal=0)
            )
        ],
    )
    fake.drop_next("chat.postMessage", after_accepting=True)

    await naive.chat_postMessage(channel=CHANNEL, text="Decision recorded")

    assert [m.text for m in fake.channel_messages(CHANNEL)] == ["Decision recorded"] * 2


async def test_a_drop_before_accepting_stores_nothing(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    fake.drop_next("chat.postMessage")

    with pytest.raises(aiohttp.ServerDisconnectedError):
        await client.chat_postMessage(channel=CHANNEL, text="lost")

    assert fake.channel_messages(CHANNEL) == []


async def test_a_misanswered_post_is_stored_though_its_answer_cannot_be_read(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    fake.misanswer_next("chat.postMessage", "<html>502 Bad Gateway</html>")
    with pytest.raises(SlackApiError, match="502 Bad Gateway"):
        await client.chat_postMessage(channel=CHANNEL, text="Motion 1")
    assert [m.text for m in fake.channel_messages(CHANNEL)] == ["Motion 1"]
    await client.chat_postMessage(channel=CHANNEL, text="Motion 2")  # only the next call
    assert len(fake.channel_messages(CHANNEL)) == 2


async def test_an_upload_completed_with_an_answer_lacking_files_is_shared_all_the_same(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    fake.misanswer_next("files.completeUploadExternal", {"ok": True})
    with pytest.raises(TypeError):  # slack_sdk reads the documented ``files`` list
        await client.files_upload_v2(channel=CHANNEL, content="a,b\n", filename="t.csv")
    assert [u["content"] for u in fake.uploads] == [b"a,b\n"]


async def test_a_rate_limit_answers_429_once_the_second_is_full_and_frees_up_a_second_later(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    now = [100.0]
    fake.limit_rate(["chat.postMessage", "chat.update"], 2, clock=lambda: now[0])

    posted = await client.chat_postMessage(channel=CHANNEL, text="Motion 1")
    await client.chat_update(channel=CHANNEL, ts=posted["ts"], text="Motion 1 carried")
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel=CHANNEL, text="Motion 2")
    await client.auth_test()  # methods outside the limit are answered as usual
    now[0] += 1.0
    await client.chat_postMessage(channel=CHANNEL, text="Motion 2")

    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "1"
    assert fake.rate_limited == 1
    assert [m.text for m in fake.channel_messages(CHANNEL)] == ["Motion 1 carried", "Motion 2"]


async def test_an_observer_sees_every_call_with_its_answer_as_it_is_recorded(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    seen: list[tuple[str, int, bool]] = []
    fake.observe(lambda call: seen.append((call.method, call.status, call.response["ok"])))
    fake.fail_next("chat.postMessage", status=500)

    with pytest.raises(SlackApiError):
        await client.chat_postMessage(channel=CHANNEL, text="x")
    await client.chat_postMessage(channel=CHANNEL, text="x")

    assert seen == [("chat.postMessage", 500, False), ("chat.postMessage", 200, True)]
    assert seen == [(c.method, c.status, c.response["ok"]) for c in fake.calls]


async def test_every_call_gets_503_while_slack_is_down(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    fake.down = True

    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel=CHANNEL, text="x")

    assert raised.value.response.status_code == 503
    assert fake.channel_messages(CHANNEL) == []


async def test_a_wrong_token_is_answered_with_invalid_auth(fake: FakeSlack) -> None:
    stranger = AsyncWebClient(token="xoxb-wrong", base_url=fake.api_url, retry_handlers=[])

    with pytest.raises(SlackApiError) as raised:
        await stranger.chat_postMessage(channel=CHANNEL, text="x")

    assert raised.value.response["error"] == "invalid_auth"


async def test_an_unknown_method_is_answered_with_unknown_method(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        await client.api_call("meetings.adjourn")

    assert raised.value.response["error"] == "unknown_method"


async def test_ephemerals_are_kept_apart_from_channel_messages(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    answer = await client.chat_postEphemeral(channel=CHANNEL, user="U0ALICE", text="Only you")

    [ephemeral] = fake.ephemerals(CHANNEL, "U0ALICE")
    assert ephemeral.ts == answer["message_ts"]
    assert fake.ephemerals(CHANNEL, "U0BOB") == []
    assert fake.channel_messages(CHANNEL) == []


async def test_history_lists_newest_first_with_metadata_on_request(
    client: AsyncWebClient,
) -> None:
    metadata = {"event_type": "motion_opened", "event_payload": {"motion": 1}}
    await client.chat_postMessage(channel=CHANNEL, text="first", metadata=metadata)
    await client.chat_postMessage(channel=CHANNEL, text="second")

    history = await client.conversations_history(channel=CHANNEL, include_all_metadata=True)

    assert [m["text"] for m in history["messages"]] == ["second", "first"]
    assert history["messages"][1]["metadata"] == metadata
    assert history["has_more"] is False


async def test_users_info_reports_registered_and_default_users(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    fake.add_user("U0ALICE", "Alice", tz="UTC")

    alice = await client.users_info(user="U0ALICE")
    unknown = await client.users_info(user="U0NOBODY")

    assert alice["user"]["real_name"] == "Alice"
    assert unknown["user"]["real_name"] == "U0NOBODY"
    assert unknown["user"]["tz"] == "UTC"
    assert unknown["user"]["tz_offset"] == 0


async def test_views_open_requires_a_trigger_id_and_records_the_view(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    view = {"type": "modal", "callback_id": "motion", "title": {"type": "plain_text", "text": "M"}}

    opened = await client.views_open(trigger_id="1.2.3", view=view)
    with pytest.raises(SlackApiError) as raised:
        await client.views_open(trigger_id="", view=view)

    assert opened["view"]["callback_id"] == "motion"
    assert raised.value.response["error"] == "invalid_trigger_id"
    assert fake.views_opened == [view]


async def test_views_publish_records_the_home_tab_per_user(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    await client.views_publish(user_id="U0ALICE", view={"type": "home", "blocks": []})

    assert fake.views_published["U0ALICE"]["type"] == "home"


async def test_the_external_upload_flow_records_the_uploaded_bytes(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    await client.files_upload_v2(
        channel=CHANNEL,
        filename="minutes.md",
        content="# Minutes\nMotion 1 carried.",
        title="Minutes",
        initial_comment="The minutes",
    )

    assert fake.uploads == [
        {
            "filename": "minutes.md",
            "title": "Minutes",
            "content": b"# Minutes\nMotion 1 carried.",
            "channel_id": CHANNEL,
            "initial_comment": "The minutes",
        }
    ]


async def test_form_encoded_blocks_are_decoded_like_json_ones(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    blocks = [section("Agenda")]

    await client.api_call(
        "chat.postMessage",
        data={"channel": CHANNEL, "text": "Agenda", "blocks": json.dumps(blocks)},
    )

    assert fake.calls_to("chat.postMessage")[0].params["blocks"] == blocks
    assert fake.channel_messages(CHANNEL)[0].blocks == blocks


async def test_the_upload_url_accepts_a_multipart_filename_field(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    ticket = await client.files_getUploadURLExternal(filename="votes.csv", length=7)
    form = aiohttp.FormData()
    form.add_field("filename", b"yes,no\n", filename="votes.csv")

    async with (
        aiohttp.ClientSession() as session,
        session.post(ticket["upload_url"], data=form) as answer,
    ):
        assert (answer.status, await answer.text()) == (200, "OK - 7")
    await client.files_completeUploadExternal(files=[{"id": ticket["file_id"], "title": "Votes"}])

    assert fake.uploads[0]["content"] == b"yes,no\n"
    assert fake.uploads[0]["title"] == "Votes"


async def test_a_signed_slash_command_verifies_and_is_form_encoded_like_slack(
    fake: FakeSlack,
) -> None:
    factory = SlackRequestFactory(SECRET, response_url_for=fake.response_url)

    request = factory.slash_command("/motion", "Adopt the agenda", user_id="U0ALICE")

    assert SignatureVerifier(SECRET).is_valid(
        body=request.body,
        timestamp=request.headers["X-Slack-Request-Timestamp"],
        signature=request.headers["X-Slack-Signature"],
    )
    fields = parse_qs(request.body)
    assert fields["command"] == ["/motion"]
    assert fields["text"] == ["Adopt the agenda"]
    assert fields["response_url"] == [fake.response_url("default")]


async def test_a_request_signed_with_another_secret_does_not_verify() -> None:
    request = SlackRequestFactory("other-secret").event({"type": "app_home_opened"})

    assert not SignatureVerifier(SECRET).is_valid(
        body=request.body,
        timestamp=request.headers["X-Slack-Request-Timestamp"],
        signature=request.headers["X-Slack-Signature"],
    )


async def test_json_posted_to_a_response_url_is_recorded_under_its_key(fake: FakeSlack) -> None:
    factory = SlackRequestFactory(SECRET)
    request = factory.event({"type": "app_home_opened", "user": "U0ALICE"})

    async with aiohttp.ClientSession() as session:
        status, text = await post(session, fake.response_url("motion 1"), request)

    assert (status, text) == (200, "ok")
    [recorded] = fake.responses["motion 1"]
    assert recorded["event"] == {"type": "app_home_opened", "user": "U0ALICE"}
