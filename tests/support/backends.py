"""The storage backends the end-to-end tests run the app on, for the ``database_url`` fixture
(tests/conftest.py): an empty database of each, named by the URL the app is given
(``DATABASE_URL``).

A test runs once per backend unless it is marked, with the reason, to run on SQLite alone:
``sqlite_only`` when its subject is SQLite itself (the file, its write-ahead log, a process
killed on it); ``storage_agnostic`` when its subject is not storage at all and running it
twice would only cost time (Slack's retries, waited out in real time; a browser's
rendering). Which tests run on PostgreSQL is thus a chosen subset: everything else, which
covers every slash command, /meeting subcommand, button and form (a test in
tests/e2e/test_permissions.py fails otherwise)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from bot.demo.rig import Rig
from storage.sqlite.database import sqlite_path

SQLITE = "sqlite"
POSTGRES = "postgres"
BACKENDS = (SQLITE, POSTGRES)

# The markers keeping a test on SQLite; each takes one argument, reason=, saying why.
ONE_BACKEND = ("sqlite_only", "storage_agnostic")


def sqlite_url(folder: Path) -> str:
    """A new SQLite file's URL in ``folder`` (the file is made when the app opens it)."""
    return f"sqlite:///{folder / 'plenary.sqlite3'}"


def backends_for(test: pytest.Metafunc) -> tuple[str, ...]:
    """The backends a test runs on, as its markers (its own and its module's) say."""
    return backends_by(test.definition.iter_markers(), test.definition.nodeid)


def backends_of(test: Callable[..., object]) -> tuple[str, ...]:
    """The backends a test function runs on, read from its markers and its module's."""
    module = sys.modules[test.__module__]
    marks = [*_marks(getattr(test, "pytestmark", [])), *_marks(getattr(module, "pytestmark", []))]
    return backends_by(marks, test.__qualname__)


def _marks(declared: object) -> list[pytest.Mark]:
    """A ``pytestmark`` as its marks: one decorator, or a list of decorators or marks."""
    listed: list[object] = declared if isinstance(declared, list) else [declared]
    return [
        m.mark if isinstance(m, pytest.MarkDecorator) else m
        for m in listed
        if isinstance(m, pytest.MarkDecorator | pytest.Mark)
    ]


def backends_by(marks: Iterable[pytest.Mark], test: str) -> tuple[str, ...]:
    """SQLite alone when one of ``marks`` is in ``ONE_BACKEND``, which must say why."""
    for mark in marks:
        if mark.name in ONE_BACKEND:
            if not str(mark.kwargs.get("reason", "")).strip():
                raise pytest.UsageError(f"{test}: {mark.name} needs a reason=")
            return (SQLITE,)
    return BACKENDS


def sqlite_file(rig: Rig) -> Path:
    """The SQLite file a rig runs on, for the tests whose subject is that file."""
    assert rig.database_url.startswith("sqlite:///"), "this test is for SQLite only"
    return Path(sqlite_path(rig.database_url))
