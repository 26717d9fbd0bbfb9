"""The local fake Slack, plus arrival times of each call and an optional rate limit.

``BenchSlack`` is ``bot.demo.fake_slack.server.FakeSlack`` set up for the benchmark through
its public hooks: ``observe`` notes when each Web API call arrived (to see how the bot paces
its posts), and ``limit_rate`` puts a sliding one-second cap on ``chat.*`` calls, answered
with HTTP 429 and ``Retry-After`` as Slack does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.demo.fake_slack.server import ApiCall, FakeSlack

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
        self.observe(self._arrived)
        if chat_limit_per_second is not None:
            self.limit_rate(CHAT_METHODS, chat_limit_per_second)

    def chat_calls(self) -> int:
        """Calls to chat.postMessage and chat.update so far, whatever their answer."""
        return sum(1 for a in self.arrivals if a.method in CHAT_METHODS)

    def _arrived(self, call: ApiCall) -> None:
        metadata = call.params.get("metadata")
        payload = metadata.get("event_payload") if isinstance(metadata, dict) else None
        kind = str(payload.get("kind", "")) if isinstance(payload, dict) else ""
        channel = str(call.params.get("channel", ""))
        ok = bool(call.response.get("ok"))
        self.arrivals.append(Arrival(time.monotonic(), call.method, channel, call.status, ok, kind))
