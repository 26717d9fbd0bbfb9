"""Screenshots the browser tests take: always checked to be 1920 by 1080, and kept in the
folder ``PLENARY_SCREENSHOTS`` names (``make screenshots`` sets it to docs/screenshots)."""

from __future__ import annotations

import os
import struct
from pathlib import Path

from playwright.async_api import Page


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


async def keep_screenshot(page: Page, scratch: Path, name: str) -> None:
    """Take the page as a 1920x1080 PNG, into ``PLENARY_SCREENSHOTS`` or else ``scratch``."""
    folder = os.environ.get("PLENARY_SCREENSHOTS") or str(scratch)
    data = await page.screenshot(path=str(Path(folder) / f"{name}.png"))
    assert png_size(data) == (1920, 1080)
