"""Group commit: concurrent units of work share one transaction and one fsync, yet each is
all-or-nothing, and none returns before the data is committed where another process sees it."""

from __future__ import annotations

import asyncio

from storage.sqlite.database import Database
from tests.integration.scratch import committed


async def test_each_unit_is_visible_to_another_connection_when_it_returns(db: Database) -> None:
    seen: list[bool] = []

    async def unit(n: int) -> None:
        async with db.write() as conn:
            await conn.execute("INSERT INTO t (n) VALUES (?)", (n,))
        seen.append(n in committed(db.path))

    await asyncio.gather(*(unit(n) for n in range(50)))
    assert seen == [True] * 50


async def test_a_failing_unit_in_a_batch_rolls_back_alone(db: Database) -> None:
    async def unit(n: int) -> None:
        async with db.write() as conn:
            await conn.execute("INSERT INTO t (n) VALUES (?)", (n,))
            if n % 7 == 0:
                raise ValueError(n)

    results = await asyncio.gather(*(unit(n) for n in range(1, 60)), return_exceptions=True)
    failed = {r.args[0] for r in results if isinstance(r, ValueError)}
    assert failed == {n for n in range(1, 60) if n % 7 == 0}
    assert committed(db.path) == {n for n in range(1, 60) if n % 7}


async def test_readers_never_see_a_batch_before_it_is_committed(db: Database) -> None:
    async def writer(n: int) -> None:
        async with db.write() as conn:
            await conn.execute("INSERT INTO t (n) VALUES (?)", (n,))

    async def reader() -> bool:
        async with db.read() as conn:
            inside = {row[0] for row in await conn.execute_fetchall("SELECT n FROM t")}
        return inside <= committed(db.path)

    outcomes = await asyncio.gather(
        *(writer(n) for n in range(30)),
        *(reader() for _ in range(10)),
        *(writer(n) for n in range(30, 60)),
    )
    assert all(o is True for o in outcomes if isinstance(o, bool))
    assert committed(db.path) == set(range(60))


async def test_a_writer_cancelled_in_the_queue_does_not_strand_the_batch(db: Database) -> None:
    async def slow_unit() -> None:
        async with db.write() as conn:
            await conn.execute("INSERT INTO t (n) VALUES (1)")
            await asyncio.sleep(0)  # let the queued writer arrive and be cancelled

    async def queued_unit() -> None:
        async with db.write() as conn:
            await conn.execute("INSERT INTO t (n) VALUES (2)")

    first = asyncio.create_task(slow_unit())
    await asyncio.sleep(0)
    second = asyncio.create_task(queued_unit())
    await asyncio.sleep(0)
    second.cancel()
    await asyncio.wait_for(first, timeout=10)
    assert committed(db.path) == {1}


async def test_a_writer_cancelled_while_committing_still_commits_for_the_whole_batch(
    db: Database,
) -> None:
    async def unit(n: int) -> None:
        async with db.write() as conn:
            await conn.execute("INSERT INTO t (n) VALUES (?)", (n,))

    tasks = [asyncio.create_task(unit(n)) for n in range(20)]
    for _ in range(200):  # let the batch form and its last writer reach COMMIT
        await asyncio.sleep(0)
        if all(t.done() for t in tasks[:-1]) or tasks[-1].done():
            break
    tasks[-1].cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    committed_units = {n for n, r in enumerate(results) if r is None}
    assert committed_units <= committed(db.path)
    assert not any(
        isinstance(r, BaseException) and not isinstance(r, asyncio.CancelledError) for r in results
    )
