"""What the contract tests set up through the ports: a meeting, its delegations, a moment."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.commands.tokens import name_key
from bot.domain.rules import Role
from bot.ports.store import UnitOfWork

NOW = datetime(2024, 6, 18, 7, 30, tzinfo=UTC)


class Rollback(Exception):
    """Raised on purpose inside a unit of work to abandon it."""


async def new_meeting(uow: UnitOfWork, team: str = "T0KP", channel: str = "C0KASANE") -> int:
    meeting = await uow.meetings.create(team, channel, "KP Intersessional", "UCHAIR", NOW)
    return meeting.id


async def new_delegation(
    uow: UnitOfWork, meeting_id: int, name: str, role: Role = Role.PARTICIPANT
) -> int:
    return await uow.meetings.create_delegation(meeting_id, name, name_key(name), role, NOW)
