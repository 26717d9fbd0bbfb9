"""Each user's App Home view, published when it is stale: redrawn from the current state,
with the token of the user's workspace."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.delivery.failures import retry_after
from bot.delivery.workspace_clients import WorkspaceClients
from bot.ports.store import Store, UnitOfWork
from bot.render.home import home_view
from bot.services.home import load_home

log = logging.getLogger(__name__)


async def publish_home(
    store: Store, clients: WorkspaceClients, team_id: str, user_id: str, revision: int
) -> float | None:
    """Publish the user's Home view at ``revision``; returns the seconds Slack asked to wait
    when it answered 429 (the view stays stale, for a later pass), else None."""

    async def unit(uow: UnitOfWork) -> dict[str, Any]:
        return home_view(await load_home(uow, team_id, user_id))

    view = await store.query(unit)
    client = await clients.for_team(team_id)
    try:
        if client is None:  # uninstalled since: nothing is sent to the workspace
            log.info("home view not published: not installed", extra={"team_id": team_id})
        else:
            await client.views_publish(user_id=user_id, view=view)
    except (SlackApiError, OSError, TimeoutError) as exc:
        wait = retry_after(exc)
        if wait is not None:
            return wait
        # A Home view is redrawn from state next time anything changes or it is opened;
        # dropping this revision loses nothing but freshness.
        log.warning(
            "home view not published", extra={"user_id": user_id, "exception": type(exc).__name__}
        )
    await store.transact(lambda uow: uow.homes.mark_published(team_id, user_id, revision))
    return None
