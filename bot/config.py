"""Settings from the environment, checked once at start-up with one clear line per problem."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from bot.domain.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite:///plenary.sqlite3"
DEFAULT_PORT = 3000
DEFAULT_HOST = "0.0.0.0"  # noqa: S104 - serve is meant to be reached from outside


@dataclass(frozen=True)
class Settings:
    bot_token: str
    signing_secret: str = field(default="", repr=False)
    app_token: str = field(default="", repr=False)
    api_url: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    port: int = DEFAULT_PORT
    host: str = DEFAULT_HOST

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
        return cls(
            bot_token=bot_token,
            signing_secret=signing_secret,
            app_token=app_token,
            api_url=api_url,
            database_url=env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL,
            port=port,
            host=env.get("HOST", "").strip() or DEFAULT_HOST,
        )
