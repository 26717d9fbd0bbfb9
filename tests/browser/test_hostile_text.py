"""Hostile names, texts and reasons render as text on the screen and the record: no markup
of theirs becomes an element, no script of theirs runs, and right-to-left overrides and
zero-width characters are kept as the text they are."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from bot.commands.tokens import name_key
from bot.demo.rig import Rig
from bot.domain.rules import Role
from bot.ports.store import UnitOfWork
from tests.browser.conftest import Watched
from tests.support.answers import expect_ok
from tests.support.cast import CHAIR, START
from tests.support.state import meeting_at, store_of
from tests.support.web import record_token, screen_token

# What the browser shows is the subject; the same pages' data, read through each backend, is
# tests/e2e/test_web.py's, which runs on PostgreSQL too.
pytestmark = pytest.mark.storage_agnostic(reason="a browser's rendering of the pages")

HOSTILE_USER = "U0HOSTILE"
# Commands drop control and format characters from what they read, so this name, with a
# right-to-left override and a zero-width space, is stored directly: the pages must hold
# whatever the store holds.
STORED_NAME = "<script>alert('name')</script>\u202eevil\u200b"
# As Slack sends them: <, > and & escaped in the command's text.
TEXT = (
    "&lt;img src=x onerror=alert('text')&gt; RTL override"
    " &lt;/blockquote&gt;&lt;script&gt;alert('text')&lt;/script&gt;"
)
REASON = "&lt;b onmouseover=alert('reason')&gt;hover&lt;/b&gt; &amp;amp;"


def plain(slack_text: str) -> str:
    return slack_text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


async def assert_inert(page: Page, *, own_scripts: int) -> None:
    body = str(await page.locator("body").text_content())
    assert STORED_NAME in body
    assert await page.locator("bdi", has_text="evil").count() > 0  # isolated from the page
    assert plain(REASON) in body
    assert await page.locator("script").count() == own_scripts
    assert await page.locator("img, b, main blockquote script").count() == 0


async def test_hostile_text_renders_as_text_on_the_screen_and_the_record(
    kasane: Rig, page: Page, watched: Watched
) -> None:
    meeting = await meeting_at(kasane)
    assert meeting is not None

    async def hostile_delegation(uow: UnitOfWork) -> None:
        key = name_key(STORED_NAME)
        found = await uow.meetings.create_delegation(
            meeting.id, STORED_NAME, key, Role.PARTICIPANT, START
        )
        await uow.meetings.add_member(meeting.id, found, HOSTILE_USER, START)

    await store_of(kasane).transact(hostile_delegation)
    await expect_ok(kasane, "/table-motion", TEXT, user=HOSTILE_USER)
    await expect_ok(kasane, "/meeting", "discuss 1", user=CHAIR)
    await page.goto(f"{kasane.url}/screen/{await screen_token(kasane)}")
    await expect(page.locator("#standing")).to_have_text("No objection stands")
    await expect_ok(kasane, "/object", f"1 {REASON}", user=HOSTILE_USER)
    await expect(page.locator("#standing")).to_have_text(f"Blocked by {STORED_NAME}")
    await expect(page.locator("#item")).to_contain_text("#1 <img src=x onerror=alert('text')>")
    await assert_inert(page, own_scripts=1)

    await page.goto(f"{kasane.url}/record/{await record_token(kasane)}")
    await expect(page.locator("#item-1 blockquote")).to_have_text(plain(TEXT))
    await assert_inert(page, own_scripts=0)
    assert watched.clean, watched
