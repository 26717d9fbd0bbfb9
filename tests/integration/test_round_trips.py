"""Fewer round trips to the database thread, same guarantees: deferred writes and units run
whole on that thread (``Database.transact``) keep order, all-or-nothing and durability."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.commands.meeting import AddDelegation
from bot.commands.motions import TableMotion
from bot.domain.rules import Role
from bot.ports.clock import ManualClock
from bot.services.lookups import Caller
from bot.services.meetings import MeetingService
from storage.sqlite.database import Database, Statements
from storage.sqlite.store import SqliteStore
from tests.integration.scratch import committed

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def test_deferred_writes_ride_on_the_next_statement_and_a_read_sees_them(
    db: Database,
) -> None:
    trips = db.trips
    async with db.write() as conn:
        conn.defer("INSERT INTO t (n) VALUES (1)")
        conn.defer("INSERT INTO t (n) VALUES (2)")
        seen = await conn.execute_fetchall("SELECT n FROM t ORDER BY n")
        conn.defer("UPDATE t SET note = 'x' WHERE n = 2")
    assert [row[0] for row in seen] == [1, 2]
    # BEGIN, the savepoint with both inserts and the read, the update with RELEASE, COMMIT.
    assert db.trips - trips == 4
    with sqlite3.connect(db.path) as other:
        assert other.execute("SELECT n, note FROM t ORDER BY n").fetchall() == [(1, None), (2, "x")]


async def test_a_deferred_write_that_fails_fails_its_unit_and_undoes_the_rest_of_it(
    db: Database,
) -> None:
    async with db.write() as conn:
        await conn.execute("INSERT INTO t (n) VALUES (1)")

    async def unit() -> None:
        async with db.write() as conn:
            await conn.execute("INSERT INTO t (n) VALUES (2)")
            conn.defer("INSERT INTO t (n) VALUES (1)")  # a duplicate, found out at the end

    with pytest.raises(sqlite3.IntegrityError):
        await unit()
    assert committed(db.path) == {1}


async def test_a_unit_that_does_nothing_touches_nothing(db: Database) -> None:
    trips = db.trips
    async with db.read():
        pass
    assert db.trips == trips


async def test_transact_runs_a_unit_in_one_trip_and_returns_after_the_commit(
    db: Database,
) -> None:
    async def unit(conn: Statements) -> int:
        await conn.execute("INSERT INTO t (n) VALUES (7)")
        conn.defer("UPDATE t SET note = 'seven' WHERE n = 7")
        rows = await conn.execute_fetchall("SELECT count(*) FROM t")
        return int(rows[0][0])

    trips = db.trips
    assert await db.transact(unit) == 1
    assert db.trips - trips == 1  # BEGIN, the unit in its savepoint, COMMIT: one trip
    assert committed(db.path) == {7}


async def test_units_that_arrive_together_share_a_trip_and_a_commit(db: Database) -> None:
    async def unit(n: int) -> int:
        async def run(conn: Statements) -> int:
            await conn.execute("INSERT INTO t (n) VALUES (?)", (n,))
            return n * n

        return await db.transact(run)

    trips = db.trips
    squares = await asyncio.gather(*(unit(n) for n in range(50)))
    assert squares == [n * n for n in range(50)]
    assert db.trips - trips == 1  # all 50 were queued before the first trip left
    assert committed(db.path) == set(range(50))


async def test_a_transacted_unit_that_raises_is_rolled_back_alone_in_its_batch(
    db: Database,
) -> None:
    async def unit(n: int) -> None:
        async def run(conn: Statements) -> None:
            await conn.execute("INSERT INTO t (n) VALUES (?)", (n,))
            if n % 5 == 0:
                raise ValueError(n)

        await db.transact(run)

    results = await asyncio.gather(*(unit(n) for n in range(1, 40)), return_exceptions=True)
    failed = {r.args[0] for r in results if isinstance(r, ValueError)}
    assert failed == {n for n in range(1, 40) if n % 5 == 0}
    assert committed(db.path) == {n for n in range(1, 40) if n % 5}


async def test_a_transacted_unit_may_not_wait_on_anything_but_sql(db: Database) -> None:
    async def unit(conn: Statements) -> None:
        await conn.execute("INSERT INTO t (n) VALUES (1)")
        await asyncio.sleep(0)  # not a statement: refused, and the insert undone

    with pytest.raises(RuntimeError, match="waited on something other than SQL"):
        await db.transact(unit)
    assert committed(db.path) == set()
    await db.transact(lambda conn: conn.execute("INSERT INTO t (n) VALUES (2)"))
    assert committed(db.path) == {2}


class NoTimers:
    def plan(self, job_id: str, at: datetime) -> None:
        pass

    def cancel(self, job_id: str) -> None:
        pass


async def test_an_objection_is_one_round_trip_to_the_database(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "o.sqlite3")
    try:
        clock = ManualClock(START)
        meetings = MeetingService(SqliteStore(db), clock, notify=lambda: None, planner=NoTimers())
        chair = Caller("T1", "C1", "UCHAIR")
        await meetings.start(chair, "Plenary")
        for name, user in (("Mali", "UMALI"), ("Peru", "UPERU")):
            await meetings.add_delegation(chair, AddDelegation(name, Role.PARTICIPANT, (user,)))
        mali, peru = Caller("T1", "C1", "UMALI"), Caller("T1", "C1", "UPERU")
        item = await meetings.table(mali, TableMotion("Adopt the report"))
        trips = db.trips
        change = await meetings.object(peru, item.number, "Not yet")
        assert db.trips - trips == 1  # BEGIN, the whole unit, COMMIT
        assert change.delegation.name == "Peru"
        trips = db.trips
        await meetings.withdraw_position(peru, item.number)
        assert db.trips - trips == 1
    finally:
        await db.close()


async def test_a_transacted_unit_cancelled_on_the_way_strands_no_other_unit(
    db: Database,
) -> None:
    async def unit(n: int) -> None:
        await db.transact(lambda conn: conn.execute("INSERT INTO t (n) VALUES (?)", (n,)))

    tasks = [asyncio.create_task(unit(n)) for n in range(30)]
    for _ in range(3):
        await asyncio.sleep(0)
    tasks[5].cancel()
    tasks[-1].cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    done = {n for n, r in enumerate(results) if r is None}
    assert done >= set(range(30)) - {5, 29}
    assert done <= committed(db.path)
    # The connection is usable afterwards: no transaction or savepoint was left open.
    await unit(100)
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


async def test_a_writer_cancelled_while_its_release_is_on_the_thread_sees_the_cancel(
    db: Database,
) -> None:
    hold = Hold()
    await hold.install(db)

    async def writer() -> None:
        async with db.write() as conn:
            conn.defer("INSERT INTO t (n) SELECT hold()")  # rides on the closing RELEASE

    task = asyncio.create_task(writer())
    await hold.until_entered()
    task.cancel()
    hold.release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    # Its RELEASE ran before the cancel could stop it: the unit stands, whole, and the
    # connection is left clean for the next writer.
    async with db.write() as conn:
        await conn.execute("INSERT INTO t (n) VALUES (8)")
    assert committed(db.path) == {7, 8}


async def test_units_handed_over_are_answered_even_when_closing_is_cancelled(
    db: Database,
) -> None:
    hold = Hold()
    await hold.install(db)

    async def slow(conn: Statements) -> str:
        await conn.execute("INSERT INTO t (n) SELECT hold()")
        return "slow"

    async def quick(conn: Statements) -> str:
        await conn.execute("INSERT INTO t (n) VALUES (2)")
        return "quick"

    first = asyncio.create_task(db.transact(slow))
    await hold.until_entered()
    second = asyncio.create_task(db.transact(quick))
    closing = asyncio.create_task(db.close())
    for _ in range(3):
        await asyncio.sleep(0)  # close() is now waiting for the drain
    closing.cancel()
    hold.release.set()
    # wait_for only guards against the hang this test is about; it measures nothing.
    assert await asyncio.wait_for(first, timeout=60) == "slow"
    assert await asyncio.wait_for(second, timeout=60) == "quick"
    assert committed(db.path) == {7, 2}
    with pytest.raises(asyncio.CancelledError):
        await closing


async def test_a_failed_commit_of_a_write_batch_does_not_strand_queued_units(
    db: Database,
) -> None:
    async with db.write() as conn:
        await conn.execute("CREATE TABLE p (id INTEGER PRIMARY KEY)")
        await conn.execute(
            "CREATE TABLE c (pid INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED)"
        )
    inside, go_on = asyncio.Event(), asyncio.Event()

    async def orphan() -> None:
        async with db.write() as conn:
            await conn.execute("INSERT INTO c VALUES (999)")  # refused only at COMMIT
            inside.set()
            await go_on.wait()

    async def unit(conn: Statements) -> str:
        await conn.execute("INSERT INTO t (n) VALUES (5)")
        return "ok"

    writer = asyncio.create_task(orphan())
    await inside.wait()
    queued = asyncio.create_task(db.transact(unit))
    for _ in range(3):
        await asyncio.sleep(0)  # the drain now waits for the lock, behind the open batch
    go_on.set()
    with pytest.raises(sqlite3.IntegrityError):
        await writer
    assert await asyncio.wait_for(queued, timeout=60) == "ok"  # a guard against the hang
    assert committed(db.path) == {5}


async def test_when_sqlite_rolls_back_the_whole_transaction_every_unit_in_it_fails(
    db: Database,
) -> None:
    async with db.write() as conn:
        await conn.execute("INSERT INTO t (n) VALUES (1)")

    def unit(sql: str) -> Callable[[Statements], Coroutine[Any, Any, None]]:
        async def run(conn: Statements) -> None:
            await conn.execute(sql)

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
    await db.transact(unit("INSERT INTO t (n) VALUES (40)"))
    assert committed(db.path) == {1, 40}
