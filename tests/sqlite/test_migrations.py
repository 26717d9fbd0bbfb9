"""Migrations of the SQLite file: each applied once, with its version, all or nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain.model import Item, Meeting
from bot.ports.store import UnitOfWork
from storage.sqlite.database import Database
from storage.sqlite.migrations import MIGRATIONS
from storage.sqlite.store import SqliteStore
from tests.support.sqlite_file import snapshot

NOW = datetime(2024, 6, 18, 7, 30, tzinfo=UTC)


def user_version(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "plenary.sqlite3"


@pytest.fixture
async def migrated(path: Path) -> AsyncIterator[Database]:
    database = await Database.open(path)
    yield database
    await database.close()


async def test_migrations_leave_the_schema_at_the_latest_version(
    migrated: Database, path: Path
) -> None:
    assert user_version(path) == len(MIGRATIONS)
    assert await migrated.integrity_check() == "ok"


async def test_reopening_an_up_to_date_database_changes_nothing(
    migrated: Database, path: Path
) -> None:
    async def start(uow: UnitOfWork) -> None:
        await uow.meetings.create("T0KP", "C0KASANE", "KP Intersessional", "UCHAIR", NOW)

    await SqliteStore(migrated).transact(start)
    before = snapshot(path)
    again = await Database.open(path)
    await again.close()
    assert snapshot(path) == before
    assert user_version(path) == len(MIGRATIONS)


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

    async def find(uow: UnitOfWork) -> Meeting | None:
        return await uow.meetings.find("T0KP", "C0KASANE")

    db = await Database.open(path)
    try:
        meeting = await SqliteStore(db).query(find)
    finally:
        await db.close()
    assert meeting is not None
    assert meeting.title == "KP Plenary 2023"
    assert user_version(path) == len(MIGRATIONS)


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

    async def all_items(uow: UnitOfWork) -> list[Item]:
        return await uow.items.all(1)

    db = await Database.open(path)
    try:
        items = {i.number: i for i in await SqliteStore(db).query(all_items)}
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
    assert user_version(path) == 0
    with closing(sqlite3.connect(path)) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"chairs"}


async def test_the_old_majority_rule_becomes_the_blocking_minority_it_always_was_on_upgrade(
    path: Path,
) -> None:
    at = NOW.isoformat()
    with closing(sqlite3.connect(path)) as conn:
        for script in MIGRATIONS[:10]:
            conn.executescript(script)
        for meeting_id, rule in ((1, "majority:2/3"), (2, "majority:3/4"), (3, "consensus")):
            conn.execute(
                "INSERT INTO meetings (id, team_id, channel_id, title, created_by, created_at,"
                " rule) VALUES (?, 'T0KP', ?, 'KP', 'UCHAIR', ?, ?)",
                (meeting_id, f"C{meeting_id}", at, rule),
            )
        conn.execute(
            "INSERT INTO delegations (id, meeting_id, name, name_key, role, created_at)"
            " VALUES (1, 1, 'Ukraine', 'ukraine', 'participant', ?)",
            (at,),
        )
        conn.execute(
            "INSERT INTO items (id, meeting_id, number, sponsor_id, text, status, tabled_by,"
            " tabled_at, closed_at) VALUES (1, 1, 1, 1, 'Exclude', 'blocked', 'U', ?, ?)",
            (at, at),
        )
        conn.execute(
            "INSERT INTO decisions (item_id, outcome, rule, participants, objections,"
            " decided_at, decided_by) VALUES (1, 'blocked', 'majority:2/3', 13, '[]', ?, 'U')",
            (at,),
        )
        conn.execute("PRAGMA user_version = 10")
        conn.commit()

    async def rules_now(uow: UnitOfWork) -> list[str]:
        meetings = [await uow.meetings.get(n) for n in (1, 2, 3)]
        decision = await uow.items.decision(1)
        assert decision is not None
        return [m.rule.encode() for m in meetings if m] + [decision.rule.encode()]

    db = await Database.open(path)
    try:
        assert await SqliteStore(db).query(rules_now) == [
            "blocking-minority:1/3",  # under "2/3 majority", more than a third objecting blocked
            "blocking-minority:1/4",
            "consensus",
            "blocking-minority:1/3",
        ]
        assert await db.integrity_check() == "ok"
    finally:
        await db.close()
