"""The meeting's use cases over the real SQLite store and a hand-moved clock, without Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.commands.meeting import AddDelegation
from bot.commands.motions import TableMotion
from bot.domain.errors import Conflict, NotAllowed, NotFound, PlenaryError
from bot.domain.model import RecordedPosition
from bot.domain.rules import (
    CONSENSUS,
    BlockChange,
    ItemStatus,
    Objection,
    Outcome,
    PositionKind,
    Role,
)
from bot.ports.clock import ManualClock
from bot.ports.store import UnitOfWork
from bot.services.items import ItemService
from bot.services.lookups import Caller
from bot.services.positions import PositionService
from bot.services.setup import SetupService
from storage.sqlite.database import Database
from storage.sqlite.store import SqliteStore
from storage.sqlite.units import Statements
from tests.support import cast
from tests.support.sqlite_file import snapshot

TEAM = "T0KP"
CHANNEL = "C0KASANE"

CHAIR = Caller(TEAM, CHANNEL, cast.CHAIR)
RUSSIA = Caller(TEAM, CHANNEL, cast.RUSSIA)
BELARUS = Caller(TEAM, CHANNEL, cast.BELARUS)
MALI = Caller(TEAM, CHANNEL, cast.MALI)
UKRAINE = Caller(TEAM, CHANNEL, cast.UKRAINE)
COALITION = Caller(TEAM, CHANNEL, cast.KPCSC)  # KP Civil Society Coalition, an observer
STRANGER = Caller(TEAM, CHANNEL, cast.OUTSIDER)  # in no delegation
ELSEWHERE = Caller(TEAM, "C0NOMEETING", cast.CHAIR)

PARTICIPANTS = sum(1 for d in cast.DELEGATIONS if d.role is Role.PARTICIPANT)


class Wakes:
    """Counts how often the service woke the announcer."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


class Timers:
    """Keeps the timers the service asks for, as the scheduler would."""

    def __init__(self) -> None:
        self.planned: dict[str, datetime] = {}

    def plan(self, job_id: str, at: datetime) -> None:
        self.planned[job_id] = at

    def cancel(self, job_id: str) -> None:
        self.planned.pop(job_id, None)


@dataclass
class Rig:
    setup: SetupService
    items: ItemService
    positions: PositionService
    store: SqliteStore
    clock: ManualClock
    wakes: Wakes
    timers: Timers
    path: Path

    async def notices(self, item_number: int) -> list[tuple[str, int, bool]]:
        async def unit(statements: Statements) -> list[tuple[str, int, bool]]:
            fetched = await statements.execute_fetchall(
                "SELECT kind, revision, closed FROM notices JOIN items"
                " ON items.id = notices.item_id WHERE items.number = ? ORDER BY notices.id",
                (item_number,),
            )
            return [(r[0], r[1], bool(r[2])) for r in fetched]

        return await self.store.db.query(unit)


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    path = tmp_path / "plenary.sqlite3"
    db = await Database.open(path)
    try:
        store = SqliteStore(db)
        clock = ManualClock(cast.START)
        wakes, timers = Wakes(), Timers()
        setup = SetupService(store, clock, notify=wakes, planner=timers)
        items = ItemService(store, clock, notify=wakes, planner=timers)
        positions = PositionService(store, clock, notify=wakes, planner=timers)
        yield Rig(setup, items, positions, store, clock, wakes, timers, path)
    finally:
        await db.close()


async def kasane(rig: Rig) -> None:
    """The Kasane intersessional: delegations registered, nothing tabled yet."""
    await rig.setup.start(CHAIR, cast.TITLE)
    for delegation in cast.DELEGATIONS:
        await rig.setup.add_delegation(CHAIR, delegation.request())


@pytest.fixture
async def meeting(rig: Rig) -> Rig:
    """Kasane with #1 open and objected to by Russia, and #2 adopted."""
    await kasane(rig)
    await rig.items.table(
        COALITION, TableMotion("Discuss whether Russian diamonds fund the war in Ukraine")
    )
    await rig.positions.object(RUSSIA, 1, "Outside the mandate of the KP")
    await rig.items.table(UKRAINE, TableMotion("Annex the letters to the record"))
    await rig.items.decide(CHAIR, 2)
    return rig


