"""The floor through the real app: the list of speakers, points of order, rights of reply,
the chair's moves, the list message edited in place and the speaking time kept."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from bot.commands.payloads import Action
from bot.demo.rig import Rig
from bot.domain.floor import Floor, Turn
from tests.support.answers import expect_ok
from tests.support.cast import BELARUS, CHAIR, CHANNEL, KPCSC, MALI, RUSSIA, UKRAINE
from tests.support.state import meeting_at, read, snapshot


def speakers_list(rig: Rig) -> Any:
    found = [m for m in rig.slack.channel_messages(CHANNEL) if "List of speakers" in m.text]
    assert len(found) == 1, [m.text for m in found]
    return found[0]


def list_body(rig: Rig) -> str:
    return str(speakers_list(rig).blocks)


async def floor_now(rig: Rig) -> Floor:
    meeting = await meeting_at(rig)
    assert meeting is not None
    floor = await read(rig, lambda uow: uow.floor.current(meeting.id))
    assert floor is not None
    return floor


async def waiting(rig: Rig) -> list[tuple[str, str]]:
    """The pending requests as stored: (delegation, kind), in the order they will be heard."""
    return [(r.delegation, r.kind.value) for r in (await floor_now(rig)).queue]


async def turns(rig: Rig) -> list[Turn]:
    meeting = await meeting_at(rig)
    assert meeting is not None
    return [turn for _, turn in await read(rig, lambda uow: uow.floor.history(meeting.id))]


async def refused(rig: Rig, command: str, text: str, *, user: str) -> str:
    reply = await rig.command(command, text, user=user)
    assert reply.status == 200
    assert reply.ephemeral
    assert ":warning:" in reply.raw, reply.text
    return reply.text


@pytest.fixture
async def debate(kasane: Rig) -> Rig:
    """The civil-society item tabled and put under discussion."""
    await expect_ok(kasane, "/table-motion", "Discuss Russian diamonds", user=KPCSC)
    await expect_ok(kasane, "/meeting", "discuss 1", user=CHAIR)
    return kasane


async def test_discussing_an_item_posts_one_list_of_speakers_with_its_buttons(
    debate: Rig,
) -> None:
    message = speakers_list(debate)
    assert message.text.startswith("List of speakers on #1: nobody has the floor")
    actions = [
        e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]
    ]
    assert actions == [Action.FLOOR_REQUEST, Action.FLOOR_WITHDRAW, Action.FLOOR_NEXT]


async def test_a_request_answers_with_its_place_and_edits_the_list_in_place(debate: Rig) -> None:
    first = await expect_ok(debate, "/floor", "", user=RUSSIA)
    second = await expect_ok(debate, "/floor", "", user=UKRAINE)
    assert "number 1 on the list" in first
    assert "number 2 on the list" in second
    assert speakers_list(debate).edits == 2
    assert "1. *Russian Federation*" in list_body(debate)
    assert "2. *Ukraine*" in list_body(debate)


async def test_a_duplicate_request_is_refused_with_its_place_and_the_list_is_unchanged(
    debate: Rig,
) -> None:
    await expect_ok(debate, "/floor", "", user=RUSSIA)
    await expect_ok(debate, "/floor", "", user=MALI)
    before = (await waiting(debate), list_body(debate))
    text = await refused(debate, "/floor", "", user=MALI)
    assert "already has a request for the floor on the list, at place 2" in text
    assert (await waiting(debate), list_body(debate)) == before


async def test_a_point_of_order_made_while_someone_speaks_is_heard_next(debate: Rig) -> None:
    await expect_ok(debate, "/floor", "", user=RUSSIA)
    await expect_ok(debate, "/floor", "", user=MALI)
    await expect_ok(debate, "/meeting", "floor next", user=CHAIR)
    assert "Russian Federation* has the floor" in list_body(debate)
    placed = await expect_ok(debate, "/floor", "order", user=UKRAINE)
    assert "Point of order on #1 recorded: you are number 1" in placed
    given = await expect_ok(debate, "/meeting", "floor next", user=CHAIR)
    assert "*Ukraine* has the floor." in given
    assert "Ukraine* has the floor — _point of order_" in list_body(debate)
    assert await waiting(debate) == [("Mali", "speak")]


async def test_two_points_of_order_are_heard_in_the_order_made(debate: Rig) -> None:
    await expect_ok(debate, "/floor", "", user=RUSSIA)
    await expect_ok(debate, "/floor", "order", user=MALI)
    await expect_ok(debate, "/floor", "order", user=BELARUS)
    assert await waiting(debate) == [
        ("Mali", "order"),
        ("Belarus", "order"),
        ("Russian Federation", "speak"),
    ]
    await expect_ok(debate, "/meeting", "floor next", user=CHAIR)
    assert "Mali* has the floor" in list_body(debate)
    await expect_ok(debate, "/meeting", "floor next", user=CHAIR)
    assert "Belarus* has the floor" in list_body(debate)


async def test_a_closed_list_accepts_only_points_of_order_and_replies(debate: Rig) -> None:
    await expect_ok(debate, "/meeting", "floor close", user=CHAIR)
    text = await refused(debate, "/floor", "", user=RUSSIA)
    assert "is closed" in text
    await expect_ok(debate, "/floor", "order", user=MALI)
    await expect_ok(debate, "/floor", "reply", user=UKRAINE)
    assert await waiting(debate) == [("Mali", "order"), ("Ukraine", "reply")]
    assert "The list is closed" in list_body(debate)
    await expect_ok(debate, "/meeting", "floor open", user=CHAIR)
    await expect_ok(debate, "/floor", "", user=RUSSIA)
    assert (await waiting(debate))[1] == ("Russian Federation", "speak")


async def test_a_third_reply_is_refused(debate: Rig) -> None:
    for _ in range(2):
        await expect_ok(debate, "/floor", "reply", user=UKRAINE)
        await expect_ok(debate, "/meeting", "floor next", user=CHAIR)
    text = await refused(debate, "/floor", "reply", user=UKRAINE)
    assert "its 2 rights of reply" in text
    assert await waiting(debate) == []


async def test_replies_come_after_the_ordinary_list(debate: Rig) -> None:
    await expect_ok(debate, "/floor", "reply", user=UKRAINE)
    await expect_ok(debate, "/floor", "", user=RUSSIA)
    assert await waiting(debate) == [("Russian Federation", "speak"), ("Ukraine", "reply")]
    assert "2. *Ukraine* — _right of reply_" in list_body(debate)


async def test_a_delegation_removed_while_waiting_leaves_the_list(debate: Rig) -> None:
    await expect_ok(debate, "/floor", "", user=RUSSIA)
    await expect_ok(debate, "/floor", "", user=MALI)
    await expect_ok(debate, "/meeting", "delegation remove Russian Federation", user=CHAIR)
    assert await waiting(debate) == [("Mali", "speak")]
    assert "Russian Federation" not in list_body(debate)
    await expect_ok(debate, "/meeting", "floor next", user=CHAIR)
    assert "Mali* has the floor" in list_body(debate)


@pytest.mark.parametrize(
    "verb", ["floor next", "floor give Mali", "floor close", "discuss off", "discuss 1"]
)
async def test_a_chair_only_verb_from_anyone_else_is_refused_and_changes_nothing(
    debate: Rig, verb: str
) -> None:
    await expect_ok(debate, "/floor", "", user=RUSSIA)
    before = await snapshot(debate)
    text = await refused(debate, "/meeting", verb, user=UKRAINE)
    assert "Only the meeting's chairs" in text
    assert await snapshot(debate) == before


async def test_the_next_speaker_button_is_refused_to_a_delegate(debate: Rig) -> None:
    await expect_ok(debate, "/floor", "", user=RUSSIA)
    value = next(
        e["value"]
        for b in speakers_list(debate).blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == Action.FLOOR_NEXT
    )
    await debate.send(
        debate.signer.block_action(
            user_id=MALI, action_id=Action.FLOOR_NEXT, value=value, response_key="next"
        )
    )
    await debate.send(
        debate.signer.block_action(
            user_id=UKRAINE, action_id=Action.FLOOR_REQUEST, value=value, response_key="ask"
        )
    )
    await debate.settle()
    assert "Only the meeting's chairs" in str(debate.slack.responses["next"])
    assert "number 2 on the list" in str(debate.slack.responses["ask"])
    assert await waiting(debate) == [("Russian Federation", "speak"), ("Ukraine", "speak")]


async def test_giving_the_floor_out_of_order_is_on_record_as_such(debate: Rig) -> None:
    await expect_ok(debate, "/floor", "", user=RUSSIA)
    await expect_ok(debate, "/floor", "", user=MALI)
    given = await expect_ok(debate, "/meeting", "floor give Mali", user=CHAIR)
    assert "*Mali* has the floor (out of order)." in given
    assert [t.out_of_order for t in await turns(debate)] == [True]
    assert await waiting(debate) == [("Russian Federation", "speak")]


async def test_nothing_under_discussion_refuses_a_request_with_the_reason(kasane: Rig) -> None:
    text = await refused(kasane, "/floor", "", user=RUSSIA)
    assert "Nothing is under discussion" in text


async def test_a_hundred_delegations_asking_at_once_are_each_listed_once_in_commit_order(
    rig: Rig,
) -> None:
    await expect_ok(rig, "/meeting", "start Burst", user=CHAIR)
    users = [f"U0P{i:03d}" for i in range(100)]
    for i, user in enumerate(users):
        await expect_ok(
            rig, "/meeting", f"delegation add Country {i} participant <@{user}>", user=CHAIR
        )
    await expect_ok(rig, "/table-motion", "Contested", user=users[0])
    await expect_ok(rig, "/meeting", "discuss 1", user=CHAIR)
    rig.slack.reset_calls()
    replies = await asyncio.gather(
        *(rig.send(rig.signer.slash_command("/floor", "", user_id=u)) for u in users)
    )
    await rig.settle()
    assert all("on the list" in r.text for r in replies)
    committed = [r.delegation for r in (await floor_now(rig)).queue]  # commit order
    assert len(committed) == len(set(committed)) == 100
    places = sorted((int(r.text.split("number ")[1].split(" ")[0]), r.text) for r in replies)
    assert [p for p, _ in places] == list(range(1, 101))
    body = list_body(rig)
    assert [f"{n}. *{name}*" in body for n, name in enumerate(committed, 1)] == [True] * 100
    chat = [c for c in rig.slack.calls if c.method.startswith("chat.")]
    assert 1 <= len(chat) <= 5
    assert {c.method for c in chat} == {"chat.update"}


async def test_the_speaker_is_warned_once_and_the_list_shows_time_is_up_once(
    debate: Rig,
) -> None:
    await expect_ok(debate, "/meeting", "set speaking-time 90s", user=CHAIR)
    await expect_ok(debate, "/floor", "", user=UKRAINE)
    await expect_ok(debate, "/meeting", "floor next", user=CHAIR)
    assert "Ukraine* has the floor, until <!date^" in list_body(debate)
    debate.clock.advance(timedelta(seconds=61))
    for _ in range(2):
        await debate.plenary.timekeeper.run_due()
        await debate.settle()
    warnings = debate.slack.calls_to("chat.postEphemeral")
    assert sorted(c.params["user"] for c in warnings) == sorted([UKRAINE, "U0UA2"])
    assert "30 seconds left" in warnings[0].params["text"]
    assert "Time is up" not in list_body(debate)
    debate.clock.advance(timedelta(seconds=30))
    for _ in range(2):
        await debate.plenary.timekeeper.run_due()
        await debate.settle()
    assert "Time is up" in list_body(debate)
    assert "(time is up)" in speakers_list(debate).text
    assert len(debate.slack.calls_to("chat.postEphemeral")) == 2
    up = [c for c in debate.slack.calls_to("chat.update") if "time is up" in c.params["text"]]
    assert len(up) == 1


async def test_a_warning_slack_rate_limits_before_anyone_saw_it_is_told_after_the_wait(
    debate: Rig,
) -> None:
    await expect_ok(debate, "/meeting", "set speaking-time 90s", user=CHAIR)
    await expect_ok(debate, "/floor", "", user=UKRAINE)
    await expect_ok(debate, "/meeting", "floor next", user=CHAIR)
    debate.slack.fail_next("chat.postEphemeral", status=429, retry_after=2)
    debate.clock.advance(timedelta(seconds=61))
    await debate.plenary.timekeeper.run_due()
    await debate.settle()
    assert [c.status for c in debate.slack.calls_to("chat.postEphemeral")] == [429]
    debate.clock.advance(timedelta(seconds=2))
    await debate.settle()
    told = [c for c in debate.slack.calls_to("chat.postEphemeral") if c.status == 200]
    assert sorted(c.params["user"] for c in told) == sorted([UKRAINE, "U0UA2"])
    assert all("30 seconds left" in c.params["text"] for c in told)


async def test_a_turn_ended_before_its_time_gets_no_warning(debate: Rig) -> None:
    await expect_ok(debate, "/meeting", "set speaking-time 2m", user=CHAIR)
    await expect_ok(debate, "/floor", "", user=UKRAINE)
    await expect_ok(debate, "/meeting", "floor next", user=CHAIR)
    await expect_ok(debate, "/meeting", "floor next", user=CHAIR)
    debate.clock.advance(timedelta(minutes=5))
    await debate.plenary.timekeeper.run_due()
    await debate.settle()
    assert debate.slack.calls_to("chat.postEphemeral") == []
    assert "Time is up" not in list_body(debate)


async def test_ending_the_debate_closes_the_list_message(debate: Rig) -> None:
    await expect_ok(debate, "/floor", "", user=UKRAINE)
    await expect_ok(debate, "/meeting", "discuss off", user=CHAIR)
    ended = [m for m in debate.slack.channel_messages(CHANNEL) if "has ended" in m.text]
    assert [m.text for m in ended] == ["The debate on #1 has ended."]
    text = await refused(debate, "/floor", "", user=RUSSIA)
    assert "Nothing is under discussion" in text


async def test_floor_list_shows_the_list_and_your_place_only_to_you(debate: Rig) -> None:
    await expect_ok(debate, "/floor", "", user=RUSSIA)
    await expect_ok(debate, "/floor", "", user=MALI)
    reply = await debate.command("/floor", "list", user=MALI)
    assert reply.ephemeral
    assert "number 2 on the list" in str(reply.json["blocks"])


async def test_the_home_tab_shows_the_list_and_your_delegations_place(debate: Rig) -> None:
    await debate.send(
        debate.signer.event(
            {"type": "app_home_opened", "user": MALI, "channel": "D0", "tab": "home"}
        )
    )
    await debate.settle()
    await expect_ok(debate, "/floor", "", user=RUSSIA)
    await expect_ok(debate, "/floor", "", user=MALI)
    home = str(debate.slack.views_published[MALI])
    assert "Under discussion:* #1 Discuss Russian diamonds" in home
    assert "1. Russian Federation, 2. Mali" in home
    assert "Your delegation is number 2 on the list." in home


async def test_the_record_lists_who_had_the_floor_when_how_long_and_out_of_order(
    debate: Rig,
) -> None:
    await expect_ok(debate, "/floor", "", user=RUSSIA)
    await expect_ok(debate, "/meeting", "floor next", user=CHAIR)
    debate.clock.advance(timedelta(seconds=95))
    await expect_ok(debate, "/meeting", "floor give Mali", user=CHAIR)
    debate.clock.advance(timedelta(minutes=2))
    await expect_ok(debate, "/meeting", "discuss off", user=CHAIR)
    await expect_ok(debate, "/meeting", "record", user=CHAIR)
    uploads = {u["filename"].rsplit(".", 1)[1]: u for u in debate.slack.uploads}
    markdown = uploads["md"]["content"].decode()
    assert "Speakers:" in markdown
    assert "Russian Federation had the floor for 1m 35s" in markdown
    assert "Mali had the floor for 2m (given out of order)" in markdown
    table = uploads["csv"]["content"].decode()
    assert "had the floor (given out of order),Mali,2m" in table


async def test_the_digest_counts_the_speakers_on_each_item(debate: Rig) -> None:
    for user in (RUSSIA, MALI, UKRAINE):
        await expect_ok(debate, "/floor", "", user=user)
        await expect_ok(debate, "/meeting", "floor next", user=CHAIR)
    digest = await debate.command("/meeting", "digest", user=CHAIR)
    assert "*#1* 3 speakers" in str(digest.json["blocks"])
