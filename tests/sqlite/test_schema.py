"""How the SQLite file is kept: WAL, enforced foreign keys, and refused changes that never
reach the file, as another connection reads it."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain.errors import Duplicate
from bot.domain.model import NoticeKind
from bot.domain.rules import PositionKind, Role
from bot.ports.store import UnitOfWork
from storage.sqlite.database import Database
from storage.sqlite.store import SqliteStore
from storage.sqlite.units import Statements
from tests.support.sqlite_file import snapshot

NOW = datetime(2024, 6, 18, 7, 30, tzinfo=UTC)


class Rollback(Exception):
    """Raised on purpose inside a unit of work to abandon it."""


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "plenary.sqlite3"


@pytest.fixture
async def store(path: Path) -> AsyncIterator[SqliteStore]:
    database = await Database.open(path)
    yield SqliteStore(database)
    await database.close()


async def new_meeting(uow: UnitOfWork) -> int:
    meeting = await uow.meetings.create("T0KP", "C0KASANE", "KP Intersessional", "UCHAIR", NOW)
    return meeting.id


async def test_the_database_runs_in_wal_mode_with_foreign_keys_enforced(
    store: SqliteStore, path: Path
) -> None:
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

    async def foreign_keys(statements: Statements) -> int:
        fetched = await statements.execute_fetchall("PRAGMA foreign_keys")
        return int(fetched[0][0])

    assert await store.db.query(foreign_keys) == 1

    async def delegation_of_no_meeting(statements: Statements) -> None:
        await statements.execute(
            "INSERT INTO delegations (meeting_id, name, name_key, role, created_at)"
            " VALUES (999, 'Mali', 'mali', 'participant', ?)",
            (NOW.isoformat(),),
        )

    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        await store.db.transact(delegation_of_no_meeting)

    async def delegations(statements: Statements) -> int:
        fetched = await statements.execute_fetchall("SELECT count(*) FROM delegations")
        return int(fetched[0][0])

    assert await store.db.query(delegations) == 0


async def test_a_unit_that_raises_leaves_the_file_as_it_was(store: SqliteStore, path: Path) -> None:
    before = snapshot(path)

    async def a_whole_meeting_then_fail(uow: UnitOfWork) -> None:
        meeting_id = await new_meeting(uow)
        botswana = await uow.meetings.create_delegation(
            meeting_id, "Botswana", "botswana", Role.PARTICIPANT, NOW
        )
        await uow.meetings.add_member(meeting_id, botswana, "UCHAIR", NOW)
        item = await uow.items.create(meeting_id, botswana, "Exclude Russia", "UCHAIR", NOW)
        await uow.items.add_position(item.id, botswana, PositionKind.SUPPORT, "", "UCHAIR", NOW)
        await uow.notices.add(meeting_id, item.id, NoticeKind.ITEM_CARD, NOW)
        raise Rollback

    with pytest.raises(Rollback):
        await store.transact(a_whole_meeting_then_fail)
    assert snapshot(path) == before


async def test_a_refused_statement_leaves_the_file_as_it_was(
    store: SqliteStore, path: Path
) -> None:
    meeting_id = await store.transact(new_meeting)
    before = snapshot(path)

    async def register_mali_then_start_the_meeting_again(uow: UnitOfWork) -> None:
        await uow.meetings.create_delegation(meeting_id, "Mali", "mali", Role.PARTICIPANT, NOW)
        await new_meeting(uow)  # the same channel again: UNIQUE (team_id, channel_id)

    with pytest.raises(Duplicate):
        await store.transact(register_mali_then_start_the_meeting_again)
    assert snapshot(path) == before