# ---- the story --------------------------------------------------------------------------


async def test_the_kasane_agenda_item_is_blocked_then_excised(rig: Rig) -> None:
    await kasane(rig)
    item = await rig.items.table(
        COALITION, TableMotion("Discuss whether Russian diamonds fund the war in Ukraine")
    )
    assert (item.number, item.sponsor) == (1, "KP Civil Society Coalition")
    assert item.status is ItemStatus.OPEN

    first = await rig.positions.object(RUSSIA, 1, "Outside the mandate")
    second = await rig.positions.object(BELARUS, 1, "")
    third = await rig.positions.object(MALI, 1, "Political, not technical")
    assert [first.change, second.change, third.change] == [
        BlockChange.NOW_BLOCKED,
        BlockChange.STILL_BLOCKED,
        BlockChange.STILL_BLOCKED,
    ]

    rig.clock.advance(timedelta(hours=3))
    result = await rig.items.decide(CHAIR, 1)

    assert result.item.status is ItemStatus.BLOCKED
    assert result.decision.outcome is Outcome.BLOCKED
    assert result.decision.rule == CONSENSUS
    assert result.decision.participants == PARTICIPANTS
    assert result.decision.objections == (
        Objection("Russian Federation", "Outside the mandate"),
        Objection("Belarus", ""),
        Objection("Mali", "Political, not technical"),
    )
    assert result.decision.decided_at == cast.START + timedelta(hours=3)
    assert result.decision.decided_by == CHAIR.user_id
    assert [kind for kind, _, _ in await rig.notices(1)] == ["item-card", "blocked", "outcome"]


async def test_an_item_nobody_objects_to_is_adopted(rig: Rig) -> None:
    await kasane(rig)
    await rig.items.table(UKRAINE, TableMotion("Exclude Russia from the meeting"))
    result = await rig.items.decide(CHAIR, 1)
    assert result.item.status is ItemStatus.ADOPTED
    assert result.decision.objections == ()


async def test_withdrawing_every_objection_unblocks_the_item(rig: Rig) -> None:
    await kasane(rig)
    await rig.items.table(UKRAINE, TableMotion("Exclude Russia from the meeting"))
    await rig.positions.object(BELARUS, 1, "")
    await rig.positions.object(MALI, 1, "")

    one_left = await rig.positions.withdraw_position(BELARUS, 1)
    none_left = await rig.positions.withdraw_position(MALI, 1)

    assert one_left.change is BlockChange.STILL_BLOCKED
    assert none_left.change is BlockChange.UNBLOCKED
    assert none_left.item.objections == ()
    assert (await rig.items.decide(CHAIR, 1)).item.status is ItemStatus.ADOPTED
    kinds = [(kind, closed) for kind, _, closed in await rig.notices(1)]
    assert kinds == [
        ("item-card", False),
        ("blocked", True),
        ("unblocked", False),
        ("outcome", False),
    ]


@pytest.mark.parametrize(
    ("who", "kind"),
    [
        (MALI, PositionKind.RESERVATION),
        (COALITION, PositionKind.STAND_ASIDE),
        (BELARUS, PositionKind.SUPPORT),
    ],
)
async def test_a_position_that_does_not_block_can_be_withdrawn_on_its_own(
    meeting: Rig, who: Caller, kind: PositionKind
) -> None:
    await meeting.positions.record_position(who, 1, kind, "For the record")
    withdrawn = await meeting.positions.withdraw_position(who, 1)

    assert withdrawn.previous is not None
    assert withdrawn.previous.kind is kind
    assert withdrawn.change is BlockChange.NONE  # Russia's objection still blocks alone
    item = await meeting.items.item(CHAIR, 1)
    assert [(p.delegation, p.kind) for p in item.positions] == [
        ("Russian Federation", PositionKind.OBJECTION)
    ]

    async def position_history(uow: UnitOfWork) -> list[RecordedPosition]:
        return await uow.items.position_history(item.meeting_id)

    history = await meeting.store.query(position_history)
    ended = [p for p in history if p.kind is kind]
    assert [p.end_reason for p in ended] == ["withdrawn"]
    assert all(p.ended_at is not None for p in ended)
    with pytest.raises(Conflict, match="has no position on #1"):
        await meeting.positions.withdraw_position(who, 1)


