"""The SQLite store on a real file: migrations, transactions, constraints, the outbox."""

from __future__ import annotations

import asyncio
import sqlite3
import unicodedata
from collections.abc import AsyncIterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.commands.tokens import name_key
from bot.domain.model import NoticeKind
from bot.domain.rules import PositionKind, Role
from storage.sqlite.database import Database
from storage.sqlite.migrations import MIGRATIONS
from storage.sqlite.store import SqliteStore, SqliteUnitOfWork
from tests.support.sqlite_file import snapshot

NOW = datetime(2024, 6, 18, 7, 30, tzinfo=UTC)


class Rollback(Exception):
    """Raised on purpose inside a transaction to abandon it."""


def pragma(path: Path, name: str) -> object:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "plenary.sqlite3"


@pytest.fixture
async def db(path: Path) -> AsyncIterator[Database]:
    database = await Database.open(path)
    yield database
    await database.close()


@pytest.fixture
def store(db: Database) -> SqliteStore:
    return SqliteStore(db)


async def new_meeting(uow: SqliteUnitOfWork, team: str = "T0KP", channel: str = "C0KASANE") -> int:
    meeting = await uow.meetings.create(team, channel, "KP Intersessional", "UCHAIR", NOW)
    return meeting.id


async def new_delegation(
    uow: SqliteUnitOfWork, meeting_id: int, name: str, role: Role = Role.PARTICIPANT
) -> int:
    return await uow.meetings.create_delegation(meeting_id, name, name_key(name), role, NOW)


async def count(store: SqliteStore, table: str) -> int:
    async with store.db.read() as conn:
        fetched = await conn.execute_fetchall(f"SELECT count(*) FROM {table}")  # noqa: S608
    return int(fetched[0][0])


# ---- migrations and connection settings ------------------------------------------------


async def test_migrations_leave_the_schema_at_the_latest_version(db: Database, path: Path) -> None:
    assert pragma(path, "user_version") == len(MIGRATIONS)
    assert await db.integrity_check() == "ok"


async def test_reopening_an_up_to_date_database_changes_nothing(
    store: SqliteStore, path: Path
) -> None:
    async with store.write() as uow:
        await new_meeting(uow)
    before = snapshot(path)
    again = await Database.open(path)
    await again.close()
    assert snapshot(path) == before
    assert pragma(path, "user_version") == len(MIGRATIONS)


async def test_an_old_database_is_brought_up_to_date_keeping_its_data(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(MIGRATIONS[0])
        conn.execute(
            "INSERT INTO meetings (team_id, channel_id, title, created_by, created_at)"
            " VALUES ('T0KP', 'C0KASANE', 'KP Plenary 2023', 'UCHAIR', ?)",
            (NOW.isoformat(),),
        )
        conn.execute("PRAGMA user_version = 1")
        conn.commit()
    db = await Database.open(path)
    try:
        async with SqliteStore(db).read() as uow:
            meeting = await uow.meetings.find("T0KP", "C0KASANE")
    finally:
        await db.close()
    assert meeting is not None
    assert meeting.title == "KP Plenary 2023"
    assert pragma(path, "user_version") == len(MIGRATIONS)


async def test_an_original_closed_by_its_adopted_modification_becomes_superseded_on_upgrade(
    path: Path,
) -> None:
    at = NOW.isoformat()
    with closing(sqlite3.connect(path)) as conn:
        for script in MIGRATIONS[:7]:
            conn.executescript(script)
        conn.execute(
            "INSERT INTO meetings (id, team_id, channel_id, title, created_by, created_at)"
            " VALUES (1, 'T0KP', 'C0KASANE', 'KP', 'UCHAIR', ?)",
            (at,),
        )
        conn.execute(
            "INSERT INTO delegations (id, meeting_id, name, name_key, role, created_at)"
            " VALUES (1, 1, 'Ukraine', 'ukraine', 'participant', ?)",
            (at,),
        )
        for number, text, status, amends in (
            (1, "Exclude", "withdrawn", None),
            (2, "Suspend", "adopted", 1),
            (3, "Withdrawn by its sponsor", "withdrawn", None),
        ):
            conn.execute(
                "INSERT INTO items (id, meeting_id, number, sponsor_id, text, status, tabled_by,"
                " tabled_at, closed_at, amends_id) VALUES (?, 1, ?, 1, ?, ?, 'U', ?, ?, ?)",
                (number, number, text, status, at, at, amends),
            )
        conn.execute(
            "INSERT INTO positions (item_id, delegation_id, kind, user_id, recorded_at)"
            " VALUES (2, 1, 'support', 'U', ?)",
            (at,),
        )
        conn.execute("PRAGMA user_version = 7")
        conn.commit()
    db = await Database.open(path)
    try:
        async with SqliteStore(db).read() as uow:
            items = {i.number: i for i in await uow.items.all(1)}
        assert await db.integrity_check() == "ok"
    finally:
        await db.close()
    assert {n: i.status.value for n, i in items.items()} == {
        1: "superseded",
        2: "adopted",
        3: "withdrawn",
    }
    assert items[1].superseded_by == 2
    assert items[2].cosponsors == ("Ukraine",)
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"items_by_status", "items_deadline_due", "items_amends"} <= indexes


