"""The command line: a missing or invalid setting stops start-up with one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KEY = "q1EhQ0wRZ0b1cTEZqCkq8r9TQ8xYjv7c2kH1m9nZb0M="  # a Fernet key for these tests only


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bot", *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (["serve"], {}, "SLACK_BOT_TOKEN is not set"),
        (["serve"], {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is not set"),
        (["serve"], {"SLACK_BOT_TOKEN": "abc", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        (["socket"], {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN is not set"),
        (
            ["serve"],
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PORT": "http"},
            "PORT must be a number",
        ),
        (
            ["check"],
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "DATABASE_URL": "mysql://x"},
            "DATABASE_URL must look like sqlite:///",
        ),
        (
            ["serve"],
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": "ftp://x"},
            "SLACK_API_URL must be an http(s) URL",
        ),
        (
            ["serve"],
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_CLIENT_ID": "1.2", "SLACK_SIGNING_SECRET": "s"},
            "SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set",
        ),
        (
            ["serve"],
            {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "x", "SLACK_SIGNING_SECRET": "s"},
            "PLENARY_TOKEN_KEY is not set",
        ),
        (
            ["serve"],
            {
                "SLACK_CLIENT_ID": "1.2",
                "SLACK_CLIENT_SECRET": "x",
                "PLENARY_TOKEN_KEY": "not-a-key",
                "SLACK_SIGNING_SECRET": "s",
            },
            "PLENARY_TOKEN_KEY is not a valid key",
        ),
        (
            ["socket"],
            {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "x", "PLENARY_TOKEN_KEY": KEY},
            "installing in any workspace needs serve mode",
        ),
        (
            ["serve"],
            {
                "SLACK_CLIENT_ID": "1.2",
                "SLACK_CLIENT_SECRET": "x",
                "PLENARY_TOKEN_KEY": KEY,
                "SLACK_SIGNING_SECRET": "s",
                "PLENARY_RETENTION_DAYS": "forever",
            },
            "PLENARY_RETENTION_DAYS must be a number of days",
        ),
        (
            ["serve"],
            {
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_SIGNING_SECRET": "s",
                "PLENARY_DELIVERY_LEASE_SECONDS": "1",
            },
            "PLENARY_DELIVERY_LEASE_SECONDS must be a number of seconds from 2 to 3600",
        ),
    ],
)
def test_a_bad_setting_stops_start_up_with_one_line_naming_it(
    args: list[str], env: dict[str, str], says: str
) -> None:
    result = run(args, env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines() + result.stdout.strip().splitlines()
    assert len(lines) == 1, lines
    assert says in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.sqlite_only(reason="PRAGMA integrity_check; tests/postgres/test_check.py checks PG")
def test_check_passes_on_a_healthy_database(tmp_path: Path) -> None:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "s",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}",
    }
    result = run(["check"], env)
    assert result.returncode == 0, result.stderr
    assert "database: ok" in result.stdout
    assert "mode: single workspace (SLACK_BOT_TOKEN)" in result.stdout
    assert "xoxb-1" not in result.stdout + result.stderr


def test_check_states_the_multi_workspace_mode_and_how_many_installed(tmp_path: Path) -> None:
    env = {
        "SLACK_CLIENT_ID": "1.2",
        "SLACK_CLIENT_SECRET": "x",
        "PLENARY_TOKEN_KEY": KEY,
        "SLACK_SIGNING_SECRET": "s",
        "PLENARY_RETENTION_DAYS": "45",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'plenary.sqlite3'}",
    }
    result = run(["check"], env)
    assert result.returncode == 0, result.stderr
    assert "mode: multi-workspace" in result.stdout
    assert "data kept 45 days after an uninstall" in result.stdout
    assert "workspaces: 0 installed" in result.stdout
    assert KEY not in result.stdout + result.stderr
