"""Runs the real bot as a subprocess (`python -m bot serve --port 0`) for tests that kill it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import psycopg

from bot.demo.rig import BOT_TOKEN, SIGNING_SECRET

ROOT = Path(__file__).resolve().parents[2]


class BotProcess:
    def __init__(
        self, database: Path | str, api_url: str, env: dict[str, str] | None = None
    ) -> None:
        """``database``: a SQLite file, or a ``postgresql://`` URL shared with other replicas."""
        self.database = database
        self.api_url = api_url
        self.extra_env = env or {}
        self.logged = asyncio.Event()  # set at each line the process logs
        self.process: asyncio.subprocess.Process | None = None
        self.url = ""
        self.log: list[dict[str, Any]] = []
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("SLACK_")},
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "HOST": "127.0.0.1",  # tests talk over loopback only
            "SLACK_API_URL": self.api_url,
            "DATABASE_URL": self.database
            if isinstance(self.database, str)
            else f"sqlite:///{self.database}",
            **self.extra_env,
        }
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "serve",
            "--port",
            "0",
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        port = await asyncio.wait_for(self._until_listening(), timeout=60)
        self.url = f"http://127.0.0.1:{port}"
        self._reader = asyncio.create_task(self._read_rest())

    async def _next_line(self) -> dict[str, Any] | None:
        assert self.process is not None
        assert self.process.stderr is not None
        raw = await self.process.stderr.readline()
        if not raw:
            return None
        try:
            entry: dict[str, Any] = json.loads(raw)
        except json.JSONDecodeError:
            entry = {"event": raw.decode(errors="replace").strip()}
        self.log.append(entry)
        self.logged.set()
        return entry

    async def _until_listening(self) -> int:
        while True:
            entry = await self._next_line()
            if entry is None:
                raise RuntimeError(f"the bot exited before listening: {self.log}")
            if entry.get("event") == "listening":
                return int(entry["port"])

    async def _read_rest(self) -> None:
        while await self._next_line() is not None:
            pass

    def send_signal(self, sig: signal.Signals) -> None:
        assert self.process is not None
        self.process.send_signal(sig)

    async def wait(self) -> int:
        assert self.process is not None
        code = await asyncio.wait_for(self.process.wait(), timeout=60)
        if self._reader is not None:
            await asyncio.wait_for(self._reader, timeout=10)
        return code

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.wait()


async def until(bots: list[BotProcess], condition: Callable[[], Awaitable[bool]]) -> None:
    """Until ``condition()`` holds: checked now, and again each time a live process logs a
    line (what the processes do that could make it hold is logged once it is recorded)."""
    while True:
        live = [b for b in bots if b.process is not None and b.process.returncode is None]
        for bot in live:
            bot.logged.clear()
        if await condition():
            return
        if not live:
            raise RuntimeError("no process left to make the condition hold")
        waits = [asyncio.create_task(b.logged.wait()) for b in live]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in waits:
                task.cancel()


def last_deliverer(conninfo: str, bots: list[BotProcess]) -> BotProcess:
    """The replica that last held the meeting's delivery lease (its owner names its pid)."""
    with psycopg.connect(conninfo) as conn:
        row = conn.execute(
            "SELECT owner FROM delivery_leases ORDER BY expires_at DESC LIMIT 1"
        ).fetchone()
    assert row is not None
    pid = int(str(row[0]).split(":")[1])
    (bot,) = [b for b in bots if b.process is not None and b.process.pid == pid]
    return bot
