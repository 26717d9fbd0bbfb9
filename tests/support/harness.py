"""One running rig on one event loop for every Hypothesis example of a test, reset to the
same meeting before each example.

The rig runs on a SQLite file: copying the file whole is how each example starts from the
same record, and the file's integrity is checked outright after each request. The tests using
it are therefore SQLite-only; every command and form they try runs on PostgreSQL too, in the
end-to-end tests that take the ``rig`` fixture."""

from __future__ import annotations

import asyncio
import itertools
import logging
import sqlite3
from collections.abc import Coroutine, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bot.demo.fake_slack.server import ApiCall
from bot.demo.rig import Reply, Rig
from tests.support.answers import expect_ok
from tests.support.backends import sqlite_file
from tests.support.cast import CHAIR, KPCSC, RUSSIA, START, UKRAINE, convene
from tests.support.hostile_input import IVORY
from tests.support.safety_checks import UNEXPECTED, ZERO_ROWS, assert_posts_are_safe, flaws

T = TypeVar("T")

# The mark of the tests using the harness: each example starts from a copy of the file.
ON_SQLITE_FILE = pytest.mark.sqlite_only(reason="the harness resets the SQLite file per example")


class Harness:
    """Runs each example's requests on the test's own loop, against one running rig."""

    def __init__(self, loop: asyncio.AbstractEventLoop, rig: Rig) -> None:
        self.loop = loop
        self.rig = rig
        self.serial = itertools.count(1)
        self.database = sqlite_file(rig)
        assert flaws(self.database) == dict.fromkeys(ZERO_ROWS, 0)
        # The file is the subject here: it is copied whole, and put back before each example.
        self._snapshot = sqlite3.connect(":memory:")
        with sqlite3.connect(self.database) as live:
            live.backup(self._snapshot)

    def reset(self) -> None:
        """Put the record back as it was before the first example, so every example starts
        from the same meeting and a failure replays exactly (the bot keeps no state of its
        own between requests: the database is the source of truth)."""
        with sqlite3.connect(self.database) as live:
            self._snapshot.backup(live)

    def close(self) -> None:
        self._snapshot.close()

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(work)

    def attempt(
        self, caplog: pytest.LogCaptureFixture, work: Coroutine[Any, Any, Reply]
    ) -> tuple[Reply, list[ApiCall]]:
        """Run one request; then nothing crashed, the record is whole, nobody was pinged."""
        self.reset()
        return self._checked(caplog, work)

    def attempt_in_turn(
        self, caplog: pytest.LogCaptureFixture, requests: Iterable[tuple[str, str, str]]
    ) -> list[Reply]:
        """Run (command, text, user) requests one after the other on one record, each
        checked as ``attempt`` checks a single one."""
        self.reset()
        return [
            self._checked(caplog, self.rig.command(command, text, user=user))[0]
            for command, text, user in requests
        ]

    def _checked(
        self, caplog: pytest.LogCaptureFixture, work: Coroutine[Any, Any, Reply]
    ) -> tuple[Reply, list[ApiCall]]:
        calls = len(self.rig.slack.calls)
        logged = len(caplog.records)
        reply = self.run(work)
        self.run(self.rig.settle())
        made = self.rig.slack.calls[calls:]
        failures = [
            f"{r.getMessage()}: {r.exc_info[1]!r}" if r.exc_info else r.getMessage()
            for r in caplog.records[logged:]
            if r.levelno >= logging.ERROR
        ]
        assert failures == []
        assert reply.status == 200, reply.raw
        assert UNEXPECTED not in reply.raw, reply.raw
        assert "Reference:" not in reply.raw
        assert_posts_are_safe(made)
        found = {what for what, n in flaws(self.database).items() if n}
        assert found == set()
        return reply, made


async def convene_with_positions(rig: Rig) -> None:
    """Kasane, with Côte d'Ivoire too, a session, two items, an objection, a reservation and
    two Home tabs open: most requests then get past the first check to the service."""
    await convene(rig)
    for text in (
        "set timezone Africa/Gaborone",
        f"delegation add Côte d'Ivoire participant <@{IVORY}|ci>",
        "session add 2026-11-05 09:00 Plenary II",
    ):
        await expect_ok(rig, "/meeting", text, user=CHAIR)
    await expect_ok(rig, "/table-motion", "Adopt the agenda", user=UKRAINE)
    await expect_ok(rig, "/table-motion", "Discuss Russian diamonds", user=KPCSC)
    await expect_ok(rig, "/object", "1 Outside the mandate", user=RUSSIA)
    await expect_ok(rig, "/object", "2 reservation: We read it narrowly", user=UKRAINE)
    for serial, user in enumerate((CHAIR, RUSSIA)):
        home = {"type": "app_home_opened", "user": user, "channel": "D0", "tab": "home"}
        reply = await rig.send(rig.signer.event(home, event_id=f"EvHome{serial}"))
        assert reply.status == 200
    await rig.settle()


@contextmanager
def running_harness(database: Path) -> Iterator[Harness]:
    """A harness whose rig runs on a new loop of its own, stopped and closed on exit."""
    loop = asyncio.new_event_loop()
    rig = Rig(f"sqlite:///{database}", START)
    try:
        loop.run_until_complete(rig.start())
        loop.run_until_complete(convene_with_positions(rig))
        harness = Harness(loop, rig)
        try:
            yield harness
        finally:
            harness.close()
    finally:
        try:
            loop.run_until_complete(rig.stop())
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()
