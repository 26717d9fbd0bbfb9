"""The end-to-end tests' PostgreSQL schema, migrated once per session: each test that takes it
finds it as a fresh migration leaves it, whatever the test before it wrote."""

from __future__ import annotations

from bot.demo.rig import Rig
from tests.support.cast import START, convene
from tests.support.postgres import MigratedSchema
from tests.support.state import delegations_of, meeting_at, notices_owed, read


async def test_the_session_schema_is_emptied_for_each_test_and_its_ids_start_again(
    postgres_schema: MigratedSchema,
) -> None:
    async with Rig(postgres_schema.emptied(), START) as before:
        first = await meeting_at(await convene(before))
        assert first is not None
        assert len(await delegations_of(before)) == 5

    async with Rig(postgres_schema.emptied(), START) as after:
        assert await meeting_at(after) is None
        assert await notices_owed(after) == 0
        assert await read(after, lambda uow: uow.workspaces.count_installations()) == 0
        again = await meeting_at(await convene(after))
        assert again is not None
        assert again.id == first.id == 1  # the identities restarted
        assert sorted(d.id for d in await delegations_of(after)) == [1, 2, 3, 4, 5]
