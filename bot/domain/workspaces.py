"""Workspaces that installed the app: who installed it, its bot token (sealed: the domain and
storage only ever see the encrypted form), and how long a workspace's data outlives it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_RETENTION = timedelta(days=30)  # meeting data kept after an uninstall, then purged


@dataclass(frozen=True)
class Installation:
    """One install: of a workspace, or of an Enterprise Grid org (``is_enterprise_install``,
    found by its enterprise id for every workspace of the org)."""

    enterprise_id: str | None
    team_id: str | None
    is_enterprise_install: bool
    sealed_bot_token: str  # encrypted at rest; opened only where a Slack call is made
    bot_id: str | None
    bot_user_id: str | None
    app_id: str | None
    bot_scopes: str
    installer_user_id: str | None
    installed_at: datetime
    sealed_refresh_token: str | None = None  # token rotation: the refresh token, sealed
    expires_at: datetime | None = None  # token rotation: when the bot token stops working

    @property
    def key(self) -> str:
        """What the install is found by: the org's enterprise id for an org-wide install,
        the workspace's team id otherwise."""
        return installation_key(self.enterprise_id, self.team_id, self.is_enterprise_install)


def installation_key(
    enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None
) -> str:
    """Team ids (T…) and enterprise ids (E…) never collide, so either is a key as it is."""
    if is_enterprise_install and enterprise_id:
        return enterprise_id
    return team_id or enterprise_id or ""
