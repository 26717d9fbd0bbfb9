"""The durable floor: the least an app can do to acknowledge an objection it will not lose.

Served exactly as the bare app and the product are (Bolt ``AsyncApp`` behind aiohttp, the
signature verified, ``process_before_response=True``), its ``/object`` handler parses
``<item> <reason>``, hands one row to a group-commit writer and acknowledges only after the
COMMIT holding that row has returned. The writer keeps one aiosqlite connection to a SQLite
file in WAL with ``synchronous=FULL`` (as the product's): the rows that queue while one
commit runs are written together by the next, one transaction and one fsync for all of them.

No lookup, no check, no outbox, no log line: what is left is the work a durable
acknowledgement cannot skip, so the product's throughput over this app's is the share of
the machine its own logic leaves. ``python -m bench.floor_app --port N --database PATH``
with ``SLACK_SIGNING_SECRET`` set.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bench.bare_app import reference_app, serve, server_arguments

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS objections (id INTEGER PRIMARY KEY, team_id TEXT NOT NULL,"
    " channel_id TEXT NOT NULL, user_id TEXT NOT NULL, item INTEGER NOT NULL,"
    " reason TEXT NOT NULL, created_at TEXT NOT NULL)"
)
INSERT = (
    "INSERT INTO objections (team_id, channel_id, user_id, item, reason, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
# How the benchmark counts what the floor stored, per item.
STORED = "SELECT count(*) FROM objections WHERE channel_id = ? AND item = ?"

Row = tuple[str, str, str, int, str, str]


@dataclass
class GroupCommit:
    """One writer task: it takes every row queued so far, writes them in one transaction
    (the sqlite3 module opens it before the INSERTs) and resolves each row's future after
    the COMMIT. Rows that arrive meanwhile wait for the next batch."""

    conn: aiosqlite.Connection
    queue: asyncio.Queue[tuple[Row, asyncio.Future[None]]] = field(default_factory=asyncio.Queue)
    batches: int = 0

    async def write(self, row: Row) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.queue.put_nowait((row, done))
        await done

    async def run(self) -> None:
        while True:
            batch = [await self.queue.get()]
            while not self.queue.empty():
                batch.append(self.queue.get_nowait())
            try:
                await self.conn.executemany(INSERT, [row for row, _ in batch])
                await self.conn.commit()
            except Exception as exc:
                with contextlib.suppress(Exception):
                    await self.conn.rollback()
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
            else:
                self.batches += 1
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)


def parse(text: str) -> tuple[int, str] | None:
    """``<item> <reason>`` (the item may be written ``#3``), or None if there is no number."""
    words = text.split(maxsplit=1)
    if not words or not words[0].lstrip("#").isdigit():
        return None
    return int(words[0].lstrip("#")), (words[1] if len(words) > 1 else "")


def floor_app(signing_secret: str, writer: GroupCommit) -> AsyncApp:
    app = reference_app(signing_secret)

    @app.command("/object")
    async def on_object(ack: AsyncAck, command: dict[str, Any]) -> None:
        parsed = parse(str(command.get("text", "")))
        if parsed is None:
            await ack("Name the item you object to: `/object <item> <reason>`.")
            return
        number, reason = parsed
        row: Row = (
            str(command.get("team_id", "")),
            str(command.get("channel_id", "")),
            str(command.get("user_id", "")),
            number,
            reason,
            datetime.now(UTC).isoformat(),
        )
        await writer.write(row)
        await ack(f"Recorded your objection to item {number}.")

    return app


async def open_database(path: Path) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(str(path))  # deferred transactions, committed explicitly
    try:
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA synchronous = FULL")
        await conn.execute("PRAGMA busy_timeout = 5000")
        await conn.execute(SCHEMA)
        await conn.commit()
    except BaseException:
        await conn.close()
        raise
    return conn


async def serve_floor(port: int, signing_secret: str, database: Path) -> None:
    conn = await open_database(database)
    writer = GroupCommit(conn)
    task = asyncio.create_task(writer.run())
    try:
        await serve(port, floor_app(signing_secret, writer))
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.floor_app", description=__doc__)
    parser.add_argument("--database", type=Path, required=True)
    args, secret = server_arguments(parser, argv)
    asyncio.run(serve_floor(args.port, secret, args.database))
    return 0


if __name__ == "__main__":
    sys.exit(main())
