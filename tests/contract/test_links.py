"""Web links: one live token per meeting and kind, found only by its digest; a new one
replaces the old at once, and a revoked one finds nothing."""

from __future__ import annotations

from bot.domain.links import LinkKind, token_digest
from bot.ports.store import Store, UnitOfWork
from tests.contract.given import NOW, new_meeting


async def issue(store: Store, meeting_id: int, kind: LinkKind, token: str) -> None:
    async def unit(uow: UnitOfWork) -> None:
        await uow.links.issue(meeting_id, kind, token, token_digest(token), "UCHAIR", NOW)

    await store.transact(unit)


async def found(store: Store, kind: LinkKind, token: str) -> int | None:
    async def unit(uow: UnitOfWork) -> int | None:
        return await uow.links.meeting_for(kind, token_digest(token))

    return await store.query(unit)


async def test_an_issued_token_finds_its_meeting_only_under_its_own_kind(store: Store) -> None:
    meeting_id = await store.transact(new_meeting)
    await issue(store, meeting_id, LinkKind.SCREEN, "screen-token")
    assert await found(store, LinkKind.SCREEN, "screen-token") == meeting_id
    assert await found(store, LinkKind.RECORD, "screen-token") is None
    assert await found(store, LinkKind.SCREEN, "screen-tokeN") is None


async def test_a_new_token_replaces_the_old_one_at_once(store: Store) -> None:
    meeting_id = await store.transact(new_meeting)
    await issue(store, meeting_id, LinkKind.RECORD, "first")
    await issue(store, meeting_id, LinkKind.RECORD, "second")
    assert await found(store, LinkKind.RECORD, "first") is None
    assert await found(store, LinkKind.RECORD, "second") == meeting_id

    async def token(uow: UnitOfWork) -> str | None:
        return await uow.links.token_of(meeting_id, LinkKind.RECORD)

    assert await store.query(token) == "second"


async def test_a_revoked_link_finds_nothing_and_revoking_twice_changes_nothing(
    store: Store,
) -> None:
    meeting_id = await store.transact(new_meeting)
    await issue(store, meeting_id, LinkKind.RECORD, "public")

    async def revoke(uow: UnitOfWork) -> bool:
        return await uow.links.revoke(meeting_id, LinkKind.RECORD)

    assert await store.transact(revoke) is True
    assert await store.transact(revoke) is False
    assert await found(store, LinkKind.RECORD, "public") is None

    async def token(uow: UnitOfWork) -> str | None:
        return await uow.links.token_of(meeting_id, LinkKind.RECORD)

    assert await store.query(token) is None
