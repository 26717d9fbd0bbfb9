"""What the web tests share: the links the bot hands out, and plain HTTP against the rig."""

from __future__ import annotations

import re

import aiohttp

from bot.demo.rig import Rig
from tests.support.answers import expect_ok
from tests.support.cast import CHAIR

LINK = re.compile(r"/(screen|record)/([A-Za-z0-9_-]{20,})")


def token_in(answer: str, kind: str) -> str:
    found = [str(token) for k, token in LINK.findall(answer) if k == kind]
    assert len(found) == 1, answer
    return found[0]


async def screen_token(rig: Rig, *, rotate: bool = False) -> str:
    answer = await expect_ok(rig, "/meeting", "screen rotate" if rotate else "screen", user=CHAIR)
    return token_in(answer, "screen")


async def record_token(rig: Rig, mode: str = "on") -> str:
    return token_in(await expect_ok(rig, "/meeting", f"publish {mode}", user=CHAIR), "record")


async def get(rig: Rig, path: str) -> tuple[int, dict[str, str], str]:
    async with aiohttp.ClientSession() as session, session.get(rig.url + path) as response:
        return response.status, dict(response.headers), await response.text()
