"""Meetings sharing one database never see each other: two channels of one workspace, and a
third meeting in another workspace whose channel id is the same as the first one's."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.commands.payloads import Action, Form, ItemRef, MeetingRef
from bot.demo.fake_slack.objects import Message
from bot.demo.rig import Reply, Rig
from bot.demo.signing import FORM
from bot.domain.model import Meeting, Notice, NoticeKind
from bot.ports.store import UnitOfWork
from tests.support.state import (
    delegations_of,
    items_of,
    meeting_at,
    read,
    snapshot,
    statuses,
)

RUSSIA = "U0RU"  # a delegate in all three meetings, for a different delegation in each
SECRET = "Outside the mandate of Alpha"


@dataclass(frozen=True)
class Where:
    title: str
    team: str
    channel: str
    chair: str
    mali: str  # the member of this meeting's delegation called Mali
    russia_speaks_for: str
    motion: str


ALPHA = Where(
    "Alpha meeting",
    "T0PLENARY",
    "C0ALPHA",
    "U0CHAIRA",
    "U0MALIA",
    "Russian Federation",
    "Alpha motion",
)
BETA = Where("Beta meeting", "T0PLENARY", "C0BETA", "U0CHAIRB", "U0MALIB", "Belarus", "Beta motion")
GAMMA = Where(
    "Gamma meeting", "T0OTHER", "C0ALPHA", "U0CHAIRC", "U0MALIC", "Türkiye", "Gamma motion"
)
MEETINGS = (ALPHA, BETA, GAMMA)
PLACES = tuple((where.team, where.channel) for where in MEETINGS)


async def say(rig: Rig, where: Where, command: str, text: str, user: str) -> Reply:
    reply = await rig.command(command, text, user=user, channel=where.channel, team=where.team)
    assert reply.status == 200, reply.raw
    return reply


async def ok(rig: Rig, where: Where, command: str, text: str, user: str) -> str:
    reply = await say(rig, where, command, text, user)
    assert ":warning:" not in reply.raw, reply.text
    return reply.text


def as_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


async def meeting_of(rig: Rig, where: Where) -> Meeting:
    meeting = await meeting_at(rig, where.channel, team=where.team)
    assert meeting is not None, where.title
    return meeting


async def posts_of(rig: Rig, where: Where, kind: NoticeKind | None = None) -> list[Message]:
    """What the bot posted for this meeting (only notices of ``kind``, if given), told apart
    by the notice each post carries: Alpha and Gamma post into channels with the same id."""
    meeting = await meeting_of(rig, where)
    posted = [
        (m, (m.metadata or {}).get("event_payload", {}).get("notice_id"))
        for m in rig.slack.channel_messages(where.channel)
    ]

    async def notices(uow: UnitOfWork) -> list[Notice | None]:
        return [
            await uow.notices.get(notice_id) if isinstance(notice_id, int) else None
            for _, notice_id in posted
        ]

    return [
        message
        for (message, _), notice in zip(posted, await read(rig, notices), strict=True)
        if notice is not None
        and notice.meeting_id == meeting.id
        and (kind is None or notice.kind is kind)
    ]


@pytest.fixture
async def three(rig: Rig) -> Rig:
    """Three meetings, each with a delegation called Mali and one item, #1."""
    for where in MEETINGS:
        await ok(rig, where, "/meeting", f"start {where.title}", where.chair)
        await ok(
            rig, where, "/meeting", f"delegation add Mali participant <@{where.mali}>", where.chair
        )
        await ok(
            rig,
            where,
            "/meeting",
            f"delegation add {where.russia_speaks_for} participant <@{RUSSIA}>",
            where.chair,
        )
        reply = await ok(rig, where, "/table-motion", where.motion, where.mali)
        assert "Tabled as *#1*" in reply
    return rig


async def test_each_meeting_numbers_its_items_from_one(three: Rig) -> None:
    assert "*#2*" in await ok(three, ALPHA, "/table-motion", "Alpha second", ALPHA.mali)
    assert "*#3*" in await ok(three, ALPHA, "/table-motion", "Alpha third", ALPHA.mali)
    assert "*#2*" in await ok(three, GAMMA, "/table-motion", "Gamma second", GAMMA.mali)
    assert "*#2*" in await ok(three, BETA, "/table-motion", "Beta second", BETA.mali)
    numbered = [
        (where.title, item.number, item.text)
        for where in MEETINGS
        for item in await items_of(three, where.channel, team=where.team)
    ]
    assert numbered == [
        ("Alpha meeting", 1, "Alpha motion"),
        ("Alpha meeting", 2, "Alpha second"),
        ("Alpha meeting", 3, "Alpha third"),
        ("Beta meeting", 1, "Beta motion"),
        ("Beta meeting", 2, "Beta second"),
        ("Gamma meeting", 1, "Gamma motion"),
        ("Gamma meeting", 2, "Gamma second"),
    ]


