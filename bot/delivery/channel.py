"""What the bot reads of a meeting's channel: joining it, and finding its own post there by the
notice id in the message's metadata, so a post whose answer was lost is never made twice."""

from __future__ import annotations

import logging

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery.failures import retry_after
from bot.domain.model import Notice

log = logging.getLogger(__name__)

NOTICE_EVENT = "plenary_notice"  # message metadata type: finds our own posts again
UNCERTAIN_LOOKBACK = 100  # newest channel messages searched for an unconfirmed post


async def join_channel(channel_id: str, client: AsyncWebClient) -> None:
    """Join a public meeting channel, so the bot may read its own recent posts there (to
    recover from a dropped connection); a private channel needs an invitation instead."""
    try:
        await client.conversations_join(channel=channel_id)
    except (SlackApiError, aiohttp.ClientError, OSError, TimeoutError) as exc:
        log.info(
            "did not join the meeting channel",
            extra={"channel": channel_id, "exception": type(exc).__name__},
        )


async def find_posted(notice: Notice, client: AsyncWebClient) -> str | None:
    """The ts of this notice's message if an earlier, unconfirmed post did land."""
    try:
        # The newest messages, not a time window: a lost post is recent, and message
        # timestamps are Slack's clock, not ours.
        response = await client.conversations_history(
            channel=notice.channel_id, include_all_metadata=True, limit=UNCERTAIN_LOOKBACK
        )
    except (SlackApiError, aiohttp.ClientError, OSError, TimeoutError) as exc:
        if retry_after(exc) is not None:
            raise  # rate limited: ask again after the wait, rather than post without knowing
        # Without the history we cannot tell; posting again risks a duplicate, which is
        # better than losing the announcement.
        log.warning(
            "could not check for an unconfirmed post",
            extra={"notice_id": notice.id, "exception": type(exc).__name__},
        )
        return None
    for message in response.get("messages") or []:
        metadata = message.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if metadata.get("event_type") == NOTICE_EVENT and payload.get("notice_id") == notice.id:
            log.info("found an unconfirmed post in the channel", extra={"notice_id": notice.id})
            return str(message["ts"])
    return None
