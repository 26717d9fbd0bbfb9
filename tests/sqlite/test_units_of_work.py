"""How SQLite runs units of work: one write path, whole units on the database thread,
group commit, each unit all or nothing, and nothing acknowledged before it is on disk."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import tomllib
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot.commands.meeting import AddDelegation
from bot.commands.motions import TableMotion
from bot.domain.errors import ConfigError
from bot.domain.rules import Role
from bot.ports.clock import ManualClock
from bot.services.items import ItemService
from bot.services.lookups import Caller
from bot.services.positions import PositionService
from bot.services.setup import SetupService
from storage.sqlite.database import SUPPORTED_AIOSQLITE, Database, check_aiosqlite
from storage.sqlite.store import SqliteStore
from storage.sqlite.units import Statements, UnitAwaitedError
from tests.sqlite.scratch import committed

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
Unit = Callable[[Statements], Coroutine[Any, Any, Any]]


def insert(n: int) -> Unit:
    async def run(statements: Statements) -> int:
        await statements.execute("INSERT INTO t (n) VALUES (?)", (n,))
        return n

    return run


# ---- one unit ----------------------------------------------------------------------------


async def test_a_unit_is_one_trip_and_on_disk_when_it_returns(db: Database) -> None:
    async def unit(statements: Statements) -> int:
        await statements.execute("INSERT INTO t (n) VALUES (7)")
        await statements.execute("UPDATE t SET note = 'seven' WHERE n = 7")
        rows = await statements.execute_fetchall("SELECT count(*) FROM t")
        return int(rows[0][0])

    trips, commits = db.trips, db.commits
    assert await db.transact(unit) == 1
    assert (db.trips - trips, db.commits - commits) == (1, 1)
    with sqlite3.connect(db.path) as other:  # as another process, or after a crash, reads it
        assert other.execute("SELECT n, note FROM t").fetchall() == [(7, "seven")]


async def test_a_failing_statement_fails_its_own_unit_where_it_is_written(db: Database) -> None:
    await db.transact(insert(1))
    reached: list[str] = []

    async def unit(statements: Statements) -> None:
        await statements.execute("INSERT INTO t (n) VALUES (2)")
        try:
            await statements.execute("INSERT INTO t (n) VALUES (1)")  # a duplicate
        except sqlite3.IntegrityError:
            reached.append("raised at the duplicate")
            raise
        reached.append("went on")

    with pytest.raises(sqlite3.IntegrityError):
        await db.transact(unit)
    assert reached == ["raised at the duplicate"]
    assert committed(db.path) == {1}  # its first insert is undone with it


async def test_a_unit_that_awaits_anything_but_its_statements_is_refused_naming_the_await(
    db: Database,
) -> None:
    async def unit(statements: Statements) -> None:
        await statements.execute("INSERT INTO t (n) VALUES (1)")
        await asyncio.sleep(0)  # not a statement: refused, and the insert undone

    with pytest.raises(UnitAwaitedError, match=r"unit \(test_units_of_work\.py:\d+\) → sleep"):
        await db.transact(unit)
    assert committed(db.path) == set()
    await db.transact(insert(2))  # the connection is left clean
    assert committed(db.path) == {2}


async def test_a_read_that_awaits_anything_but_its_statements_is_refused_too(
    db: Database,
) -> None:
    event = asyncio.Event()

    async def unit(statements: Statements) -> None:
        await statements.execute_fetchall("SELECT n FROM t")
        await event.wait()

    with pytest.raises(
        UnitAwaitedError,
        match=r"event loop \(create_future\) in unit \(test_units_of_work\.py:\d+\)",
    ):
        await db.query(unit)
    assert await db.ping()


async def test_a_query_is_one_trip_and_sees_only_committed_state(db: Database) -> None:
    await db.transact(insert(3))

    async def read(statements: Statements) -> list[int]:
        return [r[0] for r in await statements.execute_fetchall("SELECT n FROM t")]

    trips, commits = db.trips, db.commits
    assert await db.query(read) == [3]
    assert (db.trips - trips, db.commits - commits) == (1, 0)


# ---- group commit ------------------------------------------------------------------------


async def test_concurrent_units_share_one_trip_and_one_commit(db: Database) -> None:
    trips, commits = db.trips, db.commits
    numbers = await asyncio.gather(*(db.transact(insert(n)) for n in range(50)))
    assert numbers == list(range(50))
    # All 50 were queued before the first trip left: one fsync covers them. Should units
    # stop sharing a commit (one transaction each), this fails.
    assert (db.trips - trips, db.commits - commits) == (1, 1)
    assert committed(db.path) == set(range(50))


async def test_a_unit_that_raises_is_rolled_back_alone_in_its_batch(db: Database) -> None:
    async def unit(n: int) -> None:
        async def run(statements: Statements) -> None:
            await statements.execute("INSERT INTO t (n) VALUES (?)", (n,))
            if n % 5 == 0:
                raise ValueError(n)

        await db.transact(run)

    commits = db.commits
    results = await asyncio.gather(*(unit(n) for n in range(1, 40)), return_exceptions=True)
    failed = {r.args[0] for r in results if isinstance(r, ValueError)}
    assert failed == {n for n in range(1, 40) if n % 5 == 0}
    assert committed(db.path) == {n for n in range(1, 40) if n % 5}
    assert db.commits - commits == 1


async def test_when_sqlite_rolls_back_the_whole_transaction_every_unit_in_it_fails(
    db: Database,
) -> None:
    await db.transact(insert(1))

    def unit(sql: str) -> Unit:
        async def run(statements: Statements) -> None:
            await statements.execute(sql)

        return run

    # OR ROLLBACK stands in for what rolls a transaction back in life (disk full, I/O).
    results = await asyncio.gather(
        db.transact(unit("INSERT INTO t (n) VALUES (10)")),
        db.transact(unit("INSERT OR ROLLBACK INTO t (n) VALUES (1)")),
        db.transact(unit("INSERT INTO t (n) VALUES (30)")),
        return_exceptions=True,
    )
    assert all(isinstance(r, sqlite3.IntegrityError) for r in results), results
    assert committed(db.path) == {1}  # nothing of the batch, and nothing outside it
    await db.transact(insert(40))
    assert committed(db.path) == {1, 40}


async def test_a_failed_commit_fails_every_unit_it_covered_and_the_next_unit_runs(
    db: Database,
) -> None:
    async def schema(statements: Statements) -> None:
        await statements.execute("CREATE TABLE p (id INTEGER PRIMARY KEY)")
        await statements.execute(
            "CREATE TABLE c (pid INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED)"
        )

    await db.transact(schema)

    async def orphan(statements: Statements) -> None:
        await statements.execute("INSERT INTO c VALUES (999)")  # refused only at COMMIT

    results = await asyncio.gather(
        db.transact(insert(5)), db.transact(orphan), return_exceptions=True
    )
    assert all(isinstance(r, sqlite3.IntegrityError) for r in results), results
    assert committed(db.path) == set()
    await db.transact(insert(6))
    assert committed(db.path) == {6}


# ---- cancellation ------------------------------------------------------------------------


async def test_a_unit_cancelled_on_the_way_strands_no_other_unit(db: Database) -> None:
    tasks = [asyncio.create_task(db.transact(insert(n))) for n in range(30)]
    for _ in range(3):
        await asyncio.sleep(0)
    tasks[5].cancel()
    tasks[-1].cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    done = {n for n, r in enumerate(results) if r == n}
    assert done >= set(range(30)) - {5, 29}
    assert done <= committed(db.path)
    await db.transact(insert(100))  # no transaction or savepoint was left open
    assert 100 in committed(db.path)


class Hold:
    """A SQL function ``hold()`` that keeps the database thread inside a statement until the
    test lets it go: a trip the test knows to be in flight, without waiting on a clock."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self) -> int:
        self.entered.set()
        self.release.wait()
        return 7

    async def install(self, db: Database) -> None:
        await db.trip(lambda raw: raw.create_function("hold", 0, self))

    async def until_entered(self) -> None:
        await asyncio.to_thread(self.entered.wait)


