"""The storage backends the end-to-end tests run the app on, for the ``database_url`` fixture
(tests/conftest.py): an empty database of each, named by the URL the app is given
(``DATABASE_URL``).

A test runs once per backend unless it is marked ``sqlite_only`` with the reason: its subject
is SQLite itself (the file, its write-ahead log, a process killed on it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.demo.rig import Rig
from storage.sqlite.database import sqlite_path

SQLITE = "sqlite"
POSTGRES = "postgres"
BACKENDS = (SQLITE, POSTGRES)

SQLITE_ONLY = "sqlite_only"  # the marker; its one argument, reason=, says why


def sqlite_url(folder: Path) -> str:
    """A new SQLite file's URL in ``folder`` (the file is made when the app opens it)."""
    return f"sqlite:///{folder / 'plenary.sqlite3'}"


def backends_for(test: pytest.Metafunc) -> tuple[str, ...]:
    """The backends a test runs on: SQLite alone when it is marked ``sqlite_only``, which
    must say why."""
    marker = test.definition.get_closest_marker(SQLITE_ONLY)
    if marker is None:
        return BACKENDS
    if not str(marker.kwargs.get("reason", "")).strip():
        raise pytest.UsageError(f"{test.definition.nodeid}: sqlite_only needs a reason=")
    return (SQLITE,)


def sqlite_file(rig: Rig) -> Path:
    """The SQLite file a rig runs on, for the tests whose subject is that file."""
    assert rig.database_url.startswith("sqlite:///"), "this test is for SQLite only"
    return Path(sqlite_path(rig.database_url))
