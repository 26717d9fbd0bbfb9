"""A workspace leaves: its tokens go at once, nothing more is sent to it, and its meetings are
erased once the retention period has passed (due work, done once across restarts)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.domain.workspaces import DEFAULT_RETENTION, installation_key
from bot.ports.clock import Clock
from bot.ports.store import Planner, Store, UnitOfWork
from bot.services.use_cases import UseCases

log = logging.getLogger(__name__)

UNINSTALLED = "not delivered: the workspace uninstalled Plenary or revoked its token"


def purge_job(team_id: str) -> str:
    return f"purge:{team_id}"


class WorkspaceService(UseCases):
    def __init__(
        self,
        store: Store,
        clock: Clock,
        planner: Planner,
        notify: Callable[[], None],
        *,
        retention: timedelta = DEFAULT_RETENTION,
    ) -> None:
        super().__init__(store, clock, planner, notify)
        self._retention = retention

    async def uninstalled(
        self, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool
    ) -> list[str]:
        """The app was uninstalled (or its bot token revoked): the install is deleted, each
        workspace it served has its undelivered notices given up on record, and the purge
        of its meetings is planned. Returns the workspaces concerned. Repeating it (Slack
        sends both ``tokens_revoked`` and ``app_uninstalled``) changes nothing more."""
        now = self._clock.now()
        purge_at = now + self._retention
        key = installation_key(enterprise_id, team_id, is_enterprise_install)

        async def unit(uow: UnitOfWork) -> list[str]:
            await uow.workspaces.delete_installation(key)
            teams = [team_id] if team_id and not is_enterprise_install else []
            if is_enterprise_install and enterprise_id:
                teams = await uow.workspaces.teams_in(enterprise_id)
            for team in teams:
                await uow.workspaces.drop_pending(team, UNINSTALLED, now)
                await uow.workspaces.schedule_purge(team, purge_at)
            return teams

        teams = await self._store.transact(unit)
        planned = await self._store.query(lambda uow: uow.workspaces.planned_purges())
        for team, at in planned:
            if team in teams:
                self._planner.plan(purge_job(team), at)
        log.info(
            "workspace uninstalled: tokens deleted, notices dropped, purge planned",
            extra={"teams": teams, "purge_at": purge_at.isoformat()},
        )
        return teams


async def purge_workspaces(store: Store, now: datetime) -> list[str]:
    """Erase the meetings of each workspace whose retention period has ended; each purge is
    claimed in the unit that does it, so overlapping sweeps and restarts do it once."""
    purged = []
    for team_id in await store.query(lambda uow: uow.workspaces.purges_due(now)):

        async def purge(uow: UnitOfWork, team_id: str = team_id) -> bool:
            return await uow.workspaces.purge(team_id, now)

        if await store.transact(purge):
            log.info("workspace data purged", extra={"team_id": team_id})
            purged.append(team_id)
    return purged
