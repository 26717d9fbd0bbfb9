"""What the tests expect of the app's answers."""

from __future__ import annotations

from bot.demo.rig import Rig


async def expect_ok(rig: Rig, command: str, text: str, *, user: str) -> str:
    """Send a slash command that must succeed; its answer's text."""
    reply = await rig.command(command, text, user=user)
    assert reply.status == 200, reply.raw
    assert ":warning:" not in reply.raw, reply.text
    return reply.text