async def test_delegations_with_the_same_name_coexist_each_in_its_own_meeting(
    three: Rig,
) -> None:
    for where in MEETINGS:
        listed = await ok(three, where, "/meeting", "delegations", where.chair)
        others = [w for w in MEETINGS if w is not where]
        reply = await say(three, where, "/meeting", "delegations", where.chair)
        blocks = as_text(reply.json["blocks"])
        assert where.title in listed
        assert f"<@{where.mali}>" in blocks
        assert where.russia_speaks_for in blocks
        for other in others:
            assert f"<@{other.mali}>" not in blocks
            assert other.russia_speaks_for not in blocks
    registered = {
        where.title: await delegations_of(three, where.channel, team=where.team)
        for where in MEETINGS
    }
    assert {title: [d.name for d in found] for title, found in registered.items()} == {
        where.title: sorted(["Mali", where.russia_speaks_for]) for where in MEETINGS
    }
    # One user, three delegations: one in each meeting, never two in one.
    assert {
        title: [d.name for d in found if RUSSIA in d.members] for title, found in registered.items()
    } == {where.title: [where.russia_speaks_for] for where in MEETINGS}


async def test_an_objection_in_one_meeting_never_shows_in_another_agenda_card_digest_or_home(
    three: Rig,
) -> None:
    await ok(three, ALPHA, "/object", f"1 {SECRET}", RUSSIA)
    agenda = await say(three, ALPHA, "/meeting", "agenda", RUSSIA)
    assert "objecting: Russian Federation" in as_text(agenda.json)
    assert SECRET in as_text([m.blocks for m in await posts_of(three, ALPHA)])
    for where in (BETA, GAMMA):
        agenda = await say(three, where, "/meeting", "agenda", RUSSIA)
        digest = await say(three, where, "/meeting", "digest", RUSSIA)
        posted = await posts_of(three, where)
        assert posted, f"nothing was posted for {where.title}"
        shown = as_text([agenda.json, digest.json, [(m.text, m.blocks) for m in posted]])
        assert where.motion in shown
        for leaked in (SECRET, "objecting", "blocked by", "Russian Federation", ALPHA.motion):
            assert leaked not in shown, (where.title, leaked)
    assert [
        (where.title, len(await posts_of(three, where, NoticeKind.BLOCKED))) for where in MEETINGS
    ] == [(ALPHA.title, 1), (BETA.title, 0), (GAMMA.title, 0)]
    home = await home_of(three, RUSSIA, "T0PLENARY")
    assert set(home) == {ALPHA.title, BETA.title}
    assert "Blocked by Russian Federation" in home[ALPHA.title]
    assert "Blocked by" not in home[BETA.title]
    assert "you object" not in home[BETA.title]
    home = await home_of(three, RUSSIA, "T0OTHER")
    assert set(home) == {GAMMA.title}
    assert "Blocked by" not in home[GAMMA.title]


async def home_of(rig: Rig, user: str, team: str) -> dict[str, str]:
    """The user's Home tab as their workspace shows it, one text per meeting section."""
    event = {"type": "app_home_opened", "user": user, "channel": "D0", "tab": "home"}
    reply = await rig.send(rig.signer.event(event, event_id=f"EvHome-{team}", team_id=team))
    assert reply.status == 200
    await rig.settle()
    sections: dict[str, str] = {}
    title = ""
    for block in rig.slack.views_published[user]["blocks"]:
        if block["type"] == "header":
            title = block["text"]["text"]
            sections[title] = ""
        elif title:
            sections[title] += as_text(block)
    return sections


async def test_the_agenda_of_each_meeting_lists_only_its_own_items(three: Rig) -> None:
    await ok(three, BETA, "/table-motion", "Beta second", BETA.mali)
    for where in MEETINGS:
        agenda = await say(three, where, "/meeting", "agenda", where.chair)
        shown = as_text(agenda.json)
        assert where.motion in shown
        assert [w.motion for w in MEETINGS if w.motion in shown] == [where.motion]
    assert "#2" in as_text((await say(three, BETA, "/meeting", "agenda", BETA.chair)).json)
    assert "#2" not in as_text((await say(three, ALPHA, "/meeting", "agenda", ALPHA.chair)).json)


async def card_value(rig: Rig, where: Where, action: Action) -> str:
    for message in await posts_of(rig, where):
        for block in message.blocks:
            for element in block.get("elements", []):
                if element.get("action_id") == action:
                    return str(element["value"])
    raise AssertionError(f"no {action} button on a card of {where.title}")


