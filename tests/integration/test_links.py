"""The web links' use cases over the real SQLite store, without Slack: a bot that serves no
web pages (Socket Mode) gives no link, and still lets a chair take the record down."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain.errors import Conflict
from bot.domain.links import PublishMode
from bot.ports.clock import ManualClock
from bot.services.links import LinkService
from bot.services.lookups import Caller
from bot.services.setup import SetupService
from storage.sqlite.database import Database
from storage.sqlite.store import SqliteStore
from tests.support import cast

CHAIR = Caller("T0KP", "C0KASANE", cast.CHAIR)
NOW = datetime(2026, 11, 2, 7, 30, tzinfo=UTC)


class NoPlanner:
    def plan(self, job_id: str, at: datetime) -> None:
        """No timers: these tests decide nothing by deadline."""

    def cancel(self, job_id: str) -> None:
        """No timers to cancel."""


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    db = await Database.open(tmp_path / "links.sqlite3")
    try:
        yield SqliteStore(db)
    finally:
        await db.close()


async def test_without_web_pages_no_link_is_given_but_the_record_can_be_taken_down(
    store: SqliteStore,
) -> None:
    clock = ManualClock(NOW)
    await SetupService(store, clock, notify=lambda: None, planner=NoPlanner()).start(
        CHAIR, "KP Intersessional"
    )
    served = LinkService(store, clock)
    published = await served.publish(CHAIR, PublishMode.ON)
    assert published.token is not None
    socket_mode = LinkService(store, clock, served=False)
    with pytest.raises(Conflict, match="Socket Mode"):
        await socket_mode.screen(CHAIR, rotate=False)
    with pytest.raises(Conflict, match="served by `python -m bot serve`"):
        await socket_mode.publish(CHAIR, PublishMode.ROTATE)
    taken_down = await socket_mode.publish(CHAIR, PublishMode.OFF)
    assert (taken_down.token, taken_down.revoked) == (None, True)
    assert await served.public_record(published.token) is None
