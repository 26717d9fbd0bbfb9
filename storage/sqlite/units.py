"""Units of work on the database thread: each runs whole, in a savepoint of its batch's
transaction (writes) or in a read transaction (queries), awaiting only its statements."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import traceback
from collections.abc import Callable, Coroutine, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

Parameters = Sequence[Any]
T = TypeVar("T")


@dataclass(frozen=True)
class Executed:
    """What a write statement reports: the rows it changed and the rowid it inserted."""

    rowcount: int
    lastrowid: int | None


class Statements:
    """A unit of work's statements, run on the database thread itself.

    Every unit (a write through ``Database.transact``, a read through ``Database.query``)
    runs whole on aiosqlite's thread, so each statement here executes at once, in order:
    a failing statement raises where it is written and fails its own unit.
    """

    def __init__(self, raw: sqlite3.Connection) -> None:
        self._raw = raw

    async def execute(self, sql: str, parameters: Parameters = ()) -> Executed:
        cursor = self._raw.execute(sql, parameters)
        return Executed(cursor.rowcount, cursor.lastrowid)

    async def execute_fetchall(self, sql: str, parameters: Parameters = ()) -> list[sqlite3.Row]:
        return self._raw.execute(sql, parameters).fetchall()

    async def fetch_each(
        self, queries: Sequence[tuple[str, Parameters]]
    ) -> list[list[sqlite3.Row]]:
        """Several independent queries, each one's rows in order."""
        return [self._raw.execute(sql, args).fetchall() for sql, args in queries]

    async def executemany(self, sql: str, seq_of_parameters: Iterable[Parameters]) -> None:
        self._raw.executemany(sql, seq_of_parameters)


Unit = Callable[[Statements], Coroutine[Any, Any, T]]


class UnitAwaitedError(TypeError):
    """A unit of work awaited something other than its statements.

    Units run whole on the database thread, inside a transaction, where nothing else can be
    awaited; anything that needs the event loop (a Slack call, a sleep, a lock) belongs before
    or after the unit, never inside it."""


class _NoEventLoop:
    """The event loop a unit sees on the database thread: any use of it is refused.

    A unit that touches the loop (a sleep, a lock, an HTTP call) would otherwise fail there
    in whatever way that library fails without a loop, or hang; this names what it did."""

    def __getattribute__(self, name: str) -> Any:
        stack = traceback.extract_stack()[:-1]
        here = [i for i, f in enumerate(stack) if f.filename == __file__]
        frames = [f for f in stack[here[-1] + 1 if here else 0 :] if "asyncio" not in f.filename]
        where = " → ".join(f"{f.name} ({Path(f.filename).name}:{f.lineno})" for f in frames[-3:])
        raise UnitAwaitedError(
            f"a unit of work used the event loop ({name}) in {where or 'a unit'}. A unit may"
            " await only its repositories; do anything else before or after it."
        )


_NO_LOOP = cast(asyncio.AbstractEventLoop, _NoEventLoop())


@contextlib.contextmanager
def _without_event_loop() -> Iterator[None]:
    """On the database thread, while a unit runs: the loop it would find is ``_NO_LOOP``."""
    asyncio.events._set_running_loop(_NO_LOOP)
    try:
        yield
    finally:
        asyncio.events._set_running_loop(None)


def run_units(
    units: list[Unit[Any]], raw: sqlite3.Connection
) -> list[tuple[Any, Exception | None]]:
    """On the database thread: one transaction, each unit in its savepoint, then COMMIT.
    A unit that raises is undone alone; the commit, or its failure, covers all of them."""
    raw.execute("BEGIN IMMEDIATE")
    try:
        outcomes: list[tuple[Any, Exception | None]] = []
        for unit in units:
            try:
                outcomes.append((_in_savepoint(unit, raw), None))
            except Exception as exc:
                if not raw.in_transaction:
                    # SQLite rolled the whole transaction back (disk full, I/O error): the
                    # units before this one are undone too, and none after it may run
                    # outside a transaction. Every unit in the trip fails with this error.
                    raise
                outcomes.append((None, exc))
        raw.execute("COMMIT")
    except BaseException:
        if raw.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                raw.execute("ROLLBACK")
        raise
    return outcomes


def _in_savepoint(unit: Unit[T], raw: sqlite3.Connection) -> T:
    """On the database thread: run ``unit`` to its end inside a savepoint of the batch."""
    raw.execute("SAVEPOINT unit")
    try:
        with _without_event_loop():
            result = _run_to_end(unit(Statements(raw)))
    except BaseException:
        _undo_unit(raw)
        raise
    raw.execute("RELEASE unit")
    return result


def _undo_unit(raw: sqlite3.Connection) -> None:
    """On the database thread: roll the unit back to its savepoint and release it; nothing
    to undo when SQLite has already rolled back the whole transaction."""
    if raw.in_transaction:
        raw.execute("ROLLBACK TO unit")
        raw.execute("RELEASE unit")


def run_query(unit: Unit[T], raw: sqlite3.Connection) -> T:
    """On the database thread: ``unit`` in one read transaction, a consistent snapshot."""
    raw.execute("BEGIN")
    try:
        with _without_event_loop():
            return _run_to_end(unit(Statements(raw)))
    finally:
        if raw.in_transaction:
            raw.execute("COMMIT")


def _run_to_end(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a unit's coroutine, whose awaits all complete at once since they are statements.

    A unit that suspends is waiting on something that needs the event loop: it is closed
    (its statements are undone with its savepoint) and refused, naming what it awaited."""
    try:
        awaited = coroutine.send(None)
    except StopIteration as finished:
        result: T = finished.value
        return result
    chain = _await_chain(coroutine)
    coroutine.close()
    what = f" (which yielded {awaited!r})" if awaited is not None else ""
    raise UnitAwaitedError(
        f"a unit of work awaited something other than its statements: {chain}{what}. A unit"
        " may await only its repositories; do anything else before or after it."
    )


def _await_chain(coroutine: Coroutine[Any, Any, Any]) -> str:
    """``unit (file.py:12) → sleep (tasks.py:640)``: each coroutine waiting on the next."""
    links = []
    current: Any = coroutine
    while current is not None:
        frame = getattr(current, "cr_frame", None) or getattr(current, "gi_frame", None)
        if frame is not None:
            code = frame.f_code
            links.append(f"{code.co_name} ({Path(code.co_filename).name}:{frame.f_lineno})")
        current = getattr(current, "cr_await", None) or getattr(current, "gi_yieldfrom", None)
    return " → ".join(links) or "an awaitable"
