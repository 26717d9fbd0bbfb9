"""Shared fixtures: a running rig (real app, real SQLite file, local fake Slack)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.demo.rig import Rig

START = datetime(2026, 11, 2, 7, 30, tzinfo=UTC)
CHAIR = "U0CHAIR"
RUSSIA = "U0RU"
BELARUS = "U0BY"
MALI = "U0ML"
UKRAINE = "U0UA"
UKRAINE_ALT = "U0UA2"
KPCSC = "U0CS"
OUTSIDER = "U0NOBODY"


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    async with Rig(tmp_path / "plenary.sqlite3", START) as running:
        yield running


@pytest.fixture
async def kasane(rig: Rig) -> Rig:
    """A meeting with four participants (Ukraine has two members) and one observer."""
    await expect_ok(rig, "/meeting", "start KP Intersessional, Kasane", user=CHAIR)
    for text in (
        f"delegation add Russian Federation participant <@{RUSSIA}|ru>",
        f"delegation add Belarus participant <@{BELARUS}>",
        f"delegation add Mali participant <@{MALI}|mali>",
        f"delegation add Ukraine participant <@{UKRAINE}|ua> <@{UKRAINE_ALT}|ua2>",
        f"delegation add KP Civil Society Coalition observer <@{KPCSC}|kpcsc>",
    ):
        await expect_ok(rig, "/meeting", text, user=CHAIR)
    return rig


async def expect_ok(rig: Rig, command: str, text: str, *, user: str) -> str:
    reply = await rig.command(command, text, user=user)
    assert reply.status == 200, reply.raw
    assert ":warning:" not in reply.raw, reply.text
    return reply.text
