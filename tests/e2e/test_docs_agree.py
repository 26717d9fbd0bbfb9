"""README, /meeting help, manifest.yml and the running app describe the same commands."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from bot.app import BOT_SCOPES
from bot.commands.reference import COMMANDS, SLASH_COMMANDS
from bot.demo.rig import Rig
from bot.domain.text import escape
from tests.support.answers import expect_ok
from tests.support.cast import CHAIR

ROOT = Path(__file__).resolve().parents[2]


def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    return loaded


def test_the_manifest_is_valid_against_slacks_official_schema() -> None:
    schema = json.loads((ROOT / "tests/data/manifest.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(manifest(), schema)
    commands = manifest()["features"]["slash_commands"]
    assert len(commands) <= 50
    for command in commands:
        assert 2 <= len(command["command"]) <= 32
        assert command["should_escape"] is True


def test_the_manifest_declares_exactly_the_commands_the_code_knows() -> None:
    declared = {c["command"] for c in manifest()["features"]["slash_commands"]}
    assert declared == set(SLASH_COMMANDS)
    assert {c.usage.split()[0] for c in COMMANDS} == set(SLASH_COMMANDS)


def test_the_readme_documents_every_command_usage() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [c.usage for c in COMMANDS if f"`{c.usage}`" not in readme]
    assert missing == []
    assert readme.lstrip().startswith("# Plenary")
    first_commands = readme[: readme.index("make test") + 20]
    assert "make demo" in first_commands


async def test_every_declared_command_is_handled_by_the_running_app(rig: Rig) -> None:
    for command in manifest()["features"]["slash_commands"]:
        reply = await rig.command(command["command"], "help", user=CHAIR)
        assert reply.status == 200
        assert "Plenary commands" in reply.text
    unknown = await rig.command("/not-ours", "help", user=CHAIR)
    assert unknown.status == 404


async def test_meeting_help_shows_a_chair_in_a_delegation_every_command(rig: Rig) -> None:
    await expect_ok(rig, "/meeting", "start Board", user=CHAIR)
    await expect_ok(
        rig, "/meeting", f"delegation add Secretariat participant <@{CHAIR}>", user=CHAIR
    )
    help_text = str((await rig.command("/meeting", "help", user=CHAIR)).json["blocks"])
    assert [c.usage for c in COMMANDS if escape(c.usage) not in help_text] == []


def test_the_manifest_declares_what_installing_in_any_workspace_needs() -> None:
    declared = manifest()
    assert declared["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)
    assert "user" not in declared["oauth_config"]["scopes"]
    redirects = declared["oauth_config"]["redirect_urls"]
    assert [url.rsplit("/", 2)[-2:] for url in redirects] == [["slack", "oauth_redirect"]]
    events = declared["settings"]["event_subscriptions"]["bot_events"]
    assert {"app_uninstalled", "tokens_revoked"} <= set(events)
    assert declared["settings"]["org_deploy_enabled"] is True


def test_the_readme_lists_exactly_the_settings_the_code_reads() -> None:
    """Every environment variable bot/config.py reads has a row in README's settings table,
    and every row names one it reads."""
    source = (ROOT / "bot/config.py").read_text(encoding="utf-8")
    read = set(re.findall(r'"((?:SLACK|PLENARY|DATABASE|PORT|HOST|PUBLIC)[A-Z_]*)"', source))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| `")]
    listed = {name for row in rows for name in re.findall(r"`([A-Z][A-Z_]+)`", row.split("|")[1])}
    assert "PLENARY_SWEEP_SECONDS" in read
    assert read == listed
