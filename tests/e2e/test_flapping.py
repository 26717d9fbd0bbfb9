"""Objections and withdrawals that cancel out before the announcer gets to them never reach
the channel as a run of contradictory posts: the channel shows the final state, once."""

from __future__ import annotations

import asyncio

import pytest

from bot.delivery.announcer import Announcer
from bot.delivery.workspace_clients import OneWorkspace
from bot.demo.rig import Rig
from tests.support.answers import expect_ok
from tests.support.cast import BELARUS, CHAIR, KPCSC, MALI, RUSSIA, UKRAINE

CHANNEL = "C0MEETING"
PARTICIPANTS = (RUSSIA, BELARUS, MALI, UKRAINE)
ROUNDS = 3  # each of the four participants objects and withdraws three times: 24 requests


def block_posts(rig: Rig) -> list[str]:
    """The texts of the channel posts about #1's standing, in the order they were posted."""
    return [
        str(call.params.get("text", ""))
        for call in rig.slack.calls_to("chat.postMessage")
        if call.params.get("channel") == CHANNEL and _about_standing(str(call.params.get("text")))
    ]


def block_messages(rig: Rig) -> list[str]:
    """The same messages as the channel shows them now, after every edit."""
    return [m.text for m in rig.slack.channel_messages(CHANNEL) if _about_standing(m.text)]


def _about_standing(text: str) -> bool:
    return text.startswith(("#1 is blocked", "#1 is no longer blocked", "#1 was provisionally"))


async def flap(rig: Rig, *, ends_blocked: bool) -> None:
    """The burst, then what the announcer owes delivered."""
    await burst(rig, ends_blocked=ends_blocked)
    await rig.settle()


async def burst(rig: Rig, *, ends_blocked: bool) -> None:
    """Every participant objects and withdraws, all at once; Mali objects once more at the
    end when the item should end blocked."""

    async def one_delegation(user: str) -> None:
        for round_ in range(ROUNDS):
            for text in (f"1 Objection {round_}", "withdraw 1"):
                reply = await rig.send(rig.signer.slash_command("/object", text, user_id=user))
                assert reply.status == 200, reply.raw
                assert ":warning:" not in reply.raw, reply.text
        if ends_blocked and user == MALI:
            reply = await rig.send(rig.signer.slash_command("/object", "1 Final", user_id=user))
            assert ":warning:" not in reply.raw, reply.text

    await asyncio.gather(*(one_delegation(user) for user in PARTICIPANTS))


@pytest.mark.parametrize("ends_blocked", [False, True], ids=["ends-open", "ends-blocked"])
async def test_objections_and_withdrawals_that_cancel_out_before_delivery_post_only_the_final_state(
    kasane: Rig, ends_blocked: bool
) -> None:
    await expect_ok(kasane, "/table-motion", "Exclude Russia", user=KPCSC)
    await flap(kasane, ends_blocked=ends_blocked)
    if ends_blocked:
        assert block_posts(kasane) == ["#1 is blocked by Mali."]
        assert block_messages(kasane) == ["#1 is blocked by Mali."]
    else:
        assert block_posts(kasane) == []  # blocked and unblocked before anyone was told
    card = next(m for m in kasane.slack.channel_messages(CHANNEL) if "tabled by" in m.text)
    assert card.text.startswith(
        "#1 tabled by KP Civil Society Coalition (open, provisionally blocked by 1)"
        if ends_blocked
        else "#1 tabled by KP Civil Society Coalition (open)"
    )


@pytest.mark.parametrize("ends_blocked", [False, True], ids=["ends-open", "ends-blocked"])
async def test_a_posted_block_notice_is_brought_to_the_final_state_without_alternating_posts(
    kasane: Rig, ends_blocked: bool
) -> None:
    await expect_ok(kasane, "/table-motion", "Exclude Russia", user=KPCSC)
    await expect_ok(kasane, "/object", "1 Participation is a right", user=BELARUS)
    assert block_posts(kasane) == ["#1 is blocked by Belarus."]
    await expect_ok(kasane, "/object", "withdraw 1", user=BELARUS)  # delivered: a real change
    assert block_posts(kasane) == [
        "#1 is blocked by Belarus.",
        "#1 is no longer blocked: every objection has been withdrawn.",
    ]
    await expect_ok(kasane, "/object", "1 Still a right", user=BELARUS)
    posted = block_posts(kasane)
    assert posted[-1] == "#1 is blocked by Belarus."

    await flap(kasane, ends_blocked=ends_blocked)  # Belarus takes part, from blocked

    assert block_posts(kasane) == posted + (
        [] if ends_blocked else ["#1 is no longer blocked: every objection has been withdrawn."]
    )
    shown = block_messages(kasane)
    if ends_blocked:
        assert shown[-1] == "#1 is blocked by Mali."
    else:
        assert shown[-2:] == [
            "#1 was provisionally blocked; every objection has been withdrawn.",
            "#1 is no longer blocked: every objection has been withdrawn.",
        ]
    assert not any(t.startswith("#1 is blocked") for t in shown[:-1])  # no stale claim


async def test_a_withdrawal_undone_while_the_channel_waits_its_turn_is_never_posted(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/table-motion", "Exclude Russia", user=KPCSC)
    await expect_ok(kasane, "/object", "1 Participation is a right", user=BELARUS)
    assert block_posts(kasane) == ["#1 is blocked by Belarus."]
    ticks = [0.0]
    waits: list[float] = []

    async def meanwhile(seconds: float) -> None:
        """The pacing interval: the burst arrives while the announcer waits its turn."""
        waits.append(seconds)
        if len(waits) == 1:
            await burst(kasane, ends_blocked=True)
        ticks[0] += seconds

    paced = Announcer(
        kasane.plenary.store,
        OneWorkspace(kasane.plenary.client),
        kasane.clock,
        pace_seconds=1.0,
        monotonic=lambda: ticks[0],
        sleep=meanwhile,
    )
    withdrawn = await kasane.send(
        kasane.signer.slash_command("/object", "withdraw 1", user_id=BELARUS)
    )
    assert "no longer blocked" in withdrawn.text
    await paced.drain()  # the block notice is edited, then "no longer blocked" waits its turn

    assert waits  # the second message of the channel did wait
    assert block_posts(kasane) == ["#1 is blocked by Belarus."]
    assert block_messages(kasane) == ["#1 is blocked by Mali."]


async def test_an_item_decided_before_its_block_notice_went_out_announces_the_outcome_alone(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/table-motion", "Exclude Russia", user=KPCSC)
    for user, command, text in (
        (BELARUS, "/object", "1 Participation is a right"),
        (CHAIR, "/meeting", "decide 1"),
    ):
        reply = await kasane.send(kasane.signer.slash_command(command, text, user_id=user))
        assert ":warning:" not in reply.raw, reply.text
    await kasane.settle()
    assert block_posts(kasane) == []
    posted = [str(c.params.get("text")) for c in kasane.slack.calls_to("chat.postMessage")]
    assert posted[-1] == "#1 blocked and excised from the agenda; objecting: Belarus."
    assert not any(t.startswith("#1 was") for t in posted)  # no block notice, even closed
