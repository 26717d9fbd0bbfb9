"""Hints between replicas over PostgreSQL's LISTEN/NOTIFY. A hint is a courtesy that makes a
replica act sooner, never the only trigger: a lost one costs promptness, nothing else."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import psycopg
from psycopg import sql

from storage.postgres.database import Database, Statements

log = logging.getLogger(__name__)

CHANNEL = "plenary_plan"
RECONNECT_SECONDS = (0.5, 1.0, 2.0, 5.0, 10.0)  # waits before listening again, then the last


class PostgresHints:
    def __init__(self, db: Database, conninfo: str) -> None:
        self._db = db
        self._conninfo = conninfo
        self._channel: str | None = None
        # Sent one after another, in the order published: notifications arrive in commit
        # order, so a job planned twice in a row is heard with its latest time last.
        self._outbox: asyncio.Queue[str] = asyncio.Queue()
        self._sender: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()  # set while LISTEN is in effect

    async def channel(self) -> str:
        """One channel per schema: replicas share it only when they share the tables."""
        if self._channel is None:

            async def schema(statements: Statements) -> str:
                row = await statements.fetchone("SELECT current_schema()")
                return str(row[0]) if row else "public"

            self._channel = f"{CHANNEL}.{await self._db.query(schema)}"
        return self._channel

    def publish(self, payload: str) -> None:
        self._outbox.put_nowait(payload)
        if self._sender is None or self._sender.done():
            self._sender = asyncio.get_running_loop().create_task(self._send_all(), name="hints")

    async def _send_all(self) -> None:
        while True:
            await self.send(await self._outbox.get())

    async def send(self, payload: str) -> None:
        """Publish and wait until it is sent (committed); a failure is logged, not raised."""
        try:
            channel = await self.channel()

            async def unit(statements: Statements) -> None:
                await statements.execute("SELECT pg_notify(%s, %s)", (channel, payload))

            await self._db.transact(unit)
        except Exception as exc:  # a hint is never worth a failure of what sent it
            log.warning("hint not sent", extra={"exception": type(exc).__name__})

    async def listen(self, on_hint: Callable[[str], None]) -> None:
        failures = 0
        while True:
            try:
                channel = await self.channel()
                async with await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True
                ) as conn:
                    await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                    failures = 0
                    self.listening.set()
                    async for notify in conn.notifies():
                        try:
                            on_hint(notify.payload)
                        except Exception:
                            log.exception("hint not handled")
            except Exception as exc:  # the listener never dies: hints only make time sooner
                self.listening.clear()
                wait = RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)]
                failures += 1
                log.warning(
                    "not listening for hints; trying again",
                    extra={"exception": type(exc).__name__, "retry_in": wait},
                )
                await asyncio.sleep(wait)

    async def close(self) -> None:
        sender, self._sender = self._sender, None
        if sender is not None:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender
