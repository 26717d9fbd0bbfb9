"""Slack's side of Socket Mode: the connection URL apps.connections.open hands out, the
WebSocket that says hello, and envelopes sent to the app and acknowledged by it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web


class SocketMode:
    """One app connection at a time, as the fake's tests and the demo need."""

    def __init__(self, app_id: str, app_token: str) -> None:
        self.app_id = app_id
        self.app_token = app_token
        self._socket: web.WebSocketResponse | None = None
        self._open = asyncio.Event()
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._serial = 0

    def connections_open(self, token: str | None, base_url: str) -> dict[str, Any]:
        """The answer to apps.connections.open, the one method called with the app token."""
        if not token:
            return {"ok": False, "error": "not_authed"}
        if token != self.app_token:
            return {"ok": False, "error": "invalid_auth"}
        return {"ok": True, "url": base_url.replace("http://", "ws://") + "/socket-mode"}

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """Says hello, then relays the app's acknowledgements to the envelopes awaiting them."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._socket = socket
        await socket.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "fake", "approximate_connection_time": 18060},
                "connection_info": {"app_id": self.app_id},
            }
        )
        self._open.set()
        async for message in socket:
            if message.type is not web.WSMsgType.TEXT:
                continue
            body = json.loads(message.data)
            ack = self._acks.pop(str(body.get("envelope_id", "")), None)
            if ack is not None and not ack.done():
                ack.set_result(body.get("payload") or {})
        self._open.clear()
        return socket

    async def connected(self) -> None:
        await self._open.wait()

    async def envelope(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        if self._socket is None or self._socket.closed:
            raise RuntimeError("no app is connected over Socket Mode")
        self._serial += 1
        envelope_id = f"env-{self._serial}"
        acknowledged: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._acks[envelope_id] = acknowledged
        await self._socket.send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )
        return await acknowledged

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
