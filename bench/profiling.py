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

# Checked in order: a sample belongs to the first category one of its frames matches.
MAIN_CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("garbage collector", ("gc_collect",)),
    ("announcer (outbox, rendering, Web API calls)", ("(bot/delivery/",)),
    (
        "handing SQL to the aiosqlite thread (queue put)",
        ("_queue_SimpleQueue_put", "Connection._execute (aiosqlite"),
    ),
    (
        "woken by the aiosqlite thread (self-pipe, futures)",
        ("_read_from_self", "set_result (aiosqlite"),
    ),
    ("signature verification", ("(slack_sdk/signature", "(hmac.py")),
    ("logging (JSON lines)", ("(logging/", "(bot/logs.py", "(aiohttp/web_log.py")),
    (
        "row mapping, Item.objections",
        ("(storage/common/rows.py", "(bot/domain/model.py", "(bot/domain/rules.py"),
    ),
    ("service + repository code", ("(bot/services/", "(storage/")),
    ("rendering the ack", ("(bot/render/", "(handlers/cards.py")),
    ("handler, command parsing", ("(handlers/", "(bot/commands/")),
    ("Bolt dispatch (slack_bolt)", ("(slack_bolt/",)),
    ("aiohttp HTTP server", ("(aiohttp/", "_http_parser", "llhttp")),
)
WORKER_CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("fsync (commit)", ("fsync", "fdatasync")),
    (
        "waking the event loop (self-pipe write)",
        ("sock_send", "call_soon_threadsafe", "_write_to_self"),
    ),
    ("fetching rows", ("fetchall", "fetchone", "fetchmany", "fetch_one_row")),
    ("SQLite executing statements", ("sqlite3_step", "stmt_step", "sqlite3_prepare")),
    # Database.transact runs whole units of work on this thread: their Python is here too.
    ("the units' Python: services, row mapping", ("(bot/", "(storage/")),
    ("aiosqlite's worker loop", ("(aiosqlite/",)),
)
MAIN_IDLE = ("select (selectors.py",)
WORKER_IDLE = ("_queue_SimpleQueue_get", "SimpleQueue.get")
RATE = 250  # samples a second


def py_spy() -> str | None:
    found = shutil.which("py-spy", path=str(Path(sys.executable).parent))
    return found or shutil.which("py-spy")


class Profiler:
    def __init__(self, pid: int, directory: Path) -> None:
        self.pid = pid
        self.directory = directory
        self.raw = directory / "objection-burst.raw.txt"
        self.error = ""

    @asynccontextmanager
    async def sampling(self, seconds: float) -> AsyncIterator[None]:
        tool = py_spy()
        if tool is None:
            self.error = "py-spy is not installed (.venv/bin/pip install py-spy)"
            yield
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        self.raw.unlink(missing_ok=True)
        proc = await asyncio.create_subprocess_exec(
            tool,
            "record",
            "--pid",
            str(self.pid),
            "--rate",
            str(RATE),
            "--format",
            "raw",
            "--threads",
            "--idle",
            # Native frames show fsync, futex and self-pipe time; to take them py-spy pauses
            # the bot at every sample, which slows it (the figures report by how much).
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
            if not self.raw.exists():
                self.error = "py-spy wrote no profile: " + err.decode(errors="replace")[-500:]

    def summary(self, objections: int, rate: int = RATE) -> dict[str, Any]:
        """Samples per category, as a share of busy time and as ms per objection."""
        if self.error or not self.raw.exists():
            return {"error": self.error or "no profile written"}
        threads: dict[str, Counter[str]] = {"main": Counter(), "aiosqlite": Counter()}
        for line in self.raw.read_text(errors="replace").splitlines():
            stack, _, number = line.rpartition(" ")
            if not number.isdigit():
                continue
            frames = stack.split(";")
            if "MainThread" in frames[0]:
                threads["main"][classify(frames, MAIN_IDLE, MAIN_CATEGORIES)] += int(number)
            elif "_connection_worker_thread" in stack:
                threads["aiosqlite"][classify(frames, WORKER_IDLE, WORKER_CATEGORIES)] += int(
                    number
                )
        result: dict[str, Any] = {"raw_file": str(self.raw), "objections": objections}
        for name, counts in threads.items():
            busy = sum(n for category, n in counts.items() if category != "idle")
            total = busy + counts.get("idle", 0)
            result[name] = {
                "busy_share": round(busy / total, 3) if total else 0.0,
                "busy_ms_per_objection": round(1000 * busy / rate / objections, 3),
                "categories": {
                    category: {
                        "share_of_busy": round(n / busy, 3),
                        "ms_per_objection": round(1000 * n / rate / objections, 3),
                    }
                    for category, n in counts.most_common()
                    if category != "idle" and busy
                },
            }
        return result


def classify(
    frames: list[str], idle: tuple[str, ...], categories: tuple[tuple[str, tuple[str, ...]], ...]
) -> str:
    if any(marker in frame for frame in frames for marker in idle):
        return "idle"
    for name, markers in categories:
        if any(marker in frame for frame in frames for marker in markers):
            return name
    return "other (event loop, sockets, interpreter)"
