"""The cast of the seed story's KP Intersessional in Kasane, as every test that convenes it
meets it: a chair in no delegation, four participant delegations (Ukraine's has two members)
and one observer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bot.commands.meeting import AddDelegation
from bot.demo.rig import Rig
from bot.domain.rules import Role
from tests.support.answers import expect_ok

START = datetime(2026, 11, 2, 7, 30, tzinfo=UTC)  # the meeting's first morning
CHANNEL = "C0MEETING"  # where the meeting is held
TITLE = "KP Intersessional, Kasane"

CHAIR = "U0CHAIR"
RUSSIA = "U0RU"
BELARUS = "U0BY"
MALI = "U0ML"
UKRAINE = "U0UA"
UKRAINE_ALT = "U0UA2"  # Ukraine's second member
KPCSC = "U0CS"  # for the KP Civil Society Coalition, an observer
OUTSIDER = "U0NOBODY"  # in no delegation


@dataclass(frozen=True)
class Delegation:
    name: str
    role: Role
    members: tuple[str, ...]

    def add_command(self) -> str:
        """What the chair types after ``/meeting`` to register it, members as Slack sends
        mentions."""
        mentions = " ".join(f"<@{user}|{user.lower()}>" for user in self.members)
        return f"delegation add {self.name} {self.role.value} {mentions}"

    def request(self) -> AddDelegation:
        """The same registration, parsed, for tests that call the services directly."""
        return AddDelegation(self.name, self.role, self.members)


DELEGATIONS = (
    Delegation("Russian Federation", Role.PARTICIPANT, (RUSSIA,)),
    Delegation("Belarus", Role.PARTICIPANT, (BELARUS,)),
    Delegation("Mali", Role.PARTICIPANT, (MALI,)),
    Delegation("Ukraine", Role.PARTICIPANT, (UKRAINE, UKRAINE_ALT)),
    Delegation("KP Civil Society Coalition", Role.OBSERVER, (KPCSC,)),
)


async def convene(rig: Rig) -> Rig:
    """The chair starts the meeting and registers every delegation, by slash commands."""
    await expect_ok(rig, "/meeting", f"start {TITLE}", user=CHAIR)
    for delegation in DELEGATIONS:
        await expect_ok(rig, "/meeting", delegation.add_command(), user=CHAIR)
    return rig
