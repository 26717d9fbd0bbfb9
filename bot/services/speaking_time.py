"""Speaking time: each turn's 30-second warning and its end, planned as timers and handled
as due work, each exactly once whatever restarts come between (the rows are the truth)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.floor import Floor, Turn, turn_times
from bot.domain.model import NoticeKind
from bot.ports.store import Planner, Store, UnitOfWork


def warning_job(turn_id: int) -> str:
    return f"floor-warning:{turn_id}"


def time_job(turn_id: int) -> str:
    return f"floor-time:{turn_id}"


async def floor_changed(uow: UnitOfWork, floor: Floor, *, close: bool = False) -> None:
    """The list message and the Home tabs show the change."""
    if floor.notice_id is not None:
        await uow.notices.touch(floor.notice_id, close=close)
    await uow.homes.mark_stale(floor.meeting_id)


def plan_turn(planner: Planner, turn: Turn) -> None:
    """The turn's warning and end, as scheduler jobs (the rows are the truth)."""
    if turn.ends_at is None:
        return
    warn_at, _ = turn_times(turn.started_at, turn.ends_at - turn.started_at)
    assert warn_at is not None
    if turn.warned_at is None:
        planner.plan(warning_job(turn.id), warn_at)
    if turn.expired_at is None:
        planner.plan(time_job(turn.id), turn.ends_at)


async def keep_floor_time(store: Store, now: datetime) -> tuple[list[int], list[int]]:
    """Warn each speaker whose time nearly ran out and show "time is up" on each list whose
    speaker's time ran out: each once, whatever restarts come between (the row is claimed
    in the same transaction as the notice is queued). Returns (warned, expired) turn ids."""

    async def due(uow: UnitOfWork) -> tuple[list[int], list[int]]:
        return await uow.floor.warnings_due(now), await uow.floor.expiries_due(now)

    warnings, expiries = await store.query(due)
    warned: list[int] = []
    expired: list[int] = []
    for turn_id in warnings:

        async def warn(uow: UnitOfWork, turn_id: int = turn_id) -> bool:
            floor = await _lock_meeting_of_turn(uow, turn_id)
            turn = await uow.floor.turn(turn_id)
            if floor is None or turn is None or not await uow.floor.mark_warned(turn_id, now):
                return False
            if turn.ends_at is not None and now >= turn.ends_at:
                return False  # too late to warn: the end is shown instead
            await uow.notices.add(
                floor.meeting_id, floor.item_id, NoticeKind.FLOOR_WARNING, now, {"turn": turn_id}
            )
            return True

        if await store.transact(warn):
            warned.append(turn_id)
    for turn_id in expiries:

        async def expire(uow: UnitOfWork, turn_id: int = turn_id) -> bool:
            floor = await _lock_meeting_of_turn(uow, turn_id)
            if floor is None or not await uow.floor.mark_expired(turn_id, now):
                return False
            await floor_changed(uow, floor)
            return True

        if await store.transact(expire):
            expired.append(turn_id)
    return warned, expired


async def _lock_meeting_of_turn(uow: UnitOfWork, turn_id: int) -> Floor | None:
    """The turn's floor, once its meeting is read: on PostgreSQL that locks the meeting's row
    before the turn's, the order every unit of a meeting takes its locks in, so a claim by the
    timekeeper and a chair's "next speaker" on another replica queue instead of deadlocking."""
    floor = await uow.floor.get(await uow.floor.floor_of_turn(turn_id) or 0)
    if floor is None:
        return None
    await uow.meetings.get(floor.meeting_id)
    return floor