async def test_a_migration_that_fails_half_way_leaves_neither_its_tables_nor_its_version(
    path: Path,
) -> None:
    # The first migration creates meetings, then chairs: a clashing chairs table makes
    # it fail after its first statement has already run.
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE chairs (x)")
    with pytest.raises(sqlite3.OperationalError, match="chairs"):
        await Database.open(path)
    assert pragma(path, "user_version") == 0
    with closing(sqlite3.connect(path)) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"chairs"}


async def test_the_database_runs_in_wal_mode_with_foreign_keys_enforced(
    store: SqliteStore, path: Path
) -> None:
    assert pragma(path, "journal_mode") == "wal"
    async with store.db.read() as conn:
        fetched = await conn.execute_fetchall("PRAGMA foreign_keys")
    assert fetched[0][0] == 1
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        async with store.write() as uow:
            await new_delegation(uow, 999, "Mali")
    assert await count(store, "delegations") == 0


# ---- transactions ----------------------------------------------------------------------


async def write_a_whole_meeting_then_fail(store: SqliteStore) -> None:
    async with store.write() as uow:
        meeting_id = await new_meeting(uow)
        botswana = await new_delegation(uow, meeting_id, "Botswana")
        await uow.meetings.add_member(meeting_id, botswana, "UCHAIR", NOW)
        item = await uow.items.create(meeting_id, botswana, "Exclude Russia", "UCHAIR", NOW)
        await uow.items.add_position(item.id, botswana, PositionKind.SUPPORT, "", "UCHAIR", NOW)
        await uow.notices.add(meeting_id, item.id, NoticeKind.ITEM_CARD, NOW)
        raise Rollback


async def test_a_write_that_raises_is_rolled_back_entirely(store: SqliteStore, path: Path) -> None:
    before = snapshot(path)
    with pytest.raises(Rollback):
        await write_a_whole_meeting_then_fail(store)
    assert snapshot(path) == before
    async with store.write() as uow:  # the lock and the connection are free again
        assert await uow.meetings.find("T0KP", "C0KASANE") is None
        await new_meeting(uow)
    assert await count(store, "meetings") == 1


async def register_mali_then_start_the_meeting_again(store: SqliteStore, meeting_id: int) -> None:
    async with store.write() as uow:
        await new_delegation(uow, meeting_id, "Mali")
        await new_meeting(uow)  # the same channel again: UNIQUE (team_id, channel_id)


async def test_a_constraint_failure_rolls_back_the_statements_before_it(
    store: SqliteStore, path: Path
) -> None:
    async with store.write() as uow:
        meeting_id = await new_meeting(uow)
    before = snapshot(path)
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        await register_mali_then_start_the_meeting_again(store, meeting_id)
    assert snapshot(path) == before