async def test_units_handed_over_are_answered_even_when_closing_is_cancelled(
    db: Database,
) -> None:
    hold = Hold()
    await hold.install(db)

    async def slow(statements: Statements) -> str:
        await statements.execute("INSERT INTO t (n) SELECT hold()")
        return "slow"

    first = asyncio.create_task(db.transact(slow))
    await hold.until_entered()
    second = asyncio.create_task(db.transact(insert(2)))
    closing = asyncio.create_task(db.close())
    for _ in range(3):
        await asyncio.sleep(0)  # close() is now waiting for the drain
    closing.cancel()
    hold.release.set()
    # wait_for only guards against the hang this test is about; it measures nothing.
    assert await asyncio.wait_for(first, timeout=60) == "slow"
    assert await asyncio.wait_for(second, timeout=60) == 2
    assert committed(db.path) == {7, 2}
    with pytest.raises(asyncio.CancelledError):
        await closing


# ---- the service path ----------------------------------------------------------------------


class NoTimers:
    def plan(self, job_id: str, at: datetime) -> None:
        pass

    def cancel(self, job_id: str) -> None:
        pass


async def test_an_objection_and_its_withdrawal_are_one_round_trip_each(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "o.sqlite3")
    try:
        clock = ManualClock(START)
        store, timers = SqliteStore(db), NoTimers()
        setup = SetupService(store, clock, notify=lambda: None, planner=timers)
        items = ItemService(store, clock, notify=lambda: None, planner=timers)
        positions = PositionService(store, clock, notify=lambda: None, planner=timers)
        chair = Caller("T1", "C1", "UCHAIR")
        await setup.start(chair, "Plenary")
        for name, user in (("Mali", "UMALI"), ("Peru", "UPERU")):
            await setup.add_delegation(chair, AddDelegation(name, Role.PARTICIPANT, (user,)))
        mali, peru = Caller("T1", "C1", "UMALI"), Caller("T1", "C1", "UPERU")
        item = await items.table(mali, TableMotion("Adopt the report"))
        trips = db.trips
        change = await positions.object(peru, item.number, "Not yet")
        assert db.trips - trips == 1  # BEGIN, the whole unit, COMMIT
        assert change.delegation.name == "Peru"
        trips = db.trips
        await positions.withdraw_position(peru, item.number)
        assert db.trips - trips == 1
    finally:
        await db.close()


# ---- the aiosqlite this relies on ----------------------------------------------------------


def test_the_installed_aiosqlite_is_one_whose_private_api_is_supported() -> None:
    check_aiosqlite(aiosqlite.__version__)  # raises on an unsupported version


@pytest.mark.parametrize("version", ["0.19.0", "0.23.0", "1.0.0"])
def test_an_unsupported_aiosqlite_is_refused_with_the_supported_range(version: str) -> None:
    with pytest.raises(
        ConfigError, match=r"known to work from 0\.20 up to \(not including\) 0\.23"
    ):
        check_aiosqlite(version)


def test_the_package_pins_aiosqlite_to_the_supported_range() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lowest, beyond = (".".join(map(str, v)) for v in SUPPORTED_AIOSQLITE)
    pins = [d for d in project["project"]["dependencies"] if d.startswith("aiosqlite")]
    assert pins == [f"aiosqlite>={lowest},<{beyond}"]
