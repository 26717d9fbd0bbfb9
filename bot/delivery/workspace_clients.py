"""Which Web API client speaks to a workspace: every Slack call uses the token of the
workspace it concerns. One workspace (SLACK_BOT_TOKEN) has one client; installs into many
have one each (``bot.installs.clients``)."""

from __future__ import annotations

from typing import Protocol

from slack_sdk.web.async_client import AsyncWebClient


class WorkspaceClients(Protocol):
    async def for_team(self, team_id: str) -> AsyncWebClient | None:
        """The client for the workspace, or None when the app is no longer installed there
        (nothing may be sent to it)."""
        ...


class OneWorkspace:
    """Single-workspace mode: the one token serves every meeting."""

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def for_team(self, team_id: str) -> AsyncWebClient | None:
        return self._client
