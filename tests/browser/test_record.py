"""The public record in a real browser: the Kasane story as the public reads it, its files,
and a link that answers 404 once the chairs take it down."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from bot.demo.rig import Rig
from bot.demo.story import play
from tests.browser.conftest import Watched
from tests.browser.screenshots import keep_screenshot
from tests.support.answers import expect_ok
from tests.support.cast import BELARUS, CHAIR, MALI, UKRAINE
from tests.support.web import record_token, token_in

# What the browser shows is the subject; the same pages' data, read through each backend, is
# tests/e2e/test_web.py's, which runs on PostgreSQL too.
pytestmark = pytest.mark.storage_agnostic(reason="a browser's rendering of the pages")

DATA = Path(__file__).resolve().parents[1] / "data"
STORY_CHAIR = "U0BW01"
STORY_CHANNEL = "C0KASANE"


async def publish(rig: Rig, mode: str) -> str:
    reply = await rig.command(
        "/meeting", f"publish {mode}", user=STORY_CHAIR, channel=STORY_CHANNEL
    )
    assert ":warning:" not in reply.raw, reply.text
    return reply.text


async def test_the_record_page_tells_the_kasane_story_and_goes_dark_when_unpublished(
    rig: Rig, page: Page, watched: Watched, tmp_path: Path
) -> None:
    await play(rig)
    token = token_in(await publish(rig, "on"), "record")
    response = await page.goto(f"{rig.url}/record/{token}")
    assert response is not None
    assert response.status == 200
    await expect(page.locator("h1")).to_have_text("Record of KP Intersessional, Kasane")
    agenda = page.locator("#agenda tbody tr")
    await expect(agenda).to_have_count(3)
    await expect(agenda.nth(0)).to_contain_text("KP Civil Society Coalition")
    await expect(agenda.nth(0)).to_contain_text("blocked (excised from the agenda)")
    await expect(agenda.nth(2)).to_contain_text("adopted")

    first = page.locator("#item-1")
    await expect(first).to_contain_text(
        "Russian Federation, objection: Political matters are outside the KP's mandate"
    )
    await expect(first.locator(".decision")).to_have_text(
        "Decision, 2026-11-02 09:56, by the chair: Blocked under consensus by 5 of 13"
        " participant delegations. Under consensus minus 5 or the blocking-minority rule of 1/2,"
        " it would pass. Under a 2/3 majority of present and voting it could not pass against"
        " these 5: the other 8 participant delegations voting yes would be fewer than the 9"
        " needed."
    )
    await expect(first.locator(".speakers li")).to_have_count(6)
    second = page.locator("#item-2")
    await expect(second.locator("dd").nth(1)).to_have_text(
        "European Union, Australia, United Kingdom, Canada, United States"
    )
    third = page.locator("#item-3")
    await expect(third.locator(".positions li.ended")).to_contain_text(
        "Côte d'Ivoire, objection: We have not seen the annex (withdrawn"
    )
    await expect(third.locator(".positions li.reservation")).to_contain_text(
        "the annex must be circulated before adoption"
    )
    assert "U0BW01" not in await page.content()
    await keep_screenshot(page, tmp_path, "record")

    href = await page.locator("a", has_text="Markdown").get_attribute("href")
    assert href == f"/record/{token}/record.md"
    markdown = await page.request.get(rig.url + href)
    golden = (DATA / "kasane_record.md").read_text(encoding="utf-8")
    # The published record is the chair's record less every Slack user id.
    public = re.sub(r" \(Slack user U0\w+\)|, cast by Slack user U0\w+", "", golden)
    assert await markdown.text() == public
    assert "Slack user" not in public
    csv = await page.request.get(f"{rig.url}/record/{token}/record.csv")
    assert (await csv.text()).startswith("item,title,sponsor,status,time,event,delegation")
    assert watched.clean, watched

    assert "taken down" in await publish(rig, "off")
    gone = await page.reload()
    assert gone is not None
    assert gone.status == 404
    assert (await page.request.get(rig.url + href)).status == 404


async def test_the_record_page_shows_each_vote_with_its_recorded_vote_or_counts_if_secret(
    kasane: Rig, page: Page, watched: Watched
) -> None:
    await expect_ok(kasane, "/table-motion", "Exclude the Russian Federation", user=UKRAINE)
    await expect_ok(kasane, "/table-motion", "Suspend Russian exports", user=UKRAINE)
    await expect_ok(kasane, "/meeting", "vote 1 majority 2/3", user=CHAIR)
    await expect_ok(kasane, "/vote", "1 yes", user=UKRAINE)
    await expect_ok(kasane, "/vote", "1 no", user=BELARUS)
    await expect_ok(kasane, "/meeting", "vote close 1", user=CHAIR)
    await expect_ok(kasane, "/meeting", "vote 2 secret", user=CHAIR)
    await expect_ok(kasane, "/vote", "2 yes", user=UKRAINE)
    await expect_ok(kasane, "/vote", "2 no", user=MALI)
    await expect_ok(kasane, "/meeting", "vote close 2", user=CHAIR)
    await page.goto(f"{kasane.url}/record/{await record_token(kasane)}")
    open_vote = page.locator("#item-1 .votes li")
    await expect(open_vote).to_contain_text("1 yes, 1 no, 0 abstaining")
    await expect(open_vote).to_contain_text("In favour: Ukraine. Against: Belarus.")
    secret = page.locator("#item-2 .votes li")
    await expect(secret).to_contain_text("1 yes, 1 no, 0 abstaining")
    await expect(secret).to_contain_text("Secret ballot: the counts only.")
    assert "Mali" not in str(await secret.text_content())
    assert watched.clean, watched
