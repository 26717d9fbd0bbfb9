"""Guessing links is rate-limited per client address: after a number of wrong tokens in a
window, every token route answers 429 to that address until the window has passed."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

MISSES_ALLOWED = 20  # wrong tokens per address and window: a typo never reaches it
WINDOW_SECONDS = 60.0
ADDRESSES_KEPT = 10_000  # the oldest address is forgotten first when more are guessing


class GuessLimiter:
    def __init__(
        self,
        now: Callable[[], float],
        *,
        misses_allowed: int = MISSES_ALLOWED,
        window_seconds: float = WINDOW_SECONDS,
        addresses_kept: int = ADDRESSES_KEPT,
    ) -> None:
        self._now = now
        self._allowed = misses_allowed
        self._window = window_seconds
        self._kept = addresses_kept
        self._misses: dict[str, deque[float]] = {}

    def _recent(self, address: str) -> deque[float]:
        misses = self._misses.get(address)
        if misses is None:
            return deque()
        cutoff = self._now() - self._window
        while misses and misses[0] <= cutoff:
            misses.popleft()
        if not misses:
            del self._misses[address]
        return misses

    def refused(self, address: str) -> bool:
        """Whether ``address`` has guessed too often to be answered now."""
        return len(self._recent(address)) >= self._allowed

    def retry_after(self, address: str) -> int:
        misses = self._recent(address)
        if not misses:
            return 0
        return max(1, int(misses[0] + self._window - self._now()) + 1)

    def missed(self, address: str) -> None:
        """``address`` asked for a token that leads nowhere."""
        misses = self._misses.pop(address, None) or deque(maxlen=self._allowed)
        misses.append(self._now())
        self._misses[address] = misses  # most recent last: the oldest are forgotten first
        while len(self._misses) > self._kept:
            del self._misses[next(iter(self._misses))]
