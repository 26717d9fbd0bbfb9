"""Hints between replicas over LISTEN/NOTIFY: a job planned on one replica reaches the others,
and only those sharing its tables."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from storage.postgres.database import Database
from storage.postgres.hints import PostgresHints
from tests.support.postgres import scratch_schema


@contextlib.asynccontextmanager
async def replica(conninfo: str) -> AsyncIterator[tuple[PostgresHints, asyncio.Queue[str]]]:
    """A replica's hints, listening: what it hears is queued."""
    db = await Database.open(conninfo, min_size=1, max_size=2)
    hints = PostgresHints(db, conninfo)
    heard: asyncio.Queue[str] = asyncio.Queue()
    listening = asyncio.create_task(hints.listen(heard.put_nowait))
    try:
        yield hints, heard
    finally:
        listening.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listening
        await hints.close()
        await db.close()


@pytest.fixture
async def conninfo() -> AsyncIterator[str]:
    async with scratch_schema() as url:
        yield url


async def test_a_hint_published_by_one_replica_is_heard_by_each_other_replica_in_order(
    conninfo: str,
) -> None:
    async with (
        replica(conninfo) as (a, _),
        replica(conninfo) as (b, heard_b),
        replica(conninfo) as (c, heard_c),
    ):
        for listener in (b, c):
            await asyncio.wait_for(listener.listening.wait(), 30)
        for n in range(3):
            a.publish(f"plan deadline:{n} 2026-12-01T09:00:00+00:00")
        for heard in (heard_b, heard_c):
            got = {await asyncio.wait_for(heard.get(), 30) for _ in range(3)}
            assert got == {f"plan deadline:{n} 2026-12-01T09:00:00+00:00" for n in range(3)}


async def test_a_replica_of_another_schema_hears_nothing(conninfo: str) -> None:
    async with (
        scratch_schema() as elsewhere,
        replica(conninfo) as (a, heard_a),
        replica(elsewhere) as (other, heard_other),
    ):
        for listener in (a, other):
            await asyncio.wait_for(listener.listening.wait(), 30)
        # Sent one after the other: were the channels shared, each listener would hear
        # the other schema's hint first (notifications arrive in commit order).
        await other.send("theirs")
        await a.send("ours")
        await other.send("theirs again")
        assert await asyncio.wait_for(heard_a.get(), 30) == "ours"
        assert await asyncio.wait_for(heard_other.get(), 30) == "theirs"
        assert await asyncio.wait_for(heard_other.get(), 30) == "theirs again"
        assert heard_a.empty()
        assert await a.channel() != await other.channel()
