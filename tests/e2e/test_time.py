"""Deadlines, reminders and digests: driven through the same service calls the scheduler
makes, with the rig's clock moved by hand; nothing waits for real time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.demo.rig import Rig
from bot.render.blocks import MAX_BLOCKS, MAX_SECTION
from tests.support.answers import expect_ok
from tests.support.cast import BELARUS, CHAIR, KPCSC, MALI, RUSSIA, UKRAINE
from tests.support.state import decisions_of, items_of, meeting_at

CHANNEL = "C0MEETING"


def texts(rig: Rig) -> list[str]:
    return [m.text for m in rig.slack.channel_messages(CHANNEL)]


async def tick(rig: Rig, delta: timedelta) -> None:
    """Move the clock, then do what the scheduler would do at that moment."""
    rig.clock.advance(delta)
    await rig.plenary.timekeeper.run_due()
    await rig.settle()


async def test_a_deadline_with_a_standing_objection_blocks_the_item_by_itself(
    kasane: Rig,
) -> None:
    reply = await expect_ok(
        kasane, "/table-motion", "Discuss Russian diamonds deadline: in 2h", user=KPCSC
    )
    assert "#1" in reply
    await expect_ok(kasane, "/object", "1 Outside the mandate", user=RUSSIA)
    await tick(kasane, timedelta(hours=1, minutes=59))
    assert not any("excised" in t for t in texts(kasane))
    await tick(kasane, timedelta(minutes=1))
    outcome = texts(kasane)[-1]
    assert outcome == "#1 blocked and excised from the agenda; objecting: Russian Federation."
    body = str(kasane.slack.channel_messages(CHANNEL)[-1].blocks)
    assert "Decided at its deadline" in body
    assert "late" not in outcome


async def test_a_deadline_passed_in_silence_adopts_the_item(kasane: Rig) -> None:
    await expect_ok(kasane, "/meeting", "set timezone Africa/Gaborone", user=CHAIR)
    await expect_ok(
        kasane, "/table-motion", "Adopt the agenda deadline: 2026-11-02 12:00", user=UKRAINE
    )
    await tick(kasane, timedelta(hours=2, minutes=30))  # 10:00 UTC = 12:00 in Gaborone
    assert texts(kasane)[-1] == "#1 adopted by consensus: Adopt the agenda"


async def test_a_chair_decision_before_the_deadline_leaves_the_deadline_nothing_to_do(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/table-motion", "Adopt the agenda deadline: in 1h", user=UKRAINE)
    await expect_ok(kasane, "/meeting", "decide 1", user=CHAIR)
    assert "deadline:1" not in kasane.plenary.planner.job_ids()
    await tick(kasane, timedelta(hours=2))
    assert sum("adopted by consensus" in t for t in texts(kasane)) == 1
    assert len(await decisions_of(kasane)) == 1


async def test_deadlines_in_the_past_or_malformed_are_refused_with_the_reason(kasane: Rig) -> None:
    for text, says in (
        ("Late deadline: 2026-11-01 09:00", "has already passed"),
        ("Odd deadline: in 0m", "longer than zero"),
        ("Odd deadline: 2026-02-30 10:00", "not a real date"),
        ("Odd session: 9", "no session 9"),
    ):
        reply = await kasane.command("/table-motion", text, user=UKRAINE)
        assert says in reply.text, reply.text
        assert "Usage:" in reply.text
    assert await items_of(kasane) == []


async def test_an_option_keyword_followed_by_no_value_stays_in_the_motion_text(
    kasane: Rig,
) -> None:
    reply = await expect_ok(
        kasane, "/table-motion", "Extend the reporting deadline: see annex", user=UKRAINE
    )
    assert "Tabled as *#1*" in reply
    assert "`deadline:` is part of the motion's text" in reply
    await expect_ok(
        kasane, "/table-motion", "Odd deadline: tomorrow, in the session: after", user=UKRAINE
    )
    await expect_ok(kasane, "/table-motion", "Thank the cosponsors:", user=UKRAINE)
    stored = [(item.number, item.text, item.deadline) for item in await items_of(kasane)]
    assert stored == [
        (1, "Extend the reporting deadline: see annex", None),
        (2, "Odd deadline: tomorrow, in the session: after", None),
        (3, "Thank the cosponsors:", None),
    ]
    await kasane.settle()
    assert "Extend the reporting deadline: see annex" in texts(kasane)[-3]
    assert kasane.plenary.planner.job_ids() == []


async def test_a_default_window_gives_new_items_a_deadline(kasane: Rig) -> None:
    reply = await expect_ok(kasane, "/meeting", "set window 24h", user=CHAIR)
    assert "1d after they are tabled" in reply
    await expect_ok(kasane, "/table-motion", "Adopt the budget", user=UKRAINE)
    await expect_ok(kasane, "/object", "1 Too costly", user=BELARUS)
    await tick(kasane, timedelta(hours=24))
    assert texts(kasane)[-1].startswith("#1 blocked and excised")


async def test_a_deadline_missed_while_down_is_decided_at_start_up_once_and_said_late(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/table-motion", "Adopt the agenda deadline: in 30m", user=UKRAINE)
    await kasane.restart()
    kasane.clock.advance(timedelta(hours=3))
    await kasane.plenary.start()
    await kasane.settle()
    outcome = texts(kasane)[-1]
    assert outcome.startswith("#1 adopted by consensus")
    assert "decided late" in outcome
    await kasane.plenary.timekeeper.run_due()
    await kasane.settle()
    assert sum("adopted by consensus" in t for t in texts(kasane)) == 1


async def test_the_session_reminder_names_session_start_items_and_objections(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/meeting", "set timezone Europe/Brussels", user=CHAIR)
    reply = await expect_ok(
        kasane, "/meeting", "session add 2026-11-02 14:00 Plenary II", user=CHAIR
    )
    assert "session 1" in reply
    await expect_ok(kasane, "/table-motion", "Exclude Russia session: 1", user=UKRAINE)
    await expect_ok(kasane, "/table-motion", "Unrelated", user=UKRAINE)
    await expect_ok(kasane, "/object", "1 Participation is a right", user=MALI)
    await tick(kasane, timedelta(hours=5, minutes=14))  # 12:44 UTC: 13:44 in Brussels
    assert not any(t.startswith("Reminder") for t in texts(kasane))
    await tick(kasane, timedelta(minutes=1))  # 15 minutes before 14:00 Brussels
    reminder = kasane.slack.channel_messages(CHANNEL)[-1]
    assert reminder.text == "Reminder: Plenary II starts soon."
    body = str(reminder.blocks)
    assert "2026-11-02 14:00 Europe/Brussels" in body
    assert "Exclude Russia" in body
    assert "objecting: Mali" in body
    assert "Unrelated" not in body
    await tick(kasane, timedelta(minutes=5))
    assert sum(t.startswith("Reminder") for t in texts(kasane)) == 1


async def test_the_daily_digest_reports_what_happened_since_the_last_one(kasane: Rig) -> None:
    await expect_ok(kasane, "/meeting", "set digest 08:00", user=CHAIR)
    await expect_ok(kasane, "/table-motion", "Discuss Russian diamonds", user=KPCSC)
    await expect_ok(kasane, "/table-motion", "Adopt the agenda", user=UKRAINE)
    await expect_ok(kasane, "/table-motion", "Exclude Russia deadline: in 3h", user=UKRAINE)
    await expect_ok(kasane, "/object", "1 Outside the mandate", user=RUSSIA)
    await expect_ok(kasane, "/meeting", "decide 1", user=CHAIR)
    await expect_ok(kasane, "/meeting", "decide 2", user=CHAIR)
    await tick(kasane, timedelta(minutes=30))  # 08:00 UTC
    digest = kasane.slack.channel_messages(CHANNEL)[-1]
    assert digest.text.startswith(
        "Daily digest of KP Intersessional, Kasane: 3 tabled, 1 adopted, 1 blocked,"
        " 0 withdrawn; 1 open"
    )
    body = str(digest.blocks)
    assert "blocked by Russian Federation" in body
    assert "Exclude Russia" in body
    await tick(kasane, timedelta(hours=24))
    second = kasane.slack.channel_messages(CHANNEL)[-1]
    assert second.text.startswith("Daily digest of KP Intersessional, Kasane: 0 tabled")


async def test_a_digest_missed_briefly_is_sent_late_once_and_an_old_one_is_skipped(
    kasane: Rig,
) -> None:
    await expect_ok(kasane, "/meeting", "set digest 08:00", user=CHAIR)
    await kasane.restart()
    kasane.clock.advance(timedelta(hours=2, minutes=30))  # 10:00, two hours after 08:00
    await kasane.plenary.start()
    await kasane.settle()
    late = [t for t in texts(kasane) if t.startswith("Daily digest")]
    assert len(late) == 1
    assert "sent late" in late[0]
    await kasane.plenary.timekeeper.run_due()
    await kasane.settle()
    assert sum(t.startswith("Daily digest") for t in texts(kasane)) == 1

    await kasane.restart()
    kasane.clock.advance(timedelta(days=1, hours=4))  # next day 14:00, six hours late
    await kasane.plenary.start()
    await kasane.settle()
    assert sum(t.startswith("Daily digest") for t in texts(kasane)) == 1
    meeting = await meeting_at(kasane)
    assert meeting is not None
    assert meeting.next_digest_at == datetime(2026, 11, 4, 8, 0, tzinfo=UTC)


async def test_digest_now_is_private_and_sends_nothing(kasane: Rig) -> None:
    await expect_ok(kasane, "/table-motion", "Adopt the agenda", user=UKRAINE)
    posts = len(kasane.slack.calls_to("chat.postMessage"))
    reply = await kasane.command("/meeting", "digest", user=MALI)
    assert reply.ephemeral
    assert reply.text.startswith("Daily digest of KP Intersessional, Kasane: 1 tabled")
    assert len(kasane.slack.calls_to("chat.postMessage")) == posts


async def test_a_long_digest_stays_within_slacks_limits(kasane: Rig) -> None:
    await expect_ok(kasane, "/meeting", "set digest 08:00", user=CHAIR)
    for i in range(300):
        await kasane.send(
            kasane.signer.slash_command("/table-motion", f"Item {i} " + "x" * 900, user_id=UKRAINE)
        )
    await kasane.settle()
    await tick(kasane, timedelta(minutes=30))
    digest = kasane.slack.channel_messages(CHANNEL)[-1]
    assert digest.text.startswith("Daily digest")
    assert len(digest.blocks) <= MAX_BLOCKS
    for block in digest.blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION
    assert "more" in str(digest.blocks)


async def test_sessions_are_listed_and_removed(kasane: Rig) -> None:
    await expect_ok(kasane, "/meeting", "session add 2026-11-03 09:00 Plenary III", user=CHAIR)
    listed = await kasane.command("/meeting", "sessions", user=MALI)
    assert "Plenary III" in str(listed.json["blocks"])
    await expect_ok(kasane, "/meeting", "session remove 1", user=CHAIR)
    listed = await kasane.command("/meeting", "sessions", user=MALI)
    assert "No session is scheduled" in listed.text
    assert "reminder:1" not in kasane.plenary.planner.job_ids()


async def test_the_real_scheduler_fires_a_deadline_through_the_http_app(database_url: str) -> None:
    # The rig's clock starts at the real now so the job is planned in the real future; the
    # test then moves the rig's clock past the deadline and asks the scheduler to run the
    # planned job now, as if its time had come.
    async with Rig(database_url, datetime.now(UTC)) as rig:
        await rig.plenary.start()
        done = asyncio.Event()
        rig.plenary.planner.add_listener(lambda job_id: done.set())
        await expect_ok(rig, "/meeting", "start Board", user=CHAIR)
        await expect_ok(
            rig, "/meeting", f"delegation add Secretariat participant <@{CHAIR}>", user=CHAIR
        )
        await expect_ok(rig, "/table-motion", "Adopt the minutes deadline: in 45m", user=CHAIR)
        assert "deadline:1" in rig.plenary.planner.job_ids()
        rig.clock.advance(timedelta(minutes=46))
        rig.plenary.planner.run_now("deadline:1")
        await asyncio.wait_for(done.wait(), timeout=30)
        await rig.plenary.announcer.wait_idle()
        assert texts(rig)[-1] == "#1 adopted by consensus: Adopt the minutes"
        assert list(rig.plenary.planner.executed) == ["deadline:1"]


async def test_digests_near_midnight_fire_once_a_day_through_both_dst_changes(rig: Rig) -> None:
    await expect_ok(rig, "/meeting", "start Brussels board", user=CHAIR)
    await expect_ok(rig, "/meeting", "set timezone Europe/Brussels", user=CHAIR)
    for clock, start in (
        ("00:00", datetime(2026, 3, 26, 12, tzinfo=UTC)),
        ("02:30", datetime(2026, 3, 26, 12, tzinfo=UTC)),
        ("01:30", datetime(2026, 10, 22, 12, tzinfo=UTC)),
        ("02:30", datetime(2026, 10, 22, 12, tzinfo=UTC)),
    ):
        rig.clock.set(start)
        await expect_ok(rig, "/meeting", f"set digest {clock}", user=CHAIR)
        posted_before = len(rig.slack.calls_to("chat.postMessage"))
        days = set()
        for _ in range(6 * 24 * 4):  # every 15 minutes for six days
            rig.clock.advance(timedelta(minutes=15))
            sweep = await rig.plenary.timekeeper.run_due()
            if sweep.digests:
                days.add(rig.clock.now().astimezone(zone_of("Europe/Brussels")).date())
        await rig.settle()
        digests = len(rig.slack.calls_to("chat.postMessage")) - posted_before
        assert digests == 6, clock
        assert len(days) == 6, clock


def zone_of(name: str) -> ZoneInfo:
    return ZoneInfo(name)


async def test_a_one_minute_reminder_is_said_in_the_singular(kasane: Rig) -> None:
    reply = await expect_ok(kasane, "/meeting", "set reminder 1", user=CHAIR)
    assert "Session reminders go out 1 minute before each start." in reply
    reply = await expect_ok(
        kasane, "/meeting", "session add 2026-11-02 14:00 Plenary II", user=CHAIR
    )
    assert "Its reminder goes out 1 minute before." in reply
    reply = await expect_ok(kasane, "/meeting", "set reminder 15", user=CHAIR)
    assert "15 minutes before" in reply