PRESSES = [
    # (whose card, pressed where: channel, team)
    (ALPHA, BETA.channel, ALPHA.team),  # same workspace, another meeting's channel
    (ALPHA, ALPHA.channel, GAMMA.team),  # same channel id, another workspace
    (GAMMA, ALPHA.channel, ALPHA.team),  # the other way round
    (BETA, ALPHA.channel, ALPHA.team),
]


@pytest.mark.parametrize(("card", "channel", "team"), PRESSES)
async def test_a_button_from_one_meeting_pressed_in_another_is_refused_and_changes_nothing(
    three: Rig, card: Where, channel: str, team: str
) -> None:
    await ok(three, card, "/object", "1 Not this", RUSSIA)  # something to withdraw, too
    before = await snapshot(three, *PLACES)
    calls = len(three.slack.calls)
    for action in (
        Action.OBJECT,
        Action.WITHDRAW_OBJECTION,
        Action.COSPONSOR,
        Action.STATE_POSITION,
        Action.DECIDE,
    ):
        # Every user here has a role somewhere: the presser is a delegate of all three
        # meetings, and a chair's press of Decide is tried too.
        for user in (RUSSIA, card.chair):
            key = f"{action}-{user}"
            reply = await three.send(
                three.signer.block_action(
                    user_id=user,
                    action_id=action,
                    # Decide sits on the Home tab with the same reference the card carries.
                    value=await card_value(three, card, Action.OBJECT),
                    channel_id=channel,
                    team_id=team,
                    response_key=key,
                )
            )
            await three.settle()
            assert reply.status == 200
            told = three.slack.responses[key]
            assert "no longer matches" in as_text(told), (action, user)
            assert all(answer["response_type"] == "ephemeral" for answer in told)
    assert await snapshot(three, *PLACES) == before
    assert [c.method for c in three.slack.calls[calls:]] == []


async def test_a_form_or_home_button_of_one_meeting_is_refused_from_another_workspace(
    three: Rig,
) -> None:
    before = await snapshot(three, *PLACES)
    alpha = (await meeting_of(three, ALPHA)).id
    [item] = [i.id for i in await items_of(three, ALPHA.channel, team=ALPHA.team) if i.number == 1]
    submissions: list[tuple[Form, dict[str, dict[str, Any]], str]] = [
        (Form.OBJECTION, {"reason": {"value": "x"}}, ItemRef(alpha, item).pack()),
        (
            Form.POSITION,
            {"kind": {"selected_option": {"value": "reservation"}}, "statement": {"value": "x"}},
            ItemRef(alpha, item).pack(),
        ),
        (
            Form.TABLING,
            {"title": {"value": "T"}, "text": {"value": "x"}},
            MeetingRef(alpha).pack(),
        ),
    ]
    for form, fields, metadata in submissions:
        reply = await three.submit(
            form, fields, user=RUSSIA, private_metadata=metadata, team=GAMMA.team
        )
        assert reply.json["response_action"] == "errors", form
    payload = {
        "type": "block_actions",
        "user": {"id": RUSSIA, "team_id": GAMMA.team},
        "team": {"id": GAMMA.team},
        "container": {"type": "view", "view_id": "V1"},
        "trigger_id": "1.2.home",
        "api_app_id": "A0PLENARY",
        "view": {"id": "V1", "type": "home"},
        "actions": [
            {"action_id": Action.TABLE, "block_id": "b", "value": MeetingRef(alpha).pack()}
        ],
    }
    opened = len(three.slack.views_opened)
    await three.send(three.signer.sign(urlencode({"payload": json.dumps(payload)}), FORM))
    await three.settle()
    refusal = three.slack.views_opened[opened:]
    assert [v.get("callback_id") for v in refusal] == [None]  # an answer, not the form
    assert await snapshot(three, *PLACES) == before


async def test_deciding_in_one_meeting_leaves_the_others_open_and_their_chairs_apart(
    three: Rig,
) -> None:
    await ok(three, ALPHA, "/object", f"1 {SECRET}", RUSSIA)
    before = await snapshot(three, *PLACES)
    for where in (BETA, GAMMA):
        refused = await say(three, where, "/meeting", "decide 1", ALPHA.chair)
        assert "Only the meeting's chairs" in refused.text
    assert await snapshot(three, *PLACES) == before
    await ok(three, ALPHA, "/meeting", "decide 1", ALPHA.chair)
    assert {
        where.title: await statuses(three, where.channel, team=where.team) for where in MEETINGS
    } == {
        "Alpha meeting": {1: "blocked"},
        "Beta meeting": {1: "open"},
        "Gamma meeting": {1: "open"},
    }
    outcomes = [m.text for w in (BETA, GAMMA) for m in await posts_of(three, w)]
    assert not any("excised" in text for text in outcomes)
    assert any("excised" in m.text for m in await posts_of(three, ALPHA))
