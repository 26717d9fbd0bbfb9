"""A notice whose delivery fails in an unexpected way fails alone: it is recorded with its
error, retried only where a retry cannot repeat what Slack already did, and every other
announcement still goes out on time."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.__main__ import check
from bot.demo.rig import Rig
from bot.domain.model import NoticeKind
from bot.logs import JsonFormatter
from tests.support.answers import expect_ok
from tests.support.cast import CHAIR, MALI, UKRAINE

CHANNEL = "C0MEETING"
OTHER = "C0OTHER"
COMPLETION = "files.completeUploadExternal"


def texts(rig: Rig, channel: str = CHANNEL) -> list[str]:
    return [m.text for m in rig.slack.channel_messages(channel)]


async def tick(rig: Rig, delta: timedelta) -> None:
    """Move the clock, then do what the scheduler would do at that moment."""
    rig.clock.advance(delta)
    await rig.plenary.timekeeper.run_due()
    await rig.settle()


async def chair_other_meeting(rig: Rig, text: str) -> None:
    reply = await rig.command("/meeting", text, user=CHAIR, channel=OTHER)
    assert reply.status == 200
    assert ":warning:" not in reply.raw, reply.text


async def fail_every_record_upload(rig: Rig) -> None:
    """Slack shares the files but its completion answer lacks the ``files`` list, on which
    slack_sdk's ``files_upload_v2`` raises ``TypeError``; then the chair asks for the record."""
    rig.slack.misanswer_next(COMPLETION, {"ok": True}, times=50)
    await expect_ok(rig, "/meeting", "record", user=CHAIR)


async def test_a_record_upload_that_keeps_failing_holds_back_no_other_announcement(
    kasane: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await expect_ok(kasane, "/meeting", "session add 2026-11-02 10:00 Plenary II", user=CHAIR)
    await chair_other_meeting(kasane, "start Board of the Coalition")
    await fail_every_record_upload(kasane)

    # Later announcements of the same meeting, and of another, go out as they fall due.
    await expect_ok(kasane, "/table-motion", "Adopt the agenda", user=UKRAINE)
    await expect_ok(kasane, "/object", "1 Not yet", user=MALI)
    assert any(t.startswith("#1 tabled") for t in texts(kasane))
    assert "#1 is blocked by Mali." in texts(kasane)
    await chair_other_meeting(kasane, "set digest 09:00")
    for _ in range(14):  # 07:30 to 09:50 UTC: past the other digest (09:00) and the reminder
        await tick(kasane, timedelta(minutes=10))
    assert texts(kasane)[-1] == "Reminder: Plenary II starts soon."
    assert sum(t.startswith("Reminder") for t in texts(kasane)) == 1
    assert any(t.startswith("Daily digest") for t in texts(kasane, OTHER)), texts(kasane, OTHER)

    # The background loop, too, finishes its passes instead of failing them each second.
    kasane.plenary.announcer.start()
    await kasane.send(kasane.signer.slash_command("/object", "1 reservation: ok", user_id=UKRAINE))
    await kasane.plenary.announcer.wait_idle()

    # The files were shared once: Slack did the work, so the upload was never repeated.
    assert len(kasane.slack.calls_to(COMPLETION)) == 1
    assert [u["filename"].rsplit(".", 1)[1] for u in kasane.slack.uploads] == ["md", "csv"]
    (failed,) = await kasane.plenary.announcer.failures(10)
    assert failed.kind is NoticeKind.RECORD
    assert failed.attempts == 1
    assert failed.next_attempt_at is None
    assert failed.last_error is not None
    assert failed.last_error.startswith("TypeError: ")
    logged = [r for r in caplog.records if getattr(r, "notice_id", None) == failed.id]
    assert [r.levelno for r in logged] == [logging.ERROR]
    assert "run /meeting record again" in logged[0].getMessage()
    assert logged[0].__dict__["error"] == failed.last_error
    assert all("xoxb-" not in JsonFormatter().format(r) for r in caplog.records)
    status, health = await kasane.healthz()
    assert (status, health["status"], health["failed_notices"]) == (200, "ok", 1)


async def test_the_check_command_lists_a_notice_that_failed_with_its_error(
    kasane: Rig, capsys: pytest.CaptureFixture[str]
) -> None:
    await fail_every_record_upload(kasane)
    (failed,) = await kasane.plenary.announcer.failures(10)
    assert await check(kasane.settings) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "notices: 1 failed and not delivered since (newest first, at most 10):"
    assert lines[2].startswith(f"  notice {failed.id} (record in {CHANNEL}) failed 2026-11-02T")
    assert lines[2].endswith(f"after 1 attempt(s), not retried: {failed.last_error}")


async def test_a_post_whose_answer_cannot_be_read_is_found_in_the_channel_not_posted_again(
    kasane: Rig,
) -> None:
    kasane.slack.misanswer_next("chat.postMessage", "<html>502 Bad Gateway</html>")
    await expect_ok(kasane, "/table-motion", "Adopt the agenda", user=UKRAINE)
    cards = [m for m in kasane.slack.channel_messages(CHANNEL) if m.text.startswith("#1 tabled")]
    assert len(cards) == 1  # Slack posted it; the bot could not read that it did
    (failed,) = await kasane.plenary.announcer.failures(10)
    assert failed.uncertain_since is not None
    assert failed.next_attempt_at is not None  # retried after a backoff, not at once
    await tick(kasane, timedelta(minutes=10))
    await expect_ok(kasane, "/object", "1 Not yet", user=MALI)
    cards = [m for m in kasane.slack.channel_messages(CHANNEL) if m.text.startswith("#1 tabled")]
    assert len(cards) == 1
    assert cards[0].edits == 1  # the post found by its metadata is edited in place
    assert await kasane.plenary.announcer.failures(10) == []


@pytest.mark.storage_agnostic(reason="Slack's retries, waited out in real time")
async def test_a_record_upload_refused_before_sharing_is_retried_later_and_shared_once(
    kasane: Rig,
) -> None:
    kasane.slack.fail_next(COMPLETION, status=500, error="internal_error", times=3)
    await expect_ok(kasane, "/meeting", "record", user=CHAIR)
    assert kasane.slack.uploads == []
    (failed,) = await kasane.plenary.announcer.failures(10)
    assert failed.last_error == "internal_error"
    assert failed.next_attempt_at is not None
    await tick(kasane, timedelta(minutes=10))
    assert [u["filename"].rsplit(".", 1)[1] for u in kasane.slack.uploads] == ["md", "csv"]
    assert await kasane.plenary.announcer.failures(10) == []
