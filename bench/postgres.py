"""A PostgreSQL server for the replica scenario, and counts read from it.

``PLENARY_BENCH_POSTGRES_URL`` names a server to use. Without it a throwaway cluster is
started the way ``.ci/postgres.sh`` does for the tests (``initdb`` and ``pg_ctl`` as the
``postgres`` user when run as root, 127.0.0.1 only on a free port, in a temporary folder,
stopped and removed at the end; Debian's ``postgresql`` is installed first when missing and
this runs as root), with one difference: **fsync stays on**. The product's SQLite commits
with WAL and ``synchronous=FULL``, one fsync per commit (group commit shares it), and
PostgreSQL's defaults (``fsync=on``, ``synchronous_commit=on``) are the same promise: an
objection is acknowledged after its commit is on disk. The test clusters run with
``fsync=off`` (they assert behaviour, not durability), which is why ``PLENARY_TEST_POSTGRES_URL``
is not borrowed here; a server given by URL has its settings read and printed, and a warning
noted when it does not sync.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg

from bench.processes import BenchError, free_port

URL_VARIABLE = "PLENARY_BENCH_POSTGRES_URL"
DATABASE = "plenary_bench"


@dataclass(frozen=True)
class PostgresServer:
    """A PostgreSQL server: its URL, what it promises on commit, and (when this benchmark
    started it) its postmaster's pid, so its CPU time can be read."""

    url: str
    version: str
    fsync: str
    synchronous_commit: str
    throwaway: bool
    postmaster: int | None = None

    @property
    def durable(self) -> bool:
        return self.fsync == "on" and self.synchronous_commit != "off"

    def describe(self) -> str:
        where = "throwaway cluster" if self.throwaway else URL_VARIABLE
        return (
            f"PostgreSQL {self.version} ({where}), fsync={self.fsync},"
            f" synchronous_commit={self.synchronous_commit}"
        )

    def cpu_seconds(self) -> float:
        """CPU time of the postmaster and its children (backends, WAL writer …) so far;
        0 for a server this benchmark did not start (it may be on another machine)."""
        if self.postmaster is None:
            return 0.0
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                # The command may hold spaces; the fields after its closing parenthesis
                # do not: state, ppid, … utime (14th field) and stime (15th).
                fields = stat.read_text().rsplit(")", 1)[1].split()
                pid = int(stat.parent.name)
                if pid == self.postmaster or int(fields[1]) == self.postmaster:
                    total += int(fields[11]) + int(fields[12])
        return total / ticks


async def _describe(url: str, *, throwaway: bool, postmaster: int | None) -> PostgresServer:
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        values = []
        for setting in ("server_version", "fsync", "synchronous_commit"):
            cursor = await conn.execute(f"SHOW {setting}")
            row = await cursor.fetchone()
            values.append(str(row[0]) if row else "?")
    return PostgresServer(url, values[0].split()[0], values[1], values[2], throwaway, postmaster)


@contextlib.asynccontextmanager
async def server() -> AsyncIterator[PostgresServer]:
    """The server named by PLENARY_BENCH_POSTGRES_URL, or a throwaway cluster."""
    url = os.environ.get(URL_VARIABLE, "").strip()
    if url:
        yield await _describe(url, throwaway=False, postmaster=None)
        return
    cluster = _throwaway_cluster()  # initdb and pg_ctl take seconds: off the event loop
    started, postmaster = await asyncio.to_thread(cluster.__enter__)
    try:
        yield await _describe(started, throwaway=True, postmaster=postmaster)
    finally:
        await asyncio.to_thread(cluster.__exit__, None, None, None)


def _run(argv: list[str], what: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BenchError(f"{what} failed ({done.returncode}): {done.stderr.strip()[-500:]}")


def _bin_directory() -> Path:
    """The newest installed PostgreSQL's bin folder (Debian's layout), installing Debian's
    ``postgresql`` first when none is (as .ci/postgres.sh does; only as root)."""

    def found() -> list[Path]:
        return sorted(
            (p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")),
            key=lambda p: [int(x) for x in p.parent.name.split(".") if x.isdigit()],
        )

    if not found():
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            raise BenchError(
                "no PostgreSQL server: install Debian's postgresql package, or set"
                f" {URL_VARIABLE} to a server's postgresql:// URL"
            )
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for argv in (["apt-get", "update"], ["apt-get", "install", "-y", "postgresql"]):
            subprocess.run(argv, check=True, env=env, capture_output=True, timeout=600)  # noqa: S603
    binaries = found()
    if not binaries:
        raise BenchError("installing postgresql left no /usr/lib/postgresql/*/bin/initdb")
    return binaries[-1]


@contextlib.contextmanager
def _throwaway_cluster() -> Iterator[tuple[str, int]]:
    """initdb, start on 127.0.0.1 (fsync on), create the database; stop and remove it all
    on the way out, whatever happened. Yields the URL and the postmaster's pid."""
    bin_dir = _bin_directory()
    root = os.geteuid() == 0
    as_postgres = ["runuser", "-u", "postgres", "--"] if root else []
    folder = Path(tempfile.mkdtemp(prefix="plenary-bench-pg."))
    folder.chmod(0o755)
    if root:
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    pg_ctl = [*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data)]
    started = False
    try:
        _run(
            [
                *as_postgres,
                *(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"),
                *("-E", "UTF8", "--no-locale"),
            ],
            "initdb",
        )
        port = free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c max_connections=200"
            # The defaults, stated: each commit waits for its WAL to be on disk.
            " -c fsync=on -c synchronous_commit=on"
        )
        _run(
            [*pg_ctl, "-l", str(folder / "server.log"), "-w", "-t", "60", "-o", options, "start"],
            "pg_ctl start",
        )
        started = True
        _run(
            [
                *as_postgres,
                *(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port)),
                *("-U", "postgres", DATABASE),
            ],
            "createdb",
        )
        postmaster = int((data / "postmaster.pid").read_text().split()[0])
        yield f"postgresql://postgres@127.0.0.1:{port}/{DATABASE}", postmaster
    finally:
        if started:
            subprocess.run(  # noqa: S603
                [*pg_ctl, "-m", "fast", "-w", "stop"], capture_output=True, timeout=60, check=False
            )
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.asynccontextmanager
async def schema(url: str, name: str) -> AsyncIterator[str]:
    """A URL whose tables live in a new, empty schema of that server (dropped afterwards),
    so each setting of a run has a database of its own and a given server keeps nothing."""
    schema_name = f"bench_{name}_{secrets.token_hex(4)}"
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as admin:
        await admin.execute(f"CREATE SCHEMA {schema_name}")
        try:
            separator = "&" if "?" in url else "?"
            yield f"{url}{separator}options={quote(f'-c search_path={schema_name}')}"
        finally:
            await admin.execute(f"DROP SCHEMA {schema_name} CASCADE")


class Counts:
    """Read-only counts from one PostgreSQL schema, over one connection kept open: the same
    SQL as the SQLite counts in bench.common (``?`` placeholders)."""

    def __init__(self, conn: psycopg.AsyncConnection[tuple[object, ...]]) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, url: str) -> AsyncIterator[Counts]:
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
            yield cls(conn)

    async def count(self, sql: str, *args: object) -> int:
        async with self._lock:
            cursor = await self._conn.execute(sql.replace("?", "%s"), args)
            row = await cursor.fetchone()
        return int(str(row[0])) if row else 0
