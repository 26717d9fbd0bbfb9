"""Dependencies point inward: the domain knows no Slack, SQL, clock or logging."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PURE = [
    "bot/domain.py",
    "bot/records.py",
    "bot/errors.py",
    "bot/text.py",
    "bot/commands.py",
    "bot/reference.py",
    "bot/calendar.py",
    "bot/digest.py",
]
FORBIDDEN_IN_PURE = (
    "slack_sdk",
    "slack_bolt",
    "aiosqlite",
    "sqlite3",
    "aiohttp",
    "logging",
    "apscheduler",
    "storage",
    "handlers",
    "time",
)


def imports(path: str) -> set[str]:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def offending(path: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        name
        for name in imports(path)
        for bad in forbidden
        if name == bad or name.startswith(bad + ".")
    )


def test_the_domain_imports_only_the_standard_library_and_its_pure_siblings() -> None:
    assert {path: offending(path, FORBIDDEN_IN_PURE) for path in PURE} == {p: [] for p in PURE}


def test_services_and_handlers_never_import_storage_or_the_composition_root() -> None:
    paths = [
        "bot/services.py",
        "bot/render.py",
        "bot/blocks.py",
        "bot/render_schedule.py",
        "bot/render_procedure.py",
        "bot/announcer.py",
    ] + [str(p.relative_to(ROOT)) for p in (ROOT / "handlers").glob("*.py")]
    forbidden = ("storage", "aiosqlite", "bot.app", "bot.demo")
    assert {p: offending(p, forbidden) for p in paths} == {p: [] for p in paths}


def test_only_the_scheduling_module_imports_apscheduler() -> None:
    users = [
        str(p.relative_to(ROOT))
        for folder in ("bot", "handlers", "storage")
        for p in (ROOT / folder).rglob("*.py")
        if offending(str(p.relative_to(ROOT)), ("apscheduler",))
    ]
    assert set(users) <= {"bot/scheduling.py"}
