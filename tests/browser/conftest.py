"""A real headless Chromium (Debian's ``chromium``, never a downloaded browser) driven by
Playwright, one per test, watching for dialogs, console errors and script errors.

Without the browser the tests are skipped with the reason shown, except where
``PLENARY_REQUIRE_BROWSER=1`` (CI sets it): there they fail."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from playwright.async_api import (
    Browser,
    ConsoleMessage,
    Dialog,
    Error,
    Page,
    ViewportSize,
    async_playwright,
)

CHROMIUM = os.environ.get("PLENARY_CHROMIUM", "/usr/bin/chromium")
SCREEN_SIZE = ViewportSize(width=1920, height=1080)


@dataclass
class Watched:
    """What a page did that no page of ours should do."""

    dialogs: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.dialogs or self.console_errors or self.page_errors)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not shutil.which(CHROMIUM):
        reason = f"no Chromium at {CHROMIUM}: apt-get install -y chromium"
        if os.environ.get("PLENARY_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " (PLENARY_REQUIRE_BROWSER=1)")
        pytest.skip(reason)
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            # We run as root in a container: Chromium's sandbox needs user namespaces.
            args=["--no-sandbox", "--disable-dev-shm-usage", "--headless=new"],
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
def watched() -> Watched:
    return Watched()


@pytest.fixture
async def page(browser: Browser, watched: Watched) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport=SCREEN_SIZE)
    opened = await context.new_page()

    async def on_dialog(dialog: Dialog) -> None:
        watched.dialogs.append(dialog.message)
        await dialog.dismiss()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            watched.console_errors.append(message.text)

    def on_page_error(error: Error) -> None:
        watched.page_errors.append(str(error))

    opened.on("dialog", on_dialog)
    opened.on("console", on_console)
    opened.on("pageerror", on_page_error)
    try:
        yield opened
    finally:
        await context.close()
