"""A Web API client per workspace, with the token of the install that serves it: what the
announcer posts, edits and uploads with. None once the workspace has no install."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.installs.rotation import TokenRotation
from bot.installs.sealing import TokenSeal
from bot.ports.store import Store


class InstalledWorkspaces:
    def __init__(
        self, store: Store, seal: TokenSeal, template: AsyncWebClient, rotation: TokenRotation
    ) -> None:
        self._store = store
        self._seal = seal
        self._rotation = rotation
        self._template = template  # base URL, timeout and retry handlers; no token
        self._clients: dict[str, AsyncWebClient] = {}  # by token

    async def for_team(self, team_id: str) -> AsyncWebClient | None:
        found = await self._store.query(lambda uow: uow.workspaces.installation_for_team(team_id))
        if found is None:
            return None
        found = await self._rotation.fresh(found)
        token = self._seal.open(found.sealed_bot_token)
        client = self._clients.get(token)
        if client is None:
            if len(self._clients) > 10_000:  # tokens replaced by reinstalls: start afresh
                self._clients.clear()
            client = AsyncWebClient(
                token=token,
                base_url=self._template.base_url,
                timeout=self._template.timeout,
                retry_handlers=self._template.retry_handlers,
            )
            self._clients[token] = client
        return client
