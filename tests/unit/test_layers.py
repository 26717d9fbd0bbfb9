"""The folders are the architecture: each layer is a package, and its imports point inward.

Rules are stated per package, so a new module is covered by being put in its layer's folder.
Standard-library imports are allowed everywhere except the few that would let pure code reach
the clock, the disk or the network.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What each layer may import, by package prefix: first-party layers and third-party packages.
PURE_STDLIB_FORBIDDEN = ("time", "logging", "sqlite3", "socket", "asyncio", "os", "subprocess")
LAYERS: dict[str, tuple[str, ...]] = {
    "bot.domain": ("bot.domain",),
    "bot.commands": ("bot.domain", "bot.commands"),
    "bot.ports": ("bot.domain", "bot.ports"),
    "bot.services": ("bot.domain", "bot.commands", "bot.ports", "bot.services"),
    "bot.render": ("bot.domain", "bot.commands", "bot.render", "slack_sdk.models"),
    "bot.delivery": (
        "bot.domain",
        "bot.ports",
        "bot.render",
        "bot.services",
        "bot.delivery",
        "slack_sdk",
        "aiohttp",
    ),
    "bot.scheduling": ("bot.domain", "bot.ports", "bot.scheduling", "apscheduler"),
    "bot.installs": (
        "bot.domain",
        "bot.ports",
        "bot.installs",
        "slack_sdk",
        "slack_bolt",
        "cryptography",
        "aiohttp",
    ),
    "handlers": (
        "bot.domain",
        "bot.commands",
        "bot.render",
        "bot.services",
        "bot.ports",
        "handlers.listening",
        "slack_bolt",
        "slack_sdk.web",
    ),
    "storage.common": ("bot.domain", "storage.common"),
    "storage.sqlite": ("bot.domain", "bot.ports", "storage.common", "storage.sqlite", "aiosqlite"),
    "storage.postgres": (
        "bot.domain",
        "bot.ports",
        "storage.common",
        "storage.postgres",
        "psycopg",
        "psycopg_pool",
    ),
    "bot.web": (
        "bot.domain",
        "bot.ports",
        "bot.render",
        "bot.services",
        "bot.web",
        "aiohttp",
    ),
}
PURE = ("bot.domain", "bot.commands", "bot.ports", "bot.render")
# The composition root and the demo rig see everything; nothing else may import them.
COMPOSITION = {
    "bot",
    "bot.app",
    "bot.serving",
    "bot.config",
    "bot.logs",
    "bot.requestlog",
    "bot.__main__",
}


def module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def layer_of(module: str) -> str | None:
    return next((layer for layer in LAYERS if within(module, layer)), None)


def product_modules() -> list[Path]:
    return sorted(
        p for folder in ("bot", "handlers", "storage") for p in (ROOT / folder).rglob("*.py")
    )


def violations(path: Path) -> list[str]:
    layer = layer_of(module_of(path))
    if layer is None:
        return []
    allowed = LAYERS[layer]
    wrong = []
    for name in sorted(imports(path)):
        top = name.split(".")[0]
        if top == "__future__":
            continue
        if top in sys.stdlib_module_names:
            if layer in PURE and top in PURE_STDLIB_FORBIDDEN:
                wrong.append(name)
            continue
        if layer == "handlers" and within(name, "handlers"):
            continue  # checked separately: handlers share only their listening helpers
        if not any(within(name, prefix) for prefix in allowed):
            wrong.append(name)
    return wrong


def test_every_product_module_lives_in_a_layer_package_or_the_composition_root() -> None:
    homeless = [
        module_of(p)
        for p in product_modules()
        if layer_of(module_of(p)) is None
        and module_of(p) not in COMPOSITION
        and not within(module_of(p), "bot.demo")
        and module_of(p) not in {"storage", "handlers"}
    ]
    assert homeless == []


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_each_layer_imports_only_what_its_rule_allows(layer: str) -> None:
    paths = [p for p in product_modules() if layer_of(module_of(p)) == layer]
    assert paths, f"{layer} has no modules"
    assert {module_of(p): violations(p) for p in paths} == {module_of(p): [] for p in paths}


def test_no_layer_imports_the_composition_root_or_the_demo() -> None:
    offenders = {
        module_of(p): sorted(
            name for name in imports(p) if name in COMPOSITION - {"bot"} or within(name, "bot.demo")
        )
        for p in product_modules()
        if layer_of(module_of(p)) is not None
    }
    assert {m: names for m, names in offenders.items() if names} == {}


def test_a_handler_imports_no_other_feature_handler() -> None:
    shared = {"handlers.listening"}
    offenders = {
        module_of(p): sorted(
            n for n in imports(p) if within(n, "handlers") and not any(within(n, s) for s in shared)
        )
        for p in (ROOT / "handlers").glob("*.py")
    }
    assert {m: names for m, names in offenders.items() if names} == {}


def test_only_the_scheduling_package_imports_apscheduler() -> None:
    users = {
        module_of(p) for p in product_modules() if any(within(n, "apscheduler") for n in imports(p))
    }
    assert {u for u in users if not within(u, "bot.scheduling")} == set()


def test_only_the_composition_root_imports_the_web_layer() -> None:
    users = {
        module_of(p)
        for p in product_modules()
        if not within(module_of(p), "bot.web") and any(within(n, "bot.web") for n in imports(p))
    }
    assert users <= COMPOSITION
