"""Everything that falls due at one instant is handled once, however many of the scheduler's
jobs fire together: each job, and the catch-up at start-up, runs the same sweep."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bot.demo.rig import Rig
from bot.services.timekeeper import Sweep, Timekeeper
from tests.support.answers import expect_ok
from tests.support.cast import CHAIR, MALI, UKRAINE
from tests.support.state import items_of, store_of

DUE = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # the rig's meetings keep time in UTC


def channel(k: int) -> str:
    return f"C0DUE{k:03d}"


def posts(rig: Rig, k: int) -> list[str]:
    return [m.text for m in rig.slack.channel_messages(channel(k))]


async def prepare_meeting(rig: Rig, k: int, *, quorate: bool) -> None:
    """A meeting whose item deadline, session reminder and agenda proposal are all due at
    DUE; its quorum is 2, and one or both of its participants are present."""

    async def send(user: str, command: str, text: str) -> None:
        reply = await rig.send(
            rig.signer.slash_command(command, text, user_id=user, channel_id=channel(k))
        )
        assert reply.status == 200, reply.raw
        assert ":warning:" not in reply.raw, reply.text

    await send(CHAIR, "/meeting", f"start Board {k}")
    await send(CHAIR, "/meeting", f"delegation add Ukraine participant <@{UKRAINE}>")
    await send(CHAIR, "/meeting", f"delegation add Mali participant <@{MALI}>")
    await send(CHAIR, "/meeting", "set quorum 2")
    await send(UKRAINE, "/meeting", "present")
    if quorate:
        await send(MALI, "/meeting", "present")
    await send(UKRAINE, "/table-motion", f"Motion {k} deadline: 2026-11-02 09:00")
    if k % 2:  # every other item is provisionally blocked, so the agenda would decide it
        await send(MALI, "/object", "1 Not yet")
    await send(CHAIR, "/meeting", "session add 2026-11-02 09:15 Plenary")  # reminded at 09:00
    await send(CHAIR, "/meeting", "agenda propose deadline: 2026-11-02 09:00")


def posts_by_kind(rig: Rig, meetings: int) -> Counter[str]:
    """The posts in the first ``meetings`` channels, counted by the kind of notice each
    carries (every notice is posted once, then edited in place)."""
    return Counter(
        str((m.metadata or {}).get("event_payload", {}).get("kind"))
        for k in range(meetings)
        for m in rig.slack.channel_messages(channel(k))
    )


@pytest.mark.parametrize("quorate", [True, False], ids=["quorate", "inquorate"])
@pytest.mark.parametrize("due", [2, 10, 50])
async def test_each_due_deadline_reminder_and_agenda_is_handled_once_however_many_fall_due_together(
    rig: Rig, due: int, quorate: bool
) -> None:
    for k in range(due):
        await prepare_meeting(rig, k, quorate=quorate)
    await rig.settle()
    before = posts_by_kind(rig, due)
    rig.clock.set(DUE)
    # One sweep per job that fires at DUE (a deadline, a reminder and an agenda each), and
    # one more for a start-up catch-up at the same moment, all at once.
    sweeps = await asyncio.gather(*(rig.plenary.timekeeper.run_due() for _ in range(3 * due + 1)))
    await rig.settle()

    added = posts_by_kind(rig, due) - before
    assert added["reminder"] == due
    assert added["agenda-adopted"] == due
    decided = [item for sweep in sweeps for item in sweep.decided]
    reminded = [session for sweep in sweeps for session in sweep.reminded]
    agendas = [proposal for sweep in sweeps for proposal in sweep.agendas]
    assert len(reminded) == len(set(reminded)) == due
    assert len(agendas) == len(set(agendas)) == due
    for k in range(due):
        said = posts(rig, k)
        assert sum(t.startswith("Reminder: Plenary starts soon") for t in said) == 1, said
        assert sum(t.startswith(("Agenda adopted", "The agenda was not")) for t in said) == 1, said
        if quorate:
            closed = [t for t in said if t.startswith(("#1 adopted", "#1 blocked and excised"))]
            assert len(closed) == 1, said
        else:
            assert said.count("The deadline of #1 passed without a quorum; it stays open.") == 1
            assert not any(t.startswith(("#1 adopted", "#1 blocked")) for t in said), said
    if quorate:
        assert added["outcome"] == due
        assert added["inquorate"] == 0
        assert len(decided) == len(set(decided)) == due
    else:
        assert added["outcome"] == 0
        assert added["inquorate"] == due
        assert decided == []

    again = await rig.plenary.timekeeper.run_due()
    assert again == Sweep()


@pytest.mark.parametrize("quorate", [True, False], ids=["quorate", "inquorate"])
@pytest.mark.parametrize("due", [2, 10, 50])
async def test_sweeps_that_overlap_still_close_each_due_deadline_once(
    kasane: Rig, due: int, quorate: bool
) -> None:
    # The timekeeper runs one sweep at a time; two timekeepers over one database overlap
    # for real, and must still agree on who handles each deadline (the report: quorum 2,
    # one delegation present, motions due at the same moment).
    await expect_ok(kasane, "/meeting", "set quorum 2", user=CHAIR)
    await expect_ok(kasane, "/meeting", "present", user=UKRAINE)
    if quorate:
        await expect_ok(kasane, "/meeting", "present", user=MALI)
    for number in range(1, due + 1):
        await expect_ok(kasane, "/table-motion", f"Motion {number} deadline: in 1m", user=UKRAINE)
    first = kasane.plenary.timekeeper
    second = Timekeeper(store_of(kasane), kasane.clock, kasane.plenary.planner, lambda: None)
    kasane.clock.advance(timedelta(minutes=1))
    sweeps = await asyncio.gather(*(tk.run_due() for tk in (first, second) * 2))
    await kasane.settle()

    handled = [i for sweep in sweeps for i in (sweep.decided if quorate else sweep.inquorate)]
    assert len(handled) == len(set(handled)) == due
    said = Counter(m.text for m in kasane.slack.channel_messages("C0MEETING"))
    for number in range(1, due + 1):
        if quorate:
            assert said[f"#{number} adopted by consensus: Motion {number}"] == 1
        else:
            assert said[f"The deadline of #{number} passed without a quorum; it stays open."] == 1


async def test_an_item_whose_deadline_passed_without_a_quorum_can_still_be_decided_later(
    rig: Rig,
) -> None:
    await prepare_meeting(rig, 0, quorate=False)
    await rig.settle()
    rig.clock.set(DUE)
    await asyncio.gather(rig.plenary.timekeeper.run_due(), rig.plenary.timekeeper.run_due())
    await rig.settle()
    assert [(i.status, i.deadline) for i in await items_of(rig, channel(0))] == [("open", None)]
    await rig.command("/meeting", "present", user=MALI, channel=channel(0))
    reply = await rig.command("/meeting", "decide 1", user=CHAIR, channel=channel(0))
    assert ":warning:" not in reply.raw, reply.text
    assert posts(rig, 0)[-1].startswith("#1 adopted")


async def test_two_deadline_jobs_firing_together_without_a_quorum_announce_each_item_once(
    database_url: str,
) -> None:
    # The report, through the real scheduler: quorum 2, one delegation present, two motions
    # due in a minute, and both of their jobs run at the same moment.
    async with Rig(database_url, datetime.now(UTC)) as rig:
        await rig.plenary.start()
        ran: list[str] = []
        both = asyncio.Event()

        def on_run(job_id: str) -> None:
            ran.append(job_id)
            if len(ran) == 2:
                both.set()

        rig.plenary.planner.add_listener(on_run)
        await expect_ok(rig, "/meeting", "start Board", user=CHAIR)
        await expect_ok(
            rig, "/meeting", f"delegation add Ukraine participant <@{UKRAINE}>", user=CHAIR
        )
        await expect_ok(rig, "/meeting", "set quorum 2", user=CHAIR)
        await expect_ok(rig, "/meeting", "present", user=UKRAINE)
        await expect_ok(rig, "/table-motion", "First deadline: in 1m", user=UKRAINE)
        await expect_ok(rig, "/table-motion", "Second deadline: in 1m", user=UKRAINE)
        rig.clock.advance(timedelta(minutes=2))
        rig.plenary.planner.run_now("deadline:1")
        rig.plenary.planner.run_now("deadline:2")
        await asyncio.wait_for(both.wait(), timeout=30)
        await rig.settle()
        said = [m.text for m in rig.slack.channel_messages("C0MEETING")]
        for number in (1, 2):
            notice = f"The deadline of #{number} passed without a quorum; it stays open."
            assert said.count(notice) == 1, said
