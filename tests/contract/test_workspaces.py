"""Installs into many workspaces: each install found by its key, OAuth states used once, and an
uninstalled workspace's notices given up and its data purged once, leaving others whole."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.domain.model import NoticeKind
from bot.domain.rules import PositionKind
from bot.domain.votes import Ballot, Majority
from bot.domain.workspaces import Installation
from bot.ports.store import Store, UnitOfWork
from tests.contract.given import NOW, new_delegation, new_meeting

DAY = timedelta(days=1)


def install(
    team_id: str | None, *, enterprise_id: str | None = None, org: bool = False
) -> Installation:
    return Installation(
        enterprise_id=enterprise_id,
        team_id=team_id,
        is_enterprise_install=org,
        sealed_bot_token=f"sealed-{team_id or enterprise_id}",
        bot_id="B1",
        bot_user_id="UBOT",
        app_id="A1",
        bot_scopes="commands,chat:write",
        installer_user_id="UINSTALLER",
        installed_at=NOW,
    )


async def test_an_install_is_found_by_its_team_and_replaced_by_a_reinstall(store: Store) -> None:
    async def save_twice(uow: UnitOfWork) -> None:
        await uow.workspaces.save_installation(install("T1"))
        await uow.workspaces.save_installation(install("T2"))
        await uow.workspaces.save_installation(
            replace(install("T1"), sealed_bot_token="sealed-again")
        )

    await store.transact(save_twice)

    async def read(uow: UnitOfWork) -> tuple[Installation | None, Installation | None, int]:
        return (
            await uow.workspaces.installation("T1"),
            await uow.workspaces.installation("T3"),
            await uow.workspaces.count_installations(),
        )

    first, unknown, count = await store.query(read)
    assert first is not None
    assert first.sealed_bot_token == "sealed-again"
    assert first == replace(install("T1"), sealed_bot_token="sealed-again")
    assert unknown is None
    assert count == 2


async def test_an_org_wide_install_serves_each_workspace_of_its_org(store: Store) -> None:
    async def org_install(uow: UnitOfWork) -> None:
        await uow.workspaces.save_installation(install(None, enterprise_id="E1", org=True))
        await uow.workspaces.note_enterprise("T7", "E1")

    await store.transact(org_install)

    async def read(uow: UnitOfWork) -> tuple[Installation | None, ...]:
        return (
            await uow.workspaces.installation("E1"),
            await uow.workspaces.installation_for_team("T7"),
            await uow.workspaces.installation_for_team("T8"),
        )

    by_org, by_member, stranger = await store.query(read)
    # A workspace of the org with an install of its own is served by its own.
    await store.transact(lambda uow: uow.workspaces.save_installation(install("T7")))
    own = await store.query(lambda uow: uow.workspaces.installation_for_team("T7"))
    assert own is not None
    assert own.sealed_bot_token == "sealed-T7"
    assert by_org is not None
    assert by_org.is_enterprise_install
    assert by_member == by_org
    assert stranger is None


async def test_a_deleted_install_is_gone_and_deleting_it_again_says_so(store: Store) -> None:
    await store.transact(lambda uow: uow.workspaces.save_installation(install("T1")))
    assert await store.transact(lambda uow: uow.workspaces.delete_installation("T1"))
    assert not await store.transact(lambda uow: uow.workspaces.delete_installation("T1"))
    assert await store.query(lambda uow: uow.workspaces.installation("T1")) is None


async def test_an_oauth_state_is_accepted_once_and_never_when_forged_or_expired(
    store: Store,
) -> None:
    async def issue(uow: UnitOfWork) -> None:
        await uow.workspaces.add_state("good", NOW + timedelta(minutes=10))
        await uow.workspaces.add_state("stale", NOW + timedelta(minutes=1))

    await store.transact(issue)
    later = NOW + timedelta(minutes=5)
    assert await store.transact(lambda uow: uow.workspaces.consume_state("good", later))
    assert not await store.transact(lambda uow: uow.workspaces.consume_state("good", later))
    assert not await store.transact(lambda uow: uow.workspaces.consume_state("forged", later))
    assert not await store.transact(lambda uow: uow.workspaces.consume_state("stale", later))


async def test_an_uninstalled_workspaces_pending_notices_are_given_up_on_record(
    store: Store,
) -> None:
    async def two_workspaces(uow: UnitOfWork) -> tuple[int, int]:
        gone = await new_meeting(uow, team="T1", channel="C1")
        kept = await new_meeting(uow, team="T2", channel="C2")
        first = await uow.notices.add(gone, None, NoticeKind.MEETING_STARTED, NOW)
        await uow.notices.add(kept, None, NoticeKind.MEETING_STARTED, NOW)
        return gone, first

    _, notice_id = await store.transact(two_workspaces)
    dropped = await store.transact(
        lambda uow: uow.workspaces.drop_pending("T1", "workspace uninstalled", NOW)
    )
    assert dropped == 1
    pending = await store.query(lambda uow: uow.notices.pending(NOW, 10))
    assert [n.team_id for n in pending] == ["T2"]
    notice = await store.query(lambda uow: uow.notices.get(notice_id))
    assert notice is not None
    assert notice.last_error == "workspace uninstalled"


async def test_a_workspace_is_purged_once_when_due_and_the_others_are_untouched(
    store: Store,
) -> None:
    async def meetings_in_two_workspaces(uow: UnitOfWork) -> tuple[int, int]:
        ids = []
        for team, channel in (("T1", "C1"), ("T2", "C2")):
            meeting_id = await new_meeting(uow, team=team, channel=channel)
            mali = await new_delegation(uow, meeting_id, "Mali")
            item = await uow.items.create(meeting_id, mali, "text", "U1", NOW)
            await uow.items.add_position(item.id, mali, PositionKind.OBJECTION, "no", "U1", NOW)
            await uow.notices.add(meeting_id, item.id, NoticeKind.ITEM_CARD, NOW)
            await uow.homes.opened(team, "UCHAIR", NOW)
            # Votes came after the purge was written: the erase finds them from the schema.
            vote = await uow.votes.open(meeting_id, item.id, Majority(), False, "UCHAIR", NOW, None)
            await uow.votes.cast(vote.id, mali, "U1", Ballot.YES, "", NOW)
            ids.append(meeting_id)
        await uow.workspaces.schedule_purge("T1", NOW + 30 * DAY)
        await uow.workspaces.schedule_purge("T1", NOW + 31 * DAY)  # the first date holds
        return ids[0], ids[1]

    gone, kept = await store.transact(meetings_in_two_workspaces)
    assert await store.query(lambda uow: uow.workspaces.planned_purges()) == [
        ("T1", NOW + 30 * DAY)
    ]
    assert await store.query(lambda uow: uow.workspaces.purges_due(NOW + 29 * DAY)) == []
    assert not await store.transact(lambda uow: uow.workspaces.purge("T1", NOW + 29 * DAY))
    assert await store.query(lambda uow: uow.workspaces.purges_due(NOW + 30 * DAY)) == ["T1"]
    assert await store.transact(lambda uow: uow.workspaces.purge("T1", NOW + 30 * DAY))
    assert not await store.transact(lambda uow: uow.workspaces.purge("T1", NOW + 31 * DAY))

    async def read(uow: UnitOfWork) -> tuple[object, ...]:
        return (
            await uow.meetings.get(gone),
            (await uow.meetings.get(kept)) is not None,
            len(await uow.items.all(kept)),
            await uow.homes.meeting_ids_of("T2", "UCHAIR"),
            await uow.workspaces.purges_due(NOW + 40 * DAY),
        )

    assert await store.query(read) == (
        None,
        True,
        1,
        [kept],
        [],
    )


async def test_a_reinstall_before_the_purge_keeps_the_workspaces_data(store: Store) -> None:
    async def uninstalled(uow: UnitOfWork) -> int:
        meeting_id = await new_meeting(uow, team="T1", channel="C1")
        await uow.workspaces.schedule_purge("T1", NOW + 30 * DAY)
        return meeting_id

    meeting_id = await store.transact(uninstalled)
    await store.transact(lambda uow: uow.workspaces.save_installation(install("T1")))
    assert await store.query(lambda uow: uow.workspaces.purges_due(NOW + 31 * DAY)) == []
    assert not await store.transact(lambda uow: uow.workspaces.purge("T1", NOW + 31 * DAY))
    assert await store.query(lambda uow: uow.meetings.get(meeting_id)) is not None
