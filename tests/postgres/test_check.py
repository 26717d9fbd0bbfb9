"""``python -m bot check`` on PostgreSQL: the database is reached, migrated and reported ok."""

from __future__ import annotations

import asyncio
import os
import sys

from tests.support.postgres import scratch_schema


async def _check(database_url: str) -> tuple[int, str]:
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "s",
        "DATABASE_URL": database_url,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "check", env=env, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode()


async def test_check_migrates_an_empty_postgres_database_and_reports_it_ok() -> None:
    async with scratch_schema() as url:
        code, out = await _check(url)
        assert code == 0, out
        assert out.splitlines() == [
            f"database: ok ({url})",
            "notices: none failed",
            "mode: single workspace (SLACK_BOT_TOKEN)",
            "replicas: may share this database; each sweeps due work every 30 s"
            " (PLENARY_SWEEP_SECONDS) and hears the others' deadlines over LISTEN/NOTIFY;"
            " a meeting's notices go out under a 30 s lease (PLENARY_DELIVERY_LEASE_SECONDS)",
        ]


async def test_check_names_an_unreachable_postgres_server_and_hides_its_password() -> None:
    code, out = await _check("postgresql://plenary:hunter2@127.0.0.1:1/plenary")
    assert code == 1
    assert out.startswith("database: cannot open postgresql://plenary:***@127.0.0.1:1/plenary")
    assert "hunter2" not in out
