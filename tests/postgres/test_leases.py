"""The outbox's delivery leases: one holder per meeting at a time, renewed by its holder,
taken over only once expired or given up, each change of hands a new generation, and the
channel's last post handed over with it (its pacing)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from storage.postgres.leases import PostgresDeliveryLeases
from tests.contract.given import NOW
from tests.support.postgres import scratch_database

LEASE = timedelta(seconds=30)


@pytest.fixture
async def leases() -> AsyncIterator[PostgresDeliveryLeases]:
    async with scratch_database() as db:
        yield PostgresDeliveryLeases(db)


async def generation(
    leases: PostgresDeliveryLeases, meeting_id: int, owner: str, now: datetime
) -> int | None:
    lease = await leases.hold(meeting_id, owner, now, now + LEASE)
    return lease.generation if lease else None


async def test_a_lease_has_one_holder_until_it_expires_then_changes_hands_in_a_new_generation(
    leases: PostgresDeliveryLeases,
) -> None:
    assert await generation(leases, 1, "a", NOW) == 1
    assert await generation(leases, 1, "b", NOW + timedelta(seconds=1)) is None
    assert await generation(leases, 2, "b", NOW) == 1  # another meeting is free
    # Renewed by its holder: the same generation, a later expiry.
    assert await generation(leases, 1, "a", NOW + timedelta(seconds=20)) == 1
    assert await generation(leases, 1, "b", NOW + LEASE + timedelta(seconds=1)) is None
    # Not renewed (its holder died): another takes it over, and the old holder finds the
    # generation changed.
    later = NOW + timedelta(seconds=20) + LEASE
    assert await generation(leases, 1, "b", later) == 2
    assert await generation(leases, 1, "a", later) is None


async def test_a_lease_given_up_is_taken_at_once_with_the_moment_its_holder_last_spoke(
    leases: PostgresDeliveryLeases,
) -> None:
    first = await leases.hold(1, "a", NOW, NOW + LEASE)
    assert first is not None
    assert first.spoke_at is None  # nobody spoke to the channel yet
    await leases.release(1, "b", NOW, NOW)  # not b's to give up
    assert await generation(leases, 1, "b", NOW) is None
    spoke = NOW - timedelta(milliseconds=300)
    await leases.release(1, "a", NOW, spoke)
    taken = await leases.hold(1, "b", NOW, NOW + LEASE)
    assert taken is not None
    assert (taken.generation, taken.spoke_at) == (2, spoke)
    await leases.release(1, "b", NOW + timedelta(seconds=1), None)  # b said nothing
    again = await leases.hold(1, "a", NOW + timedelta(seconds=1), NOW + LEASE)
    assert again is not None
    assert (again.generation, again.spoke_at) == (3, spoke)
