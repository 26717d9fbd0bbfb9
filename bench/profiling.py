"""Optional sampling profile of the bot during objection bursts (``python -m bench --profile``).

Attaches py-spy (installed separately: ``.venv/bin/pip install py-spy``; it is not a project
dependency) to the bot's pid, records raw collapsed stacks of every thread, native frames
included, and sorts the samples into where the time of an objection goes.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

# Checked in order; a sample belongs to the first category any of its frames matches.
MAIN_CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("signature verification", ("slack_sdk/signature",)),
    ("announcer (outbox, rendering, Web API calls)", ("bot/announcer.py",)),
    ("logging (JSON lines, access log)", ("logging/", "bot/logs.py", "web_log.py")),
    ("rendering acks (bot/render.py)", ("bot/render.py",)),
    ("row mapping (storage/*.py)", ("storage/",)),
    ("service + handler code", ("bot/services.py", "bot/lookups.py", "handlers/", "bot/")),
    ("aiosqlite hand-off (queue, futures)", ("aiosqlite/",)),
    ("Bolt dispatch (slack_bolt)", ("slack_bolt/",)),
    ("Web API client (slack_sdk)", ("slack_sdk/",)),
    ("aiohttp HTTP server", ("aiohttp/",)),
)
WORKER_CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("fsync (commit)", ("fsync", "fdatasync")),
    ("SQLite statements", ("sqlite3", "pysqlite", "_sqlite", "aiosqlite")),
)
IDLE_FRAMES = ("select (selectors.py", "epoll", "_worker_main_loop", "wait (threading.py")


def py_spy() -> str | None:
    found = shutil.which("py-spy", path=str(Path(sys.executable).parent))
    return found or shutil.which("py-spy")


class Profiler:
    def __init__(self, pid: int, directory: Path) -> None:
        self.pid = pid
        self.directory = directory
        self.raw = directory / "objection-burst.raw.txt"
        self.samples: Counter[str] = Counter()
        self.error = ""

    @asynccontextmanager
    async def sampling(self, seconds: float) -> AsyncIterator[None]:
        tool = py_spy()
        if tool is None:
            self.error = "py-spy is not installed (.venv/bin/pip install py-spy)"
            yield
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        proc = await asyncio.create_subprocess_exec(
            tool,
            "record",
            "--pid",
            str(self.pid),
            "--rate",
            "250",
            "--format",
            "raw",
            "--threads",
            "--idle",
            "--native",
            "--duration",
            str(max(1, int(seconds))),
            "--output",
            str(self.raw),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        await asyncio.sleep(1.0)  # let it attach
        try:
            yield
        finally:
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGINT)
            try:
                _, err = await asyncio.wait_for(proc.communicate(), 60)
            except TimeoutError:
                proc.kill()
                err = b""
            if proc.returncode not in (0, -signal.SIGINT) and not self.raw.exists():
                self.error = err.decode(errors="replace")[-500:]

    def summary(self) -> dict[str, Any]:
        if self.error or not self.raw.exists():
            return {"error": self.error or "no profile written"}
        threads: dict[str, Counter[str]] = {}
        for line in self.raw.read_text(errors="replace").splitlines():
            stack, _, number = line.rpartition(" ")
            if not number.isdigit():
                continue
            frames = stack.split(";")
            thread = frames[0]
            kind = "main" if "MainThread" in thread else "worker"
            bucket = threads.setdefault(kind, Counter())
            bucket[classify(frames[1:], kind)] += int(number)
        return {
            "raw_file": str(self.raw),
            "threads": {name: dict(c.most_common()) for name, c in threads.items()},
        }


def classify(frames: list[str], kind: str) -> str:
    leaf = frames[-1] if frames else ""
    if any(marker in leaf for marker in IDLE_FRAMES) or leaf.startswith(("epoll_wait", "__")):
        return "idle"
    categories = MAIN_CATEGORIES if kind == "main" else WORKER_CATEGORIES
    for name, markers in categories:
        if any(marker in frame for frame in frames for marker in markers):
            return name
    return "other (event loop, interpreter)"
