"""Builds signed Slack requests (commands, actions, submissions, events) for the demo and tests."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
DEFAULT_TRIGGER_ID = "13345224609.738474920.8088930838d88f008e0"
DEFAULT_RESPONSE_URL = "https://hooks.slack.com/commands/T0/1/x"
VERIFICATION_TOKEN = "fake-verification-token"
TEAM_DOMAIN = "plenary"


@dataclass(frozen=True)
class SignedRequest:
    """A request body with the headers Slack would send alongside it."""

    body: str
    headers: dict[str, str]


class SlackRequestFactory:
    """Produces requests shaped and signed the way Slack delivers them to an app."""

    def __init__(
        self,
        signing_secret: str,
        *,
        team_id: str = "T0PLENARY",
        api_app_id: str = "A0PLENARY",
        now: Callable[[], float] = time.time,
        response_url_for: Callable[[str], str] | None = None,
        bot_user_id: str = "UPLENARYBOT",
    ) -> None:
        self._verifier = SignatureVerifier(signing_secret)
        self.team_id = team_id
        self.api_app_id = api_app_id
        self.bot_user_id = bot_user_id
        self._now = now
        self._response_url_for = response_url_for

    def sign(self, body: str, content_type: str, *, timestamp: int | None = None) -> SignedRequest:
        stamp = str(int(self._now()) if timestamp is None else timestamp)
        signature = self._verifier.generate_signature(timestamp=stamp, body=body)
        if signature is None:  # only when the timestamp is missing, which it never is here
            raise RuntimeError("slack_sdk produced no signature")
        return SignedRequest(
            body=body,
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": signature,
            },
        )

    def slash_command(
        self,
        command: str,
        text: str,
        *,
        user_id: str,
        channel_id: str = "C0MEETING",
        team_id: str | None = None,
        user_name: str | None = None,
        response_key: str = "default",
        trigger_id: str = DEFAULT_TRIGGER_ID,
        channel_name: str | None = None,
        enterprise_id: str | None = None,
    ) -> SignedRequest:
        """``enterprise_id``: from a workspace of an Enterprise Grid org that installed the
        app org-wide."""
        fields = {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id or self.team_id,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel_id,
            "channel_name": channel_name or channel_id.lower(),
            "user_id": user_id,
            "user_name": user_name or user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": self._response_url(response_key),
            "trigger_id": trigger_id,
        }
        if enterprise_id is not None:
            fields |= {"enterprise_id": enterprise_id, "is_enterprise_install": "true"}
        return self.sign(urlencode(fields), FORM)

    def block_action(
        self,
        *,
        user_id: str,
        action_id: str,
        value: str,
        block_id: str = "b",
        channel_id: str = "C0MEETING",
        message_ts: str = "1700000000.000100",
        team_id: str | None = None,
        trigger_id: str = DEFAULT_TRIGGER_ID,
        response_key: str = "default",
    ) -> SignedRequest:
        team = team_id or self.team_id
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {
                "id": user_id,
                "username": user_id.lower(),
                "name": user_id.lower(),
                "team_id": team,
            },
            "api_app_id": self.api_app_id,
            "token": VERIFICATION_TOKEN,
            "container": {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel_id,
                "is_ephemeral": False,
            },
            "trigger_id": trigger_id,
            "team": {"id": team, "domain": TEAM_DOMAIN},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel_id, "name": channel_id.lower()},
            "message": {
                "type": "message",
                "user": self.bot_user_id,
                "ts": message_ts,
                "text": "",
                "blocks": [],
            },
            "state": {"values": {}},
            "response_url": self._response_url(response_key),
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": block_id,
                    "value": value,
                    "type": "button",
                    "action_ts": self._action_ts(),
                }
            ],
        }
        return self._form_payload(payload)

    def view_submission(
        self,
        *,
        user_id: str,
        callback_id: str,
        values: dict[str, dict[str, dict[str, Any]]],
        private_metadata: str = "",
        team_id: str | None = None,
    ) -> SignedRequest:
        team = team_id or self.team_id
        payload: dict[str, Any] = {
            "type": "view_submission",
            "team": {"id": team, "domain": TEAM_DOMAIN},
            "user": {
                "id": user_id,
                "username": user_id.lower(),
                "name": user_id.lower(),
                "team_id": team,
            },
            "api_app_id": self.api_app_id,
            "token": VERIFICATION_TOKEN,
            "trigger_id": DEFAULT_TRIGGER_ID,
            "view": {
                "id": "V0PLENARY",
                "team_id": team,
                "type": "modal",
                "blocks": [],
                "private_metadata": private_metadata,
                "callback_id": callback_id,
                "state": {"values": values},
                "hash": "1700000000.a1b2c3d4",
                "title": {"type": "plain_text", "text": "Plenary"},
                "clear_on_close": False,
                "notify_on_close": False,
                "close": None,
                "submit": None,
                "previous_view_id": None,
                "root_view_id": "V0PLENARY",
                "app_id": self.api_app_id,
                "external_id": "",
                "app_installed_team_id": team,
                "bot_id": "B0PLENARY",
            },
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self._form_payload(payload)

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str = "Ev0001",
        team_id: str | None = None,
        enterprise_id: str | None = None,
    ) -> SignedRequest:
        team = team_id or self.team_id
        envelope: dict[str, Any] = {
            "token": VERIFICATION_TOKEN,
            "team_id": team,
            "api_app_id": self.api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(self._now()),
            "authorizations": [
                {
                    "enterprise_id": enterprise_id,
                    "team_id": team,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": enterprise_id is not None,
                }
            ],
            "is_ext_shared_channel": False,
        }
        return self.sign(json.dumps(envelope), JSON)

    def _form_payload(self, payload: dict[str, Any]) -> SignedRequest:
        return self.sign(urlencode({"payload": json.dumps(payload)}), FORM)

    def _response_url(self, key: str) -> str:
        if self._response_url_for is None:
            return DEFAULT_RESPONSE_URL
        return self._response_url_for(key)

    def _action_ts(self) -> str:
        return f"{self._now():.6f}"


async def post(
    session: aiohttp.ClientSession,
    url: str,
    request: SignedRequest,
    *,
    extra_headers: dict[str, str] | None = None,
) -> tuple[int, str]:
    """POST a signed request as Slack would; returns the status and the body text."""
    headers = {**request.headers, **(extra_headers or {})}
    async with session.post(url, data=request.body.encode(), headers=headers) as response:
        return response.status, await response.text()