async def test_concurrent_writes_lose_nothing_and_mix_nothing(store: SqliteStore) -> None:
    async with store.write() as uow:
        meeting_id = await new_meeting(uow)
        chair = await new_delegation(uow, meeting_id, "Botswana")
        shared = await uow.items.create(meeting_id, chair, "Exclude Russia", "UCHAIR", NOW)
        delegations = [await new_delegation(uow, meeting_id, f"D{i:03d}") for i in range(120)]

    async def object_and_table(index: int, delegation_id: int, *, fail: bool) -> int:
        async with store.write() as uow:
            await uow.items.add_position(
                shared.id,
                delegation_id,
                PositionKind.OBJECTION,
                f"reason of D{index:03d}",
                f"U{index:03d}",
                NOW,
            )
            own = await uow.items.create(
                meeting_id, delegation_id, f"motion of D{index:03d}", f"U{index:03d}", NOW
            )
            await uow.notices.add(meeting_id, own.id, NoticeKind.ITEM_CARD, NOW)
            if fail:
                raise Rollback(index)
            return own.number

    failing = set(range(0, 120, 6))
    results = await asyncio.gather(
        *(object_and_table(i, d, fail=i in failing) for i, d in enumerate(delegations)),
        return_exceptions=True,
    )

    assert [i for i, r in enumerate(results) if isinstance(r, Rollback)] == sorted(failing)
    numbers = sorted(r for r in results if isinstance(r, int))
    assert numbers == list(range(2, 2 + 120 - len(failing)))  # no gaps left by rollbacks
    async with store.read() as uow:
        items = await uow.items.all(meeting_id)
        objected = await uow.items.get(shared.id)
    assert objected is not None
    stated = {p.delegation: p.statement for p in objected.positions}
    expected = {f"D{i:03d}" for i in range(120) if i not in failing}
    assert set(stated) == expected
    assert all(statement == f"reason of {name}" for name, statement in stated.items())
    assert {i.sponsor for i in items[1:]} == expected
    assert all(i.text == f"motion of {i.sponsor}" for i in items[1:])
    assert all(i.tabled_by == "U" + i.sponsor[1:] for i in items[1:])
    assert await count(store, "notices") == len(expected)


# ---- constraints -----------------------------------------------------------------------


async def test_a_delegation_holds_one_current_position_per_item(store: SqliteStore) -> None:
    async with store.write() as uow:
        meeting_id = await new_meeting(uow)
        mali = await new_delegation(uow, meeting_id, "Mali")
        item = await uow.items.create(meeting_id, mali, "Exclude Russia", "UMALI", NOW)
        await uow.items.add_position(item.id, mali, PositionKind.OBJECTION, "No", "UMALI", NOW)
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        async with store.write() as uow:
            await uow.items.add_position(item.id, mali, PositionKind.SUPPORT, "", "UMALI2", NOW)
    later = NOW + timedelta(minutes=5)
    async with store.write() as uow:
        assert await uow.items.end_position(item.id, mali, "UMALI", later)
        assert not await uow.items.end_position(item.id, mali, "UMALI", later)
        await uow.items.add_position(item.id, mali, PositionKind.OBJECTION, "Still no", "U2", later)
        current = await uow.items.get(item.id)
    assert current is not None
    assert [(p.delegation, p.statement) for p in current.positions] == [("Mali", "Still no")]
    assert await count(store, "positions") == 2  # the ended position stays on record


async def test_item_numbers_count_per_meeting(store: SqliteStore) -> None:
    places = [("T0KP", "C0KASANE"), ("T0KP", "C0GABORONE"), ("T0OTHER", "C0KASANE")]
    async with store.write() as uow:
        numbers: dict[tuple[str, str], list[int]] = {}
        for team, channel in places:
            meeting_id = await new_meeting(uow, team, channel)
            sponsor = await new_delegation(uow, meeting_id, "Botswana")
            for text in ("first", "second"):
                item = await uow.items.create(meeting_id, sponsor, text, "U1", NOW)
                numbers.setdefault((team, channel), []).append(item.number)
    assert numbers == {place: [1, 2] for place in places}
    async with store.read() as uow:
        meeting = await uow.meetings.find("T0OTHER", "C0KASANE")
        assert meeting is not None
        second = await uow.items.by_number(meeting.id, 2)
    assert second is not None
    assert second.text == "second"


@pytest.mark.parametrize(
    "same", ["CÔTE D'IVOIRE", unicodedata.normalize("NFD", "Côte d'Ivoire"), " côte  d'ivoire "]
)
async def test_a_delegation_name_is_taken_whatever_its_case_or_unicode_form(
    store: SqliteStore, same: str
) -> None:
    async with store.write() as uow:
        meeting_id = await new_meeting(uow)
        await new_delegation(uow, meeting_id, "Côte d'Ivoire")
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        async with store.write() as uow:
            await new_delegation(uow, meeting_id, same)
    async with store.read() as uow:
        found = await uow.meetings.delegation_named(meeting_id, name_key(same))
    assert found is not None
    assert found.name == "Côte d'Ivoire"


