"""SQLite's constraint refusals as the project's own errors, so none of the driver's crosses
a port."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from bot.domain.errors import Duplicate


@contextmanager
def unique(message: str, *, mentions: tuple[str, ...] = ()) -> Iterator[None]:
    """Raise ``Duplicate(message)`` when a statement inside breaks a uniqueness rule (a
    UNIQUE index or a primary key); every other failure passes through as it is."""
    try:
        yield
    except sqlite3.IntegrityError as exc:
        if not str(exc).startswith("UNIQUE constraint failed"):
            raise
        raise Duplicate(message, mentions=mentions) from exc
