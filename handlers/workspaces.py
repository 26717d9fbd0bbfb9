"""A workspace leaves: ``app_uninstalled``, or ``tokens_revoked`` naming the bot's token.
Bolt lets these through without a token (the workspace's is gone or going)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from bot.services.workspaces import WorkspaceService

log = logging.getLogger(__name__)


def register(app: AsyncApp, workspaces: WorkspaceService) -> None:
    async def leave(context: AsyncBoltContext) -> None:
        await workspaces.uninstalled(
            context.enterprise_id, context.team_id, bool(context.is_enterprise_install)
        )

    @app.event("app_uninstalled")
    async def on_app_uninstalled(context: AsyncBoltContext) -> None:
        await leave(context)

    @app.event("tokens_revoked")
    async def on_tokens_revoked(event: dict[str, Any], context: AsyncBoltContext) -> None:
        # Plenary keeps only the bot's token: revoked user tokens change nothing.
        if (event.get("tokens") or {}).get("bot"):
            await leave(context)
        else:
            log.info("user tokens revoked: none are kept", extra={"team_id": context.team_id})