async def test_a_second_member_objecting_again_counts_the_delegation_once(meeting: Rig) -> None:
    before = snapshot(meeting.path)
    wakes = meeting.wakes.count
    again = await meeting.positions.object(Caller(TEAM, CHANNEL, cast.RUSSIA), 1, "")
    assert (again.replaced, again.change) == (True, BlockChange.NONE)
    assert (await meeting.items.item(CHAIR, 1)).objections == (
        Objection("Russian Federation", "Outside the mandate of the KP"),
    )
    assert snapshot(meeting.path) == before
    assert meeting.wakes.count == wakes


async def test_restating_an_objection_replaces_its_reason(meeting: Rig) -> None:
    restated = await meeting.positions.object(RUSSIA, 1, "Not a matter for the KP")
    assert (restated.updated, restated.change) == (True, BlockChange.STILL_BLOCKED)
    assert (await meeting.items.item(CHAIR, 1)).objections == (
        Objection("Russian Federation", "Not a matter for the KP"),
    )


async def test_removing_a_delegation_lapses_its_objections_and_frees_its_members(
    meeting: Rig,
) -> None:
    removed = await meeting.setup.remove_delegation(CHAIR, "russian federation")
    assert removed.name == "Russian Federation"
    agenda = (await meeting.items.agenda(CHAIR)).items
    assert agenda[0].objections == ()
    _, delegations = await meeting.setup.delegations(CHAIR)
    assert "Russian Federation" not in [d.name for d in delegations]
    _, mine = await meeting.setup.role_of(RUSSIA)
    assert mine is None
    assert ("unblocked", 1, False) in await meeting.notices(1)


async def test_adding_members_to_a_delegation_reports_who_was_new(meeting: Rig) -> None:
    meeting.clock.advance(timedelta(minutes=1))
    change = await meeting.setup.add_delegation(
        CHAIR, AddDelegation("UKRAINE", Role.PARTICIPANT, (cast.UKRAINE, "U0UA3"))
    )
    assert not change.created
    assert (change.added, change.already) == (("U0UA3",), (cast.UKRAINE,))
    assert change.delegation.members == (cast.UKRAINE, cast.UKRAINE_ALT, "U0UA3")


async def test_a_successful_change_wakes_the_announcer_after_committing(rig: Rig) -> None:
    await rig.setup.start(CHAIR, cast.TITLE)
    assert rig.wakes.count == 1

    async def pending(uow: UnitOfWork) -> int:
        return await uow.notices.count_pending()

    assert await rig.store.query(pending) == 1


# ---- refusals change nothing ----------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    name: str
    call: Callable[[Rig], Awaitable[object]]
    error: type[PlenaryError]
    says: str


def add(name: str, role: Role, *members: str) -> AddDelegation:
    return AddDelegation(name, role, members)


