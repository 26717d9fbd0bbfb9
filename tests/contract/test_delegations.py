"""Delegation names and memberships: one name and one delegation per user in each meeting."""

from __future__ import annotations

import unicodedata

import pytest

from bot.commands.tokens import name_key
from bot.domain.errors import Conflict, Duplicate
from bot.domain.model import Delegation
from bot.domain.rules import Role
from bot.ports.store import Store, UnitOfWork
from tests.contract.given import NOW, new_delegation, new_meeting


def test_a_duplicate_is_a_conflict_the_user_is_told_about() -> None:
    assert issubclass(Duplicate, Conflict)


@pytest.mark.parametrize(
    "same", ["CÔTE D'IVOIRE", unicodedata.normalize("NFD", "Côte d'Ivoire"), " côte  d'ivoire "]
)
async def test_a_delegation_name_is_taken_whatever_its_case_or_unicode_form(
    store: Store, same: str
) -> None:
    async def register(uow: UnitOfWork) -> int:
        meeting_id = await new_meeting(uow)
        await new_delegation(uow, meeting_id, "Côte d'Ivoire")
        return meeting_id

    meeting_id = await store.transact(register)

    async def register_again(uow: UnitOfWork) -> None:
        await new_delegation(uow, meeting_id, same)

    with pytest.raises(Duplicate, match="already registered"):
        await store.transact(register_again)

    async def named(uow: UnitOfWork) -> Delegation | None:
        return await uow.meetings.delegation_named(meeting_id, name_key(same))

    found = await store.query(named)
    assert found is not None
    assert found.name == "Côte d'Ivoire"


async def test_the_same_delegation_name_may_exist_in_two_meetings(store: Store) -> None:
    async def register_in_both(uow: UnitOfWork) -> tuple[int, int]:
        kasane = await new_meeting(uow, channel="C0KASANE")
        dubai = await new_meeting(uow, channel="C0DUBAI")
        await new_delegation(uow, kasane, "Türkiye")
        await new_delegation(uow, dubai, "Türkiye")
        return kasane, dubai

    kasane, dubai = await store.transact(register_in_both)

    async def names(uow: UnitOfWork) -> list[list[str]]:
        return [[d.name for d in await uow.meetings.delegations(m)] for m in (kasane, dubai)]

    assert await store.query(names) == [["Türkiye"], ["Türkiye"]]


async def test_a_removed_delegation_is_restored_as_the_same_one_in_its_new_role(
    store: Store,
) -> None:
    async def remove_and_restore(uow: UnitOfWork) -> tuple[object, ...]:
        meeting_id = await new_meeting(uow)
        old = await new_delegation(uow, meeting_id, "Mali")
        await uow.meetings.add_member(meeting_id, old, "UMALI", NOW)
        await uow.meetings.register_present(meeting_id, old, "UMALI", NOW)
        await uow.meetings.remove_delegation(old, NOW)
        absent = await uow.meetings.restore_delegation(
            meeting_id, name_key("Malawi"), Role.OBSERVER
        )
        restored = await uow.meetings.restore_delegation(
            meeting_id, name_key("MALI"), Role.OBSERVER
        )
        await uow.meetings.add_member(meeting_id, old, "UMALI2", NOW)
        again = await uow.meetings.restore_delegation(meeting_id, name_key("mali"), Role.OBSERVER)
        found = await uow.meetings.delegation_named(meeting_id, name_key("mali"))
        listed = await uow.meetings.delegations(meeting_id)
        present = await uow.meetings.count_present(meeting_id)
        # Its attendance was cleared with it: registering it is new again.
        registers_anew = await uow.meetings.register_present(meeting_id, old, "UMALI2", NOW)
        return old, absent, restored, again, found, listed, present, registers_anew

    old, absent, restored, again, found, listed, present, registers_anew = await store.transact(
        remove_and_restore
    )
    assert (absent, restored, again) == (None, old, None)  # only a removed one comes back
    assert isinstance(found, Delegation)
    assert (found.id, found.name, found.role, found.members) == (
        old,
        "Mali",
        Role.OBSERVER,
        ("UMALI2",),
    )
    assert isinstance(listed, list)
    assert [d.id for d in listed] == [old]
    assert present == 0
    assert registers_anew


async def test_a_user_belongs_to_one_delegation_per_meeting(store: Store) -> None:
    async def mali_and_niger(uow: UnitOfWork) -> tuple[int, int]:
        meeting_id = await new_meeting(uow)
        mali = await new_delegation(uow, meeting_id, "Mali")
        niger = await new_delegation(uow, meeting_id, "Niger")
        await uow.meetings.add_member(meeting_id, mali, "U1", NOW)
        return meeting_id, niger

    meeting_id, niger = await store.transact(mali_and_niger)

    async def join_niger_too(uow: UnitOfWork) -> None:
        await uow.meetings.add_member(meeting_id, niger, "U1", NOW)

    with pytest.raises(Duplicate, match="one delegation per meeting") as refused:
        await store.transact(join_niger_too)
    assert refused.value.mentions == ("U1",)

    async def of_user(uow: UnitOfWork) -> Delegation | None:
        return await uow.meetings.delegation_of(meeting_id, "U1")

    found = await store.query(of_user)
    assert found is not None
    assert found.name == "Mali"


async def test_a_user_may_belong_to_delegations_of_different_meetings(store: Store) -> None:
    async def two_meetings(uow: UnitOfWork) -> list[str | None]:
        found = []
        for channel, name in (("C0KASANE", "Mali"), ("C0DUBAI", "Niger")):
            meeting_id = await new_meeting(uow, channel=channel)
            delegation = await new_delegation(uow, meeting_id, name)
            await uow.meetings.add_member(meeting_id, delegation, "U1", NOW)
            of_user = await uow.meetings.delegation_of(meeting_id, "U1")
            found.append(of_user.name if of_user else None)
        return found

    assert await store.transact(two_meetings) == ["Mali", "Niger"]
