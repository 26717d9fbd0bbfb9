"""Bolt's installation store and OAuth state store, over Plenary's own storage (the ports).

Only bot tokens are kept (Plenary asks for no user scopes); each is sealed before it is
stored. OAuth states are random, kept until used or expired, and accepted once.
"""

from __future__ import annotations

import logging
import secrets
import time
from datetime import timedelta

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from bot.domain import workspaces
from bot.domain.workspaces import installation_key
from bot.installs.sealing import TokenSeal
from bot.ports.clock import Clock
from bot.ports.store import Store, UnitOfWork

log = logging.getLogger(__name__)

STATE_LIFETIME = timedelta(minutes=10)


class PlenaryInstallationStore(AsyncInstallationStore):
    """Bot-only installs (Bolt's ``installation_store_bot_only``), found by team id, or by
    enterprise id for an Enterprise Grid org-wide install."""

    def __init__(self, store: Store, seal: TokenSeal, clock: Clock) -> None:
        self._store = store
        self._seal = seal
        self._clock = clock

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        bot = installation.to_bot()
        await self.async_save_bot(bot)

    async def async_save_bot(self, bot: Bot) -> None:
        if not bot.bot_token:
            raise ValueError("an install without a bot token cannot be used")
        # slack_sdk counts the expiry in the wall clock: kept in Plenary's clock, as seconds
        # from now (the same instant, when the clocks agree).
        expires_at = (
            self._clock.now() + timedelta(seconds=bot.bot_token_expires_at - time.time())
            if bot.bot_token_expires_at
            else None
        )
        record = workspaces.Installation(
            enterprise_id=bot.enterprise_id,
            team_id=bot.team_id,
            is_enterprise_install=bool(bot.is_enterprise_install),
            sealed_bot_token=self._seal.seal(bot.bot_token),
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
            app_id=bot.app_id,
            bot_scopes=",".join(bot.bot_scopes),
            installer_user_id=None,
            installed_at=self._clock.now(),
            sealed_refresh_token=(
                self._seal.seal(bot.bot_refresh_token) if bot.bot_refresh_token else None
            ),
            expires_at=expires_at,
        )
        await self._store.transact(lambda uow: uow.workspaces.save_installation(record))
        log.info(
            "workspace installed",
            extra={"team_id": bot.team_id, "enterprise_id": bot.enterprise_id},
        )

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        key = installation_key(enterprise_id, team_id, is_enterprise_install)
        found = await self._store.query(lambda uow: uow.workspaces.installation(key))
        return self.bot_of(found) if found is not None else None

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        bot = await self.async_find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        if bot is None:
            return None
        return Installation(
            app_id=bot.app_id,
            enterprise_id=bot.enterprise_id,
            team_id=bot.team_id,
            bot_token=bot.bot_token,
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
            bot_scopes=bot.bot_scopes,
            bot_refresh_token=bot.bot_refresh_token,
            bot_token_expires_at=bot.bot_token_expires_at,
            user_id=user_id or "",
            is_enterprise_install=bot.is_enterprise_install,
            installed_at=bot.installed_at,
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self._delete(installation_key(enterprise_id, team_id, team_id is None))

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if user_id is None:  # user tokens are never kept; a bot install goes with the whole
            await self._delete(installation_key(enterprise_id, team_id, team_id is None))

    async def _delete(self, key: str) -> None:
        await self._store.transact(lambda uow: uow.workspaces.delete_installation(key))

    def bot_of(self, found: workspaces.Installation) -> Bot:
        """Bolt's view of a stored install, its tokens opened."""
        return Bot(
            app_id=found.app_id,
            enterprise_id=found.enterprise_id,
            team_id=found.team_id,
            bot_token=self._seal.open(found.sealed_bot_token),
            bot_id=found.bot_id or "",
            bot_user_id=found.bot_user_id or "",
            bot_scopes=found.bot_scopes,
            bot_refresh_token=(
                self._seal.open(found.sealed_refresh_token) if found.sealed_refresh_token else None
            ),
            bot_token_expires_at=(
                int(time.time() + (found.expires_at - self._clock.now()).total_seconds())
                if found.expires_at is not None
                else None
            ),
            is_enterprise_install=found.is_enterprise_install,
            installed_at=found.installed_at.timestamp(),
        )


class PlenaryStateStore(AsyncOAuthStateStore):
    """States issued for installs under way: each accepted once, within its lifetime; a
    replayed, expired or forged state is refused."""

    def __init__(self, store: Store, clock: Clock, lifetime: timedelta = STATE_LIFETIME) -> None:
        self._store = store
        self._clock = clock
        self._lifetime = lifetime

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: object, **kwargs: object) -> str:
        state = secrets.token_urlsafe(32)
        expires_at = self._clock.now() + self._lifetime
        await self._store.transact(lambda uow: uow.workspaces.add_state(state, expires_at))
        return state

    async def async_consume(self, state: str) -> bool:
        now = self._clock.now()

        async def consume(uow: UnitOfWork) -> bool:
            return await uow.workspaces.consume_state(state, now)

        accepted = await self._store.transact(consume)
        if not accepted:
            log.warning("install refused: its OAuth state is unknown, used or expired")
        return accepted
