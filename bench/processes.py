"""Subprocesses under test: the bot (``python -m bot serve``) and the two reference apps,
bare Bolt (``bench.bare_app``) and the durable floor (``bench.floor_app``).

Each listens on a free loopback port, logs to a file, is polled on ``/healthz`` a bounded
number of times, and is stopped with SIGTERM (then SIGKILL after a timeout).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp

REPO = Path(__file__).resolve().parent.parent
BOT_TOKEN = "xoxb-fake"
HEALTH_POLL_SECONDS = 0.02
HEALTH_TRIES = 3000  # 60 s at 20 ms
STOP_TIMEOUT = 15.0


class BenchError(RuntimeError):
    """The benchmark could not measure something (a process died, a wait timed out)."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def child_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["NO_PROXY"] = "127.0.0.1,localhost"
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


@dataclass
class Server:
    """One server subprocess; ``started_at`` is the wall-clock time of the spawn."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    port: int
    started_at: float = 0.0
    started_mono: float = 0.0
    healthy_after: float = 0.0  # seconds from spawn to the first /healthz 200
    _proc: asyncio.subprocess.Process | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self._proc is not None, f"{self.name} is not running"
        return self._proc.pid

    async def start(self, session: aiohttp.ClientSession) -> None:
        with self.log_path.open("ab") as log:
            self.started_at = time.time()
            self.started_mono = time.monotonic()
            self._proc = await asyncio.create_subprocess_exec(
                *self.argv,
                cwd=REPO,
                env=self.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        try:
            await self._wait_healthy(session)
        except BaseException:
            await self.stop()
            raise

    async def _wait_healthy(self, session: aiohttp.ClientSession) -> None:
        assert self._proc is not None
        for _ in range(HEALTH_TRIES):
            if self._proc.returncode is not None:
                raise BenchError(
                    f"{self.name} exited with {self._proc.returncode} before answering"
                    f" /healthz; its log: {self.log_path}\n{self.log_tail()}"
                )
            with contextlib.suppress(aiohttp.ClientError, OSError):
                async with session.get(
                    self.url + "/healthz", timeout=aiohttp.ClientTimeout(total=5)
                ) as response:
                    if response.status == 200:
                        self.healthy_after = time.monotonic() - self.started_mono
                        return
            await asyncio.sleep(HEALTH_POLL_SECONDS)
        raise BenchError(f"{self.name} did not answer /healthz 200 in time; log: {self.log_path}")

    async def stop(self) -> int | None:
        proc, self._proc = self._proc, None
        if proc is None:
            return None
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), STOP_TIMEOUT)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await asyncio.wait_for(proc.wait(), STOP_TIMEOUT)
        return proc.returncode

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def events(self) -> list[dict[str, Any]]:
        """The JSON log lines the process wrote so far."""
        found: list[dict[str, Any]] = []
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return found
        for line in text.splitlines():
            if line.startswith("{"):
                with contextlib.suppress(ValueError):
                    entry = json.loads(line)
                    if isinstance(entry, dict):
                        found.append(entry)
        return found

    def seconds_to_event(self, event: str) -> tuple[float, dict[str, Any]] | None:
        """Seconds from spawn to the first log line with this ``event``, and the line."""
        for entry in self.events():
            if entry.get("event") == event and isinstance(entry.get("time"), str):
                logged = datetime.fromisoformat(entry["time"]).timestamp()
                return logged - self.started_at, entry
        return None

    async def await_event(self, event: str) -> tuple[float, dict[str, Any]] | None:
        """``seconds_to_event``, polling the log for up to two minutes until the line
        appears (serve listens first and logs "timekeeping started" after its catch-up)."""
        for _ in range(2400):
            found = self.seconds_to_event(event)
            if found is not None:
                return found
            await asyncio.sleep(0.05)  # the log is a file another process writes
        return None

    def cpu_seconds(self) -> float:
        """CPU time the process's threads have run so far, in nanosecond resolution
        (``/proc/<pid>/task/*/schedstat``; a thread that ended is no longer counted)."""
        total = 0
        for stat in Path(f"/proc/{self.pid}/task").glob("*/schedstat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                total += int(stat.read_text().split()[0])
        return total / 1e9

    def proc_status(self) -> dict[str, int]:
        """VmRSS, VmHWM (peak RSS) and friends from /proc/<pid>/status, in kB."""
        found: dict[str, int] = {}
        status = Path(f"/proc/{self.pid}/status").read_text()
        for line in status.splitlines():
            key, _, value = line.partition(":")
            if key.startswith("Vm") and value.strip().endswith("kB"):
                found[key] = int(value.split()[0])
        return found


def bot_server(
    workdir: Path, name: str, database: Path | str, api_url: str, signing_secret: str
) -> Server:
    """``database``: a SQLite file, or a ``postgresql://`` URL (replicas share one)."""
    port = free_port()
    env = child_env(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": signing_secret,
            "SLACK_API_URL": api_url,
            "DATABASE_URL": database if isinstance(database, str) else f"sqlite:///{database}",
            "HOST": "127.0.0.1",
        }
    )
    return Server(
        name=name,
        argv=[sys.executable, "-m", "bot", "serve", "--port", str(port)],
        env=env,
        log_path=workdir / f"{name}.log",
        port=port,
    )


def bare_server(workdir: Path, name: str, signing_secret: str) -> Server:
    port = free_port()
    return Server(
        name=name,
        argv=[sys.executable, "-m", "bench.bare_app", "--port", str(port)],
        env=child_env({"SLACK_SIGNING_SECRET": signing_secret}),
        log_path=workdir / f"{name}.log",
        port=port,
    )


def floor_server(
    workdir: Path,
    name: str,
    database: Path | str,
    signing_secret: str,
    *,
    trips: int = 4,
) -> Server:
    """``database``: a SQLite file, or a ``postgresql://`` URL (the floor on PostgreSQL, in
    ``trips`` round trips per objection)."""
    port = free_port()
    where = (
        ["--database", str(database)] if isinstance(database, Path) else ["--postgres", database]
    )
    return Server(
        name=name,
        argv=[
            sys.executable,
            *("-m", "bench.floor_app", "--port", str(port), *where),
            *(["--trips", str(trips)] if isinstance(database, str) else []),
        ],
        env=child_env({"SLACK_SIGNING_SECRET": signing_secret}),
        log_path=workdir / f"{name}.log",
        port=port,
    )
