"""Token rotation: a bot token that expires (Slack's token rotation turned on) is refreshed
before it does, by slack_sdk's rotator, once however many requests need it at that moment.

The rotator decides by the wall clock, Plenary by its own (injectable) clock: expiries are
carried between the two as "seconds from now".
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import timedelta

import aiohttp
from slack_sdk.errors import SlackApiError, SlackTokenRotationError
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import workspaces
from bot.installs.stores import PlenaryInstallationStore
from bot.ports.clock import Clock
from bot.ports.store import Store

log = logging.getLogger(__name__)

REFRESH_BEFORE = timedelta(minutes=120)  # Bolt's default: refresh two hours before expiry


class TokenRotation:
    def __init__(
        self,
        store: Store,
        installations: PlenaryInstallationStore,
        clock: Clock,
        *,
        client_id: str,
        client_secret: str,
        client: AsyncWebClient,
    ) -> None:
        self._store = store
        self._installations = installations
        self._clock = clock
        self._rotator = AsyncTokenRotator(
            client_id=client_id, client_secret=client_secret, client=client
        )
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    def _due(self, found: workspaces.Installation) -> bool:
        return found.expires_at is not None and (
            found.expires_at - self._clock.now() <= REFRESH_BEFORE
        )

    async def fresh(self, found: workspaces.Installation) -> workspaces.Installation:
        """The install with a token good for at least REFRESH_BEFORE. Requests that find it
        due together wait for one refresh: the first refreshes, the others read its result."""
        if not self._due(found) or found.sealed_refresh_token is None:
            return found
        async with self._locks[found.key]:
            key = found.key
            current = await self._store.query(lambda uow: uow.workspaces.installation(key))
            if current is None or not self._due(current):
                return current or found  # refreshed meanwhile (or uninstalled)
            bot = self._installations.bot_of(current)  # its expiry in the wall clock
            try:
                refreshed = await self._rotator.perform_bot_token_rotation(
                    bot=bot, minutes_before_expiration=int(REFRESH_BEFORE.total_seconds() // 60)
                )
            except (SlackTokenRotationError, SlackApiError, aiohttp.ClientError, OSError) as exc:
                # The token still works until it expires: the next request tries again.
                log.warning(
                    "bot token not refreshed",
                    extra={"team_id": current.team_id, "exception": type(exc).__name__},
                )
                return current
            if refreshed is None:
                return current
            await self._installations.async_save_bot(refreshed)
            log.info("bot token refreshed", extra={"team_id": current.team_id})
            saved = await self._store.query(lambda uow: uow.workspaces.installation(key))
            return saved or current
