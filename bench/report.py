"""The figures of one run: the printed table, its Markdown twin and the JSON file."""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import resource
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PASS, MISS, FAIL = "PASS", "MISS", "FAIL"


@dataclass(frozen=True)
class Figure:
    """One line of the table; ``verdict`` is PASS/MISS against a goal, FAIL for correctness."""

    scenario: str
    name: str
    value: float | int | str
    unit: str = ""
    runs: int = 1
    goal: str = ""
    verdict: str = ""

    def shown(self) -> str:
        if isinstance(self.value, float):
            if math.isnan(self.value):
                return "n/a"
            digits = 0 if abs(self.value) >= 100 else (1 if abs(self.value) >= 10 else 2)
            text = f"{self.value:,.{digits}f}"
        elif isinstance(self.value, int):
            text = f"{self.value:,}"
        else:
            text = self.value
        return f"{text} {self.unit}".strip()


def verdict(ok: bool) -> str:
    return PASS if ok else MISS


@dataclass
class Report:
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    figures: list[Figure] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    db_directory: Path | None = None
    _machine: dict[str, Any] = field(default_factory=dict)

    def add(self, figure: Figure) -> None:
        self.figures.append(figure)

    @property
    def failed(self) -> bool:
        return any(f.verdict == FAIL for f in self.figures)

    def machine(self) -> dict[str, Any]:
        if not self._machine:
            self._machine.update(machine_info(self.db_directory))
        return self._machine

    def header_lines(self) -> list[str]:
        m = self.machine()
        return [
            f"Plenary benchmark, {self.started.strftime('%Y-%m-%d %H:%M UTC')}",
            f"machine: {m['nproc']} cores, {m['cpu']}, {m['memory_gb']} GB RAM,"
            f" {m['system']}; Python {m['python']}; SQLite {m['sqlite']};"
            f" database on {m['db_filesystem']}",
            f"code: {m['commit']}; load average at start {m['loadavg']}",
        ]

    def table_rows(self) -> list[tuple[str, str, str, str, str, str]]:
        ordered = sorted(self.figures, key=lambda f: f.scenario.split()[0])  # stable
        return [(f.scenario, f.name, f.shown(), str(f.runs), f.goal, f.verdict) for f in ordered]

    def text(self) -> str:
        head = ("scenario", "figure", "value", "runs", "goal", "")
        rows = [head, *self.table_rows()]
        widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
        lines = [*self.header_lines(), ""]
        for index, row in enumerate(rows):
            lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
            if index == 0:
                lines.append("  ".join("-" * w for w in widths))
        lines += ["", *self.notes]
        return "\n".join(lines)

    def markdown(self) -> str:
        lines = [f"_{line}_  " for line in self.header_lines()]
        lines += [
            "",
            "| scenario | figure | value | runs | goal | |",
            "| --- | --- | ---: | ---: | --- | --- |",
        ]
        for row in self.table_rows():
            cells = [c.replace("|", "\\|") for c in row]
            lines.append("| " + " | ".join(cells) + " |")
        if self.notes:
            lines += ["", *(f"- {n}" for n in self.notes)]
        return "\n".join(lines) + "\n"

    def as_json(self) -> dict[str, Any]:
        return {
            "started": self.started.isoformat(timespec="seconds"),
            "machine": self.machine(),
            "figures": [asdict(f) for f in self.figures],
            "notes": self.notes,
            "raw": self.raw,
        }

    def write(self, directory: Path) -> tuple[Path, Path]:
        directory.mkdir(parents=True, exist_ok=True)
        json_path = directory / "latest.json"
        md_path = directory / "latest.md"
        json_path.write_text(
            json.dumps(self.as_json(), indent=2, ensure_ascii=False, default=_jsonable) + "\n"
        )
        md_path.write_text(self.markdown())
        return json_path, md_path


def _jsonable(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)


def machine_info(db_directory: Path | None) -> dict[str, Any]:
    """What the figures were measured on: cores, CPU, memory, versions, disk, code."""

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "nproc": os.cpu_count() or 0,
        "affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 0,
        "cpu": cpu,
        "memory_gb": memory_gb,
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "db_filesystem": filesystem_of(db_directory) if db_directory else "unknown",
        "commit": git_commit(),
        "executable": sys.executable,
        "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def filesystem_of(path: Path) -> str:
    """The filesystem type of the mount holding ``path`` (ext4, tmpfs, overlay …)."""
    best, kind = "", "unknown"
    target = str(path.resolve())
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return kind
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        mount = parts[1]
        inside = target == mount or target.startswith(mount.rstrip("/") + "/")
        if inside and len(mount) > len(best):
            best, kind = mount, parts[2]
    return kind


def git_commit() -> str:
    """The commit benchmarked, and how many files differ from it (read-only git calls)."""
    repo = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"
    return head + (f" + {len(dirty)} uncommitted changed files" if dirty else "")


@dataclass(frozen=True)
class CpuSample:
    busy: float  # CPU-seconds all processes on the machine have used since boot
    steal: float  # CPU-seconds the hypervisor gave to other guests instead
    own: float  # CPU-seconds of this process and its reaped children (the servers)
    wall: float


def cpu_sample() -> CpuSample:
    """Where the machine's CPU time went, to tell our load from anybody else's."""
    ticks = os.sysconf("SC_CLK_TCK")
    busy = steal = 0.0
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        user, nice, system, _idle, _iowait, irq, softirq, stolen = (int(x) for x in fields[:8])
        busy = (user + nice + system + irq + softirq) / ticks
        steal = stolen / ticks
    except (OSError, ValueError, IndexError):
        pass
    own = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        own += usage.ru_utime + usage.ru_stime
    return CpuSample(busy, steal, own, time.monotonic())


def foreign_load(
    before: CpuSample, after: CpuSample, *, own_elsewhere: float = 0.0
) -> dict[str, float]:
    """CPU others used between two samples, in CPU-seconds and as a share of all cores.
    ``own_elsewhere``: CPU-seconds of processes the benchmark started that are not its
    children (a PostgreSQL cluster, which pg_ctl detaches), so not others' load either."""
    wall = max(after.wall - before.wall, 1e-9)
    own = after.own - before.own + own_elsewhere
    other = max(0.0, (after.busy - before.busy) - own)
    cores = os.cpu_count() or 1
    return {
        "wall_s": round(wall, 1),
        "own_cpu_s": round(own, 1),
        "other_cpu_s": round(other, 1),
        "other_share": round(other / (wall * cores), 3),
        "steal_share": round((after.steal - before.steal) / (wall * cores), 3),
    }


def source_fingerprint() -> str:
    """A digest of the product's sources (paths, sizes, mtimes), to notice edits mid-run."""
    repo = Path(__file__).resolve().parent.parent
    digest = hashlib.sha1(usedforsecurity=False)
    for package in ("bot", "handlers", "storage"):
        for path in sorted((repo / package).rglob("*.py")):
            stat = path.stat()
            digest.update(f"{path.relative_to(repo)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:12]
