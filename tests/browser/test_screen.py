"""The room's screen in a real browser: it follows the meeting live, without reloading,
within a second of each change, and catches up by itself after its connection is cut."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from aiohttp import web
from playwright.async_api import Page, expect

from bot.demo.rig import Rig
from bot.serving import web_app
from tests.browser.conftest import Watched
from tests.browser.screenshots import keep_screenshot
from tests.support.answers import expect_ok
from tests.support.cast import BELARUS, CHAIR, MALI, RUSSIA, UKRAINE
from tests.support.web import screen_token

# What the browser shows is the subject; the same pages' data, read through each backend, is
# tests/e2e/test_web.py's, which runs on PostgreSQL too.
pytestmark = pytest.mark.storage_agnostic(reason="a browser's rendering of the pages")

LIVE_MS = 1000  # the bound: a change is on the screen within a second


async def mark_page(page: Page) -> None:
    """A mark only this page load carries: a reload would lose it."""
    await page.evaluate("window.plenaryMark = 'still the same page'")


async def still_marked(page: Page) -> bool:
    return bool(await page.evaluate("window.plenaryMark === 'still the same page'"))


async def test_the_screen_shows_an_objection_the_floor_and_the_outcome_within_a_second(
    kasane: Rig, page: Page, watched: Watched, tmp_path: Path
) -> None:
    await expect_ok(
        kasane, "/table-motion", "Exclude the Russian Federation from this meeting", user=UKRAINE
    )
    await expect_ok(kasane, "/meeting", "set speaking-time 3m", user=CHAIR)
    await expect_ok(kasane, "/meeting", "discuss 1", user=CHAIR)
    await page.goto(f"{kasane.url}/screen/{await screen_token(kasane)}")
    await expect(page.locator("h1")).to_have_text("KP Intersessional, Kasane")
    await expect(page.locator("#item")).to_have_text(
        "#1 Exclude the Russian Federation from this meeting"
    )
    await expect(page.locator("#standing")).to_have_text("No objection stands")
    await mark_page(page)

    await expect_ok(kasane, "/object", "1 Outside the mandate of this meeting", user=RUSSIA)
    await expect(page.locator("#standing")).to_have_text(
        "Blocked by Russian Federation", timeout=LIVE_MS
    )
    await expect(page.locator("#positions")).to_contain_text(
        "Russian Federation objects: Outside the mandate of this meeting", timeout=LIVE_MS
    )

    await expect_ok(kasane, "/floor", "", user=MALI)
    await expect_ok(kasane, "/floor", "", user=BELARUS)
    await expect(page.locator("#queue li")).to_have_text(["Mali", "Belarus"], timeout=LIVE_MS)
    await expect_ok(kasane, "/meeting", "floor next", user=CHAIR)
    await expect(page.locator("#speaker .who")).to_have_text("Mali", timeout=LIVE_MS)
    await expect(page.locator("#queue li")).to_have_text(["Belarus"], timeout=LIVE_MS)
    await expect(page.locator("#speaker .countdown")).to_have_text(re.compile(r"^[23]:\d\d$"))

    await expect_ok(kasane, "/meeting", "decide 1", user=CHAIR)
    outcome = page.locator("#outcomes .outcome.blocked")
    await expect(outcome).to_contain_text("Blocked #1", timeout=LIVE_MS)
    await expect(outcome).to_contain_text("Russian Federation: Outside the mandate of this meeting")
    await expect(page.locator("#standing")).to_have_text("Decided: blocked")
    await keep_screenshot(page, tmp_path, "screen")
    assert await still_marked(page)
    assert watched.clean, watched


async def test_the_screen_catches_up_by_itself_after_its_connection_is_cut(
    kasane: Rig, page: Page
) -> None:
    await expect_ok(kasane, "/table-motion", "Exclude the Russian Federation", user=UKRAINE)
    await expect_ok(kasane, "/meeting", "discuss 1", user=CHAIR)
    token = await screen_token(kasane)
    # The screen's own server, over the same bot: cut, then back on the same address.
    runner = web.AppRunner(web_app(kasane.plenary), handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    await page.goto(f"http://127.0.0.1:{port}/screen/{token}")
    await expect(page.locator("#standing")).to_have_text("No objection stands")
    await mark_page(page)

    await runner.cleanup()
    await expect(page.locator("#connection")).to_have_text("Reconnecting…")
    await expect_ok(kasane, "/object", "1 Outside the mandate", user=RUSSIA)
    back = web.AppRunner(web_app(kasane.plenary), handle_signals=False)
    await back.setup()
    try:
        await web.TCPSite(back, "127.0.0.1", port).start()
        await expect(page.locator("#standing")).to_have_text("Blocked by Russian Federation")
        await expect(page.locator("#connection")).to_have_text("")
        assert await still_marked(page)
    finally:
        await back.cleanup()


async def test_a_rotated_link_clears_the_screen_that_showed_it(kasane: Rig, page: Page) -> None:
    await page.goto(f"{kasane.url}/screen/{await screen_token(kasane)}")
    await expect(page.locator("#discussion")).to_contain_text("No item is under discussion")
    await screen_token(kasane, rotate=True)
    await expect(page.locator("#live")).to_have_text(
        "This screen's link has been replaced. Ask the chair for the new one."
    )


async def test_the_screen_shows_how_many_have_voted_never_how_and_the_result_at_close(
    kasane: Rig, page: Page, watched: Watched
) -> None:
    await expect_ok(kasane, "/table-motion", "Exclude the Russian Federation", user=UKRAINE)
    await page.goto(f"{kasane.url}/screen/{await screen_token(kasane)}")
    await mark_page(page)
    await expect_ok(kasane, "/meeting", "vote 1 majority 2/3", user=CHAIR)
    progress = page.locator("#votes .vote-open")
    await expect(progress).to_have_text(
        "Voting on #1: 0 of 4 participant delegations have voted", timeout=LIVE_MS
    )
    await expect_ok(kasane, "/vote", "1 yes", user=UKRAINE)
    await expect_ok(kasane, "/vote", "1 no", user=BELARUS)
    await expect(progress).to_contain_text("2 of 4", timeout=LIVE_MS)
    assert "yes" not in str(await page.locator("#votes").text_content())
    await expect_ok(kasane, "/meeting", "vote close 1", user=CHAIR)
    result = page.locator("#votes .vote-result")
    await expect(result).to_contain_text("Vote on #1: 1 yes, 1 no, 0 abstaining", timeout=LIVE_MS)
    await expect(page.locator("#votes .vote-open")).to_have_count(0)
    assert await still_marked(page)
    assert watched.clean, watched
