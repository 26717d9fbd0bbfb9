"""Who a request is for, from the installs: one indexed lookup per request and no auth.test.

Bolt's own ``AsyncInstallationStoreAuthorize`` calls auth.test for every token it has not
cached; everything auth.test would say (bot id, bot user id, team) is stored at install
time, so this answers from the store alone.
"""

from __future__ import annotations

import logging

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext

from bot.domain.workspaces import installation_key
from bot.installs.rotation import TokenRotation
from bot.installs.stores import PlenaryInstallationStore
from bot.ports.store import Store

log = logging.getLogger(__name__)


class StoredAuthorize(AsyncAuthorize):
    def __init__(
        self, store: Store, installations: PlenaryInstallationStore, rotation: TokenRotation
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._store = store
        self._installations = installations
        self._rotation = rotation
        self._org_members: set[tuple[str, str]] = set()  # (team, enterprise) already noted

    async def __call__(
        self,
        *,
        context: AsyncBoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        actor_enterprise_id: str | None = None,
        actor_team_id: str | None = None,
        actor_user_id: str | None = None,
    ) -> AuthorizeResult | None:
        org_wide = bool(context.is_enterprise_install)
        key = installation_key(enterprise_id, team_id, org_wide)
        found = await self._store.query(lambda uow: uow.workspaces.installation(key))
        if found is None:
            log.info(
                "request from a workspace without an install",
                extra={"team_id": team_id, "enterprise_id": enterprise_id},
            )
            return None
        if (
            org_wide
            and team_id
            and enterprise_id
            and (team_id, enterprise_id) not in (self._org_members)
        ):
            # Announcements find the token by the meeting's workspace: remember its org.
            await self._store.transact(
                lambda uow: uow.workspaces.note_enterprise(team_id, enterprise_id)
            )
            self._org_members.add((team_id, enterprise_id))
        found = await self._rotation.fresh(found)
        bot = self._installations.bot_of(found)
        return AuthorizeResult(
            enterprise_id=found.enterprise_id,
            team_id=team_id or found.team_id,
            bot_token=bot.bot_token,
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
            bot_scopes=bot.bot_scopes,
            user_id=user_id,
        )
