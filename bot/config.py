"""Settings from the environment, checked once at start-up with one clear line per problem."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

from bot.domain.errors import ConfigError
from bot.domain.workspaces import DEFAULT_RETENTION

DEFAULT_DATABASE_URL = "sqlite:///plenary.sqlite3"
DEFAULT_PORT = 3000
DEFAULT_DELIVERY_LEASE = timedelta(seconds=30)
DEFAULT_SWEEP = timedelta(seconds=30)
DEFAULT_HOST = "0.0.0.0"  # noqa: S104 - serve is meant to be reached from outside
# Multi-workspace mode: installs through OAuth, each workspace's token sealed at rest.
OAUTH_SETTINGS = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "PLENARY_TOKEN_KEY")


@dataclass(frozen=True)
class Settings:
    """Single-workspace mode: ``bot_token`` (SLACK_BOT_TOKEN). Multi-workspace mode:
    ``client_id``, ``client_secret`` and ``token_key``, and no bot token: each workspace
    installs the app through /slack/install."""

    bot_token: str
    signing_secret: str = field(default="", repr=False)
    app_token: str = field(default="", repr=False)
    api_url: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    port: int = DEFAULT_PORT
    host: str = DEFAULT_HOST
    # Where people reach `serve` (https://plenary.example.org): the base of the screen and
    # record links the bot hands out; without it the links are given as paths.
    public_url: str | None = None

    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    token_key: str = field(default="", repr=False)
    retention: timedelta = DEFAULT_RETENTION  # an uninstalled workspace's data, then purged
    # On PostgreSQL, how long a replica's lease on a meeting's notices lasts unrenewed: how
    # long the notices of a replica that died wait for another (PLENARY_DELIVERY_LEASE_SECONDS).
    delivery_lease: timedelta = DEFAULT_DELIVERY_LEASE
    # On PostgreSQL, how often each replica reads what is due from the database again, so a
    # deadline planned by a replica that died, or a lost hint, is found (PLENARY_SWEEP_SECONDS).
    sweep_every: timedelta = DEFAULT_SWEEP

    @property
    def multi_workspace(self) -> bool:
        return bool(self.client_id)

    @property
    def mode_line(self) -> str:
        """What ``python -m bot check`` states about the mode."""
        if self.multi_workspace:
            return (
                "mode: multi-workspace (installs at /slack/install; tokens encrypted at rest;"
                f" data kept {self.retention.days} days after an uninstall)"
            )
        return "mode: single workspace (SLACK_BOT_TOKEN)"

    def __repr__(self) -> str:
        # Tokens never reach logs, even through a stray repr().
        return (
            f"Settings(api_url={self.api_url!r}, database_url={self.database_shown!r},"
            f" host={self.host!r}, port={self.port})"
        )

    @property
    def database_shown(self) -> str:
        """The database URL as logs and ``check`` show it: a password in it is masked."""
        parts = urlsplit(self.database_url)
        if parts.password is None:
            return self.database_url
        host = parts.netloc.rpartition("@")[2]
        return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))

    @classmethod
    def from_env(
        cls, mode: str, env: Mapping[str, str] | None = None, port: int | None = None
    ) -> Settings:
        """Read the settings ``mode`` (serve, socket, check) needs; raise ConfigError naming
        the first one missing or malformed."""
        env = os.environ if env is None else env

        def need(name: str, prefix: str) -> str:
            value = env.get(name, "").strip()
            if not value:
                raise ConfigError(f"{name} is not set; {mode} mode needs it.")
            if not value.startswith(prefix):
                raise ConfigError(f"{name} does not look right: it should start with {prefix!r}.")
            return value

        oauth = {name: env.get(name, "").strip() for name in OAUTH_SETTINGS}
        bot_token = env.get("SLACK_BOT_TOKEN", "").strip()
        if bot_token and any(oauth.values()):
            given = ", ".join(name for name, value in oauth.items() if value)
            raise ConfigError(
                f"SLACK_BOT_TOKEN and {given} are both set: set SLACK_BOT_TOKEN alone for one"
                " workspace, or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and PLENARY_TOKEN_KEY"
                " (without SLACK_BOT_TOKEN) to install in any workspace."
            )
        client_id = client_secret = token_key = ""
        if any(oauth.values()):
            missing = [name for name, value in oauth.items() if not value]
            if missing:
                raise ConfigError(
                    f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set;"
                    " installing in any workspace needs SLACK_CLIENT_ID, SLACK_CLIENT_SECRET"
                    " and PLENARY_TOKEN_KEY."
                )
            if mode == "socket":
                raise ConfigError(
                    "socket mode serves one workspace (SLACK_BOT_TOKEN); installing in any"
                    " workspace needs serve mode, which answers /slack/install."
                )
            client_id = oauth["SLACK_CLIENT_ID"]
            client_secret = oauth["SLACK_CLIENT_SECRET"]
            token_key = _token_key(oauth["PLENARY_TOKEN_KEY"])
        else:
            bot_token = need("SLACK_BOT_TOKEN", "xoxb-")
        signing_secret = app_token = ""
        if mode in ("serve", "check"):
            signing_secret = env.get("SLACK_SIGNING_SECRET", "").strip()
            if not signing_secret:
                raise ConfigError(f"SLACK_SIGNING_SECRET is not set; {mode} mode needs it.")
        if mode == "socket":
            app_token = need("SLACK_APP_TOKEN", "xapp-")
        api_url = env.get("SLACK_API_URL", "").strip() or None
        if api_url is not None:
            if not api_url.startswith(("http://", "https://")):
                raise ConfigError(f"SLACK_API_URL must be an http(s) URL (got {api_url!r}).")
            if not api_url.endswith("/"):
                api_url += "/"
        if port is None:
            raw_port = env.get("PORT", "").strip()
            if raw_port:
                if not (raw_port.isascii() and raw_port.isdigit()) or not 0 < int(raw_port) < 65536:
                    raise ConfigError(f"PORT must be a number from 1 to 65535 (got {raw_port!r}).")
                port = int(raw_port)
            else:
                port = DEFAULT_PORT
        public_url = env.get("PUBLIC_URL", "").strip().rstrip("/") or None
        if public_url is not None and not public_url.startswith(("http://", "https://")):
            raise ConfigError(f"PUBLIC_URL must be an http(s) URL (got {public_url!r}).")
        return cls(
            client_id=client_id,
            client_secret=client_secret,
            token_key=token_key,
            retention=_retention(env.get("PLENARY_RETENTION_DAYS", "").strip()),
            delivery_lease=_seconds(
                env, "PLENARY_DELIVERY_LEASE_SECONDS", DEFAULT_DELIVERY_LEASE, 2
            ),
            sweep_every=_seconds(env, "PLENARY_SWEEP_SECONDS", DEFAULT_SWEEP, 1),
            bot_token=bot_token,
            signing_secret=signing_secret,
            app_token=app_token,
            api_url=api_url,
            database_url=env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL,
            port=port,
            host=env.get("HOST", "").strip() or DEFAULT_HOST,
            public_url=public_url,
        )


def _token_key(key: str) -> str:
    """PLENARY_TOKEN_KEY must be a Fernet key: 32 random bytes, url-safe base64."""
    from cryptography.fernet import Fernet

    try:
        Fernet(key.encode())
    except ValueError:
        raise ConfigError(
            "PLENARY_TOKEN_KEY is not a valid key: make one with python -c 'from"
            " cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
        ) from None
    return key


def _retention(raw: str) -> timedelta:
    if not raw:
        return DEFAULT_RETENTION
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) <= 3650:
        raise ConfigError(
            f"PLENARY_RETENTION_DAYS must be a number of days from 1 to 3650 (got {raw!r})."
        )
    return timedelta(days=int(raw))


def _seconds(env: Mapping[str, str], name: str, default: timedelta, least: int) -> timedelta:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not least <= int(raw) <= 3600:
        raise ConfigError(f"{name} must be a number of seconds from {least} to 3600 (got {raw!r}).")
    return timedelta(seconds=int(raw))
