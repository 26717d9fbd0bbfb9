"""When the announcer may speak: each channel at most once per pacing interval (Slack's one
message a second), and no call at all to a workspace Slack rate-limited until its Retry-After
has passed. What the channel's last post was, by the clock, goes to whichever replica
delivers the meeting next."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.ports.clock import Clock


class Pacing:
    def __init__(
        self,
        clock: Clock,
        pace_seconds: float,
        monotonic: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self._clock = clock
        self._pace = pace_seconds
        self._monotonic = monotonic
        self._sleep = sleep
        self._last_sent: dict[str, float] = {}
        self._spoke_at: dict[str, datetime] = {}  # the same moments, by the clock: handed over
        # Workspaces Slack rate-limited (a 429), until when: their notices and Home views
        # wait for a later pass instead of this process sleeping in the call.
        self._throttled: dict[str, datetime] = {}

    async def wait_for_turn(self, channel_id: str) -> None:
        """Until a pacing interval has passed since the channel's last post or edit."""
        last = self._last_sent.get(channel_id)
        if last is not None and self._pace > 0:
            wait = last + self._pace - self._monotonic()
            if wait > 0:
                await self._sleep(wait)

    def spoke(self, channel_id: str) -> None:
        """A post, an edit or an upload is being sent to the channel: its pacing starts."""
        self._last_sent[channel_id] = self._monotonic()
        self._spoke_at[channel_id] = self._clock.now()

    def spoke_at(self, channel_id: str) -> datetime | None:
        return self._spoke_at.get(channel_id)

    def paced_since(self, channel_id: str, spoke_at: datetime) -> None:
        """Another replica spoke to the channel at ``spoke_at``: its pacing counts from then
        (unless this process spoke to it later)."""
        ago = (self._clock.now() - spoke_at).total_seconds()
        then = self._monotonic() - max(ago, 0.0)
        self._last_sent[channel_id] = max(self._last_sent.get(channel_id, then), then)

    def throttle(self, team_id: str, seconds: float) -> datetime:
        """Slack asked for a wait before the workspace's next call: until then its notices
        and Home views are left for a later pass. Returns when the wait ends."""
        until = self._clock.now() + timedelta(seconds=seconds)
        self._throttled[team_id] = max(self._throttled.get(team_id, until), until)
        return until

    def throttled(self, team_id: str) -> bool:
        until = self._throttled.get(team_id)
        if until is None:
            return False
        if self._clock.now() >= until:
            del self._throttled[team_id]
            return False
        return True

    def throttled_teams(self) -> list[str]:
        """The workspaces waiting out a rate limit now."""
        return [team for team in list(self._throttled) if self.throttled(team)]

    def waits_end(self) -> list[datetime]:
        """When each rate limit's wait still running ends."""
        now = self._clock.now()
        return [until for until in self._throttled.values() if until > now]
