"""The local fake Slack, plus arrival times of each call and an optional rate limit.

``BenchSlack`` is ``bot.demo.fake_slack.FakeSlack`` with two additions for the benchmark:
when each Web API call arrived (to see how the bot paces its posts), and a sliding
one-second cap on ``chat.*`` calls answered with HTTP 429 and ``Retry-After`` as Slack does.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.demo.fake_slack import FakeSlack, _Fault

CHAT_METHODS = ("chat.postMessage", "chat.update")


@dataclass(frozen=True)
class Arrival:
    at: float  # time.monotonic() in the benchmark's process
    method: str
    channel: str
    status: int
    ok: bool
    kind: str  # the notice kind from the message metadata, when the bot sent one


class BenchSlack(FakeSlack):
    def __init__(self, *, chat_limit_per_second: int | None = None) -> None:
        super().__init__()
        self.arrivals: list[Arrival] = []
        self.chat_limit = chat_limit_per_second
        self._accepted_chat: deque[float] = deque()
        self.rate_limited = 0  # 429s answered

    def chat_calls(self) -> int:
        """Calls to chat.postMessage and chat.update so far, whatever their answer."""
        return sum(1 for a in self.arrivals if a.method in CHAT_METHODS)

    def _take_fault(self, method: str) -> _Fault | None:
        if self.chat_limit is not None and method in CHAT_METHODS:
            now = time.monotonic()
            while self._accepted_chat and now - self._accepted_chat[0] >= 1.0:
                self._accepted_chat.popleft()
            if len(self._accepted_chat) >= self.chat_limit:
                self.rate_limited += 1
                return _Fault(method, 1, status=429, retry_after=1)
        return super()._take_fault(method)

    def _answer(
        self,
        method: str,
        params: dict[str, Any],
        status: int,
        body: dict[str, Any],
        headers: Mapping[str, str] | None = None,
    ) -> web.Response:
        now = time.monotonic()
        if status == 200 and method in CHAT_METHODS and body.get("ok"):
            self._accepted_chat.append(now)
        metadata = params.get("metadata")
        payload = metadata.get("event_payload") if isinstance(metadata, dict) else None
        kind = str(payload.get("kind", "")) if isinstance(payload, dict) else ""
        channel = str(params.get("channel", ""))
        self.arrivals.append(Arrival(now, method, channel, status, bool(body.get("ok")), kind))
        return super()._answer(method, params, status, body, headers)
