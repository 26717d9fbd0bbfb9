"""The outbox's delivery leases: one holder per meeting at a time, renewed by its holder,
taken over only once expired or given up, each change of hands a new generation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from storage.postgres.leases import PostgresDeliveryLeases
from tests.contract.given import NOW
from tests.support.postgres import scratch_database

LEASE = timedelta(seconds=30)


@pytest.fixture
async def leases() -> AsyncIterator[PostgresDeliveryLeases]:
    async with scratch_database() as db:
        yield PostgresDeliveryLeases(db)


async def test_a_lease_has_one_holder_until_it_expires_then_changes_hands_in_a_new_generation(
    leases: PostgresDeliveryLeases,
) -> None:
    assert await leases.hold(1, "a", NOW, NOW + LEASE) == 1
    assert await leases.hold(1, "b", NOW + timedelta(seconds=1), NOW + LEASE) is None
    assert await leases.hold(2, "b", NOW, NOW + LEASE) == 1  # another meeting is free
    # Renewed by its holder: the same generation, a later expiry.
    assert await leases.hold(1, "a", NOW + timedelta(seconds=20), NOW + 2 * LEASE) == 1
    assert await leases.hold(1, "b", NOW + LEASE + timedelta(seconds=1), NOW + LEASE) is None
    # Not renewed (its holder died): another takes it over, and the old holder finds the
    # generation changed.
    later = NOW + 2 * LEASE
    assert await leases.hold(1, "b", later, later + LEASE) == 2
    assert await leases.hold(1, "a", later, later + LEASE) is None


async def test_a_lease_given_up_is_taken_at_once_and_only_its_holder_can_give_it_up(
    leases: PostgresDeliveryLeases,
) -> None:
    assert await leases.hold(1, "a", NOW, NOW + LEASE) == 1
    await leases.release(1, "b", NOW)  # not b's to give up
    assert await leases.hold(1, "b", NOW, NOW + LEASE) is None
    await leases.release(1, "a", NOW)
    assert await leases.hold(1, "b", NOW, NOW + LEASE) == 2