async def test_the_same_delegation_name_may_exist_in_two_meetings(store: SqliteStore) -> None:
    async with store.write() as uow:
        kasane = await new_meeting(uow, channel="C0KASANE")
        dubai = await new_meeting(uow, channel="C0DUBAI")
        await new_delegation(uow, kasane, "Türkiye")
        await new_delegation(uow, dubai, "Türkiye")
    assert await count(store, "delegations") == 2


async def test_a_removed_delegation_is_restored_as_the_same_row_in_its_new_role(
    store: SqliteStore,
) -> None:
    async with store.write() as uow:
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
    assert (absent, restored, again) == (None, old, None)  # only a removed one comes back
    assert found is not None
    assert (found.id, found.name, found.role, found.members) == (
        old,
        "Mali",
        Role.OBSERVER,
        ("UMALI2",),
    )
    assert [d.id for d in listed] == [old]
    assert present == 0
    assert await count(store, "attendance") == 0


async def test_a_user_belongs_to_one_delegation_per_meeting(store: SqliteStore) -> None:
    async with store.write() as uow:
        meeting_id = await new_meeting(uow)
        mali = await new_delegation(uow, meeting_id, "Mali")
        niger = await new_delegation(uow, meeting_id, "Niger")
        await uow.meetings.add_member(meeting_id, mali, "U1", NOW)
    with pytest.raises(sqlite3.IntegrityError):
        async with store.write() as uow:
            await uow.meetings.add_member(meeting_id, niger, "U1", NOW)
    async with store.read() as uow:
        of_user = await uow.meetings.delegation_of(meeting_id, "U1")
    assert of_user is not None
    assert of_user.name == "Mali"


# ---- the notice outbox -----------------------------------------------------------------


@pytest.fixture
async def notice_id(store: SqliteStore) -> int:
    async with store.write() as uow:
        meeting_id = await new_meeting(uow)
        return await uow.notices.add(meeting_id, None, NoticeKind.MEETING_STARTED, NOW)


async def test_a_new_notice_is_pending_at_its_first_revision(
    store: SqliteStore, notice_id: int
) -> None:
    async with store.read() as uow:
        pending = await uow.notices.pending(NOW, 10)
    assert [(n.id, n.revision, n.message_ts, n.channel_id) for n in pending] == [
        (notice_id, 1, None, "C0KASANE")
    ]


async def test_touching_a_pending_notice_twice_leaves_one_pending_revision(
    store: SqliteStore, notice_id: int
) -> None:
    async with store.write() as uow:
        await uow.notices.touch(notice_id)
        await uow.notices.touch(notice_id)
        pending = await uow.notices.pending(NOW, 10)
        waiting = await uow.notices.count_pending()
    assert [(n.id, n.revision) for n in pending] == [(notice_id, 3)]
    assert waiting == 1


async def test_a_notice_delivered_at_its_latest_revision_is_no_longer_pending(
    store: SqliteStore, notice_id: int
) -> None:
    async with store.write() as uow:
        await uow.notices.touch(notice_id)
        (due,) = await uow.notices.pending(NOW, 10)
        await uow.notices.mark_delivered(due.id, due.revision, "1718695800.000100")
        pending = await uow.notices.pending(NOW, 10)
        delivered = await uow.notices.get(notice_id)
    assert pending == []
    assert delivered is not None
    assert delivered.message_ts == "1718695800.000100"


async def test_a_notice_touched_during_delivery_stays_pending_to_be_edited(
    store: SqliteStore, notice_id: int
) -> None:
    async with store.read() as uow:
        (due,) = await uow.notices.pending(NOW, 10)
    async with store.write() as uow:  # a change lands while the post is in flight
        await uow.notices.touch(notice_id)
    async with store.write() as uow:
        await uow.notices.mark_delivered(due.id, due.revision, "1718695800.000100")
        pending = await uow.notices.pending(NOW, 10)
    assert [(n.id, n.revision, n.message_ts) for n in pending] == [
        (notice_id, 2, "1718695800.000100")
    ]