REFUSALS = [
    Refusal(
        "a non-chair registers a delegation",
        lambda s: s.setup.add_delegation(RUSSIA, add("Niger", Role.PARTICIPANT, "UNIGER")),
        NotAllowed,
        "Only the meeting's chairs can register delegations",
    ),
    Refusal(
        "a non-chair removes a delegation",
        lambda s: s.setup.remove_delegation(RUSSIA, "Ukraine"),
        NotAllowed,
        "Only the meeting's chairs",
    ),
    Refusal(
        "a non-chair adds a chair",
        lambda s: s.setup.add_chair(RUSSIA, cast.RUSSIA),
        NotAllowed,
        "Only the meeting's chairs",
    ),
    Refusal(
        "a non-chair decides",
        lambda s: s.items.decide(RUSSIA, 1),
        NotAllowed,
        "Only the meeting's chairs can decide",
    ),
    Refusal(
        "an observer objects",
        lambda s: s.positions.object(COALITION, 1, "We object"),
        NotAllowed,
        "observers cannot block",
    ),
    Refusal(
        "a user in no delegation tables",
        lambda s: s.items.table(STRANGER, TableMotion("A motion")),
        NotAllowed,
        "not a member of any delegation",
    ),
    Refusal(
        "a user in no delegation objects",
        lambda s: s.positions.object(STRANGER, 1, ""),
        NotAllowed,
        "not a member of any delegation",
    ),
    Refusal(
        "a user in no delegation withdraws",
        lambda s: s.positions.withdraw_position(STRANGER, 1),
        NotAllowed,
        "not a member of any delegation",
    ),
    Refusal(
        "an objection to an unknown item",
        lambda s: s.positions.object(MALI, 99, ""),
        NotFound,
        "no item #99",
    ),
    Refusal(
        "a withdrawal on an unknown item",
        lambda s: s.positions.withdraw_position(RUSSIA, 99),
        NotFound,
        "no item #99",
    ),
    Refusal(
        "deciding an unknown item", lambda s: s.items.decide(CHAIR, 99), NotFound, "no item #99"
    ),
    Refusal(
        "an objection to a decided item",
        lambda s: s.positions.object(MALI, 2, "Too late"),
        Conflict,
        "already adopted",
    ),
    Refusal(
        "a withdrawal on a decided item",
        lambda s: s.positions.withdraw_position(MALI, 2),
        Conflict,
        "already adopted",
    ),
    Refusal(
        "deciding a decided item", lambda s: s.items.decide(CHAIR, 2), Conflict, "already decided"
    ),
    Refusal(
        "withdrawing a position never taken",
        lambda s: s.positions.withdraw_position(MALI, 1),
        Conflict,
        "has no position on #1",
    ),
    Refusal(
        "starting a second meeting in the channel",
        lambda s: s.setup.start(MALI, "Another meeting"),
        Conflict,
        "already holds the meeting",
    ),
    Refusal(
        "re-registering a delegation with another role",
        lambda s: s.setup.add_delegation(CHAIR, add("mali", Role.OBSERVER, "UNEW")),
        Conflict,
        "registered as participant",
    ),
    Refusal(
        "putting a member of one delegation into another",
        lambda s: s.setup.add_delegation(
            CHAIR, add("Niger", Role.PARTICIPANT, "UNIGER", cast.MALI)
        ),
        Conflict,
        "already belongs to Mali",
    ),
    Refusal(
        "removing an unknown delegation",
        lambda s: s.setup.remove_delegation(CHAIR, "Atlantis"),
        NotFound,
        "No delegation is called “Atlantis”",
    ),
    Refusal(
        "tabling where no meeting is",
        lambda s: s.items.table(ELSEWHERE, TableMotion("A motion")),
        NotFound,
        "no meeting",
    ),
    Refusal(
        "objecting where no meeting is",
        lambda s: s.positions.object(ELSEWHERE, 1, ""),
        NotFound,
        "no meeting",
    ),
    Refusal(
        "deciding where no meeting is",
        lambda s: s.items.decide(ELSEWHERE, 1),
        NotFound,
        "no meeting",
    ),
    Refusal(
        "registering a delegation where no meeting is",
        lambda s: s.setup.add_delegation(ELSEWHERE, add("Niger", Role.PARTICIPANT, "UNIGER")),
        NotFound,
        "no meeting",
    ),
    Refusal(
        "reading the agenda where no meeting is",
        lambda s: s.items.agenda(ELSEWHERE),
        NotFound,
        "no meeting",
    ),
]


@pytest.mark.parametrize("refusal", REFUSALS, ids=[r.name for r in REFUSALS])
async def test_a_refused_request_says_why_and_changes_nothing(
    meeting: Rig, refusal: Refusal
) -> None:
    before = snapshot(meeting.path)
    wakes = meeting.wakes.count
    with pytest.raises(refusal.error) as caught:
        await refusal.call(meeting)
    assert refusal.says in caught.value.message
    assert snapshot(meeting.path) == before
    assert meeting.wakes.count == wakes
    # The refused transaction is over: the next request goes through.
    assert (await meeting.positions.object(MALI, 1, "")).change is BlockChange.STILL_BLOCKED


async def test_an_observer_objection_is_refused_and_changes_nothing(meeting: Rig) -> None:
    before = snapshot(meeting.path)
    with pytest.raises(NotAllowed, match="observers cannot block"):
        await meeting.positions.object(COALITION, 1, "The item must stay on the agenda")
    assert snapshot(meeting.path) == before
    agenda = (await meeting.items.agenda(CHAIR)).items
    assert agenda[0].objections == (
        Objection("Russian Federation", "Outside the mandate of the KP"),
    )
