"""Shared fixtures: a running rig (real app, real SQLite file, local fake Slack), and the
Kasane meeting convened on it. Helpers live in ``tests.support``; nothing imports this file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.demo.rig import Rig
from tests.support.cast import START, convene


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    async with Rig(tmp_path / "plenary.sqlite3", START) as running:
        yield running


@pytest.fixture
async def kasane(rig: Rig) -> Rig:
    """A meeting with four participants (Ukraine has two members) and one observer."""
    return await convene(rig)