async def test_a_late_delivery_receipt_never_undoes_a_newer_one(
    store: SqliteStore, notice_id: int
) -> None:
    async with store.write() as uow:
        await uow.notices.touch(notice_id)
        await uow.notices.mark_delivered(notice_id, 2, "1.2")
        await uow.notices.mark_delivered(notice_id, 1, "1.2")
        assert await uow.notices.count_pending() == 0


async def test_a_closed_notice_stays_closed_when_touched_again(
    store: SqliteStore, notice_id: int
) -> None:
    async with store.write() as uow:
        await uow.notices.touch(notice_id, close=True)
        await uow.notices.touch(notice_id)
        notice = await uow.notices.get(notice_id)
    assert notice is not None
    assert notice.closed


async def test_a_failed_notice_waits_for_its_retry_time_and_a_touch_retries_it_now(
    store: SqliteStore, notice_id: int
) -> None:
    retry_at = NOW + timedelta(seconds=8)
    async with store.write() as uow:
        await uow.notices.mark_failed(notice_id, "ratelimited", retry_at, 1, failed_at=NOW)
        assert await uow.notices.pending(NOW, 10) == []
        assert await uow.notices.next_retry_at() == retry_at
        (due,) = await uow.notices.pending(retry_at, 10)
        assert due.attempts == 1
        await uow.notices.touch(notice_id)
        (again,) = await uow.notices.pending(NOW, 10)
    assert (again.revision, again.attempts) == (2, 0)


async def test_a_notice_given_up_on_is_no_longer_pending(
    store: SqliteStore, notice_id: int
) -> None:
    async with store.write() as uow:
        await uow.notices.mark_failed(notice_id, "channel_not_found", None, 1, failed_at=NOW)
        assert await uow.notices.count_pending() == 0
        assert await uow.notices.next_retry_at() is None


async def test_failed_notices_are_listed_newest_first_with_their_error_until_delivered(
    store: SqliteStore, notice_id: int
) -> None:
    later = NOW + timedelta(minutes=1)
    async with store.write() as uow:
        first = await uow.notices.get(notice_id)
        assert first is not None
        other_id = await uow.notices.add(first.meeting_id, None, NoticeKind.RECORD, NOW)
        await uow.notices.mark_failed(
            notice_id, "ratelimited", later + timedelta(seconds=2), 1, failed_at=NOW
        )
        await uow.notices.mark_failed(other_id, "TypeError: no files", None, 1, failed_at=later)
    async with store.read() as uow:
        failed = await uow.notices.failed(None, 10)
        assert [(n.id, n.last_error, n.attempts) for n in failed] == [
            (other_id, "TypeError: no files", 1),
            (notice_id, "ratelimited", 1),
        ]
        assert (failed[0].failed_at, failed[0].next_attempt_at) == (later, None)
        assert failed[1].next_attempt_at == later + timedelta(seconds=2)
        assert [n.id for n in await uow.notices.failed(later, 10)] == [other_id]
        assert await uow.notices.count_failed(NOW) == 2
    async with store.write() as uow:
        await uow.notices.mark_delivered(notice_id, 1, "1.2")
        assert [n.id for n in await uow.notices.failed(None, 10)] == [other_id]
        assert await uow.notices.count_failed(NOW) == 1


async def test_a_notice_with_nothing_left_to_announce_is_skipped_without_an_error(
    store: SqliteStore, notice_id: int
) -> None:
    async with store.write() as uow:
        await uow.notices.skip(notice_id, 1)
        assert await uow.notices.count_pending() == 0
        assert await uow.notices.failed(None, 10) == []


async def test_pending_notices_come_oldest_first_up_to_the_limit(store: SqliteStore) -> None:
    async with store.write() as uow:
        meeting_id = await new_meeting(uow)
        ids = [
            await uow.notices.add(meeting_id, None, NoticeKind.MEETING_STARTED, NOW)
            for _ in range(5)
        ]
        pending = await uow.notices.pending(NOW, 3)
    assert [n.id for n in pending] == ids[:3]


async def test_forgetting_a_deleted_message_makes_the_next_delivery_post_afresh(
    store: SqliteStore, notice_id: int
) -> None:
    async with store.write() as uow:
        await uow.notices.mark_delivered(notice_id, 1, "1.2")
        await uow.notices.forget_message(notice_id)
        notice = await uow.notices.get(notice_id)
    assert notice is not None
    assert notice.message_ts is None
