"""The faults a test or the benchmark injects into the fake Slack: failed answers, dropped
connections and Slack's per-method rate limits."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Fault:
    """How one call is answered instead of normally."""

    method: str
    remaining: int
    status: int | None  # None: drop the connection instead of answering
    retry_after: int | None = None
    error: str | None = None
    after_accepting: bool = False
    # Carry the call out, then answer this instead: a JSON object, or text that is not JSON.
    answer: dict[str, Any] | str | None = None

    @property
    def default_error(self) -> str:
        return {429: "ratelimited", 503: "service_unavailable"}.get(
            self.status or 0, "internal_error"
        )


@dataclass
class _RateLimit:
    """A sliding one-second window of the calls accepted to some methods."""

    methods: frozenset[str]
    per_second: int
    clock: Callable[[], float]
    accepted: deque[float] = field(default_factory=deque)

    def is_full(self) -> bool:
        now = self.clock()
        while self.accepted and now - self.accepted[0] >= 1.0:
            self.accepted.popleft()
        return len(self.accepted) >= self.per_second


class Faults:
    """Fault injection, inherited by ``FakeSlack``: each call to the Web API takes the first
    fault that matches it (``take_fault``), and reports its success (``accepted``)."""

    def __init__(self) -> None:
        self._queued: list[Fault] = []
        self._limits: list[_RateLimit] = []
        self.rate_limited = 0  # calls answered 429 by a rate limit set with limit_rate

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        times: int = 1,
        retry_after: int | None = 1,
        error: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls to ``method`` ("*" for any) with HTTP ``status``."""
        _check_times(times)
        self._queued.append(
            Fault(method, times, status=status, retry_after=retry_after, error=error)
        )

    def drop_next(self, method: str, *, times: int = 1, after_accepting: bool = False) -> None:
        """Close the connection of the next ``times`` calls to ``method`` without answering.

        With ``after_accepting`` the call takes effect first, as when Slack stored a message
        but the answer never reached the app.
        """
        _check_times(times)
        self._queued.append(Fault(method, times, status=None, after_accepting=after_accepting))

    def misanswer_next(self, method: str, answer: dict[str, Any] | str, *, times: int = 1) -> None:
        """Carry out the next ``times`` calls to ``method``, but answer each with ``answer``
        (HTTP 200): a JSON object lacking what Slack documents, or text that is not JSON.

        Stands for an API answer the client cannot use although Slack did the work.
        """
        _check_times(times)
        self._queued.append(Fault(method, times, status=None, answer=answer))

    def limit_rate(
        self,
        methods: Iterable[str],
        per_second: int,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Rate-limit ``methods`` together as Slack does: once ``per_second`` calls to them were
        accepted within the last second (by ``clock``), answer HTTP 429 with Retry-After 1."""
        if per_second < 1:
            raise ValueError("per_second must be at least 1")
        self._limits.append(_RateLimit(frozenset(methods), per_second, clock))

    def take_fault(self, method: str) -> Fault | None:
        """The fault that answers this call to ``method``, if any: a rate limit first, then
        the faults queued (``fail_next``, ``drop_next``, ``misanswer_next``) in their order."""
        for limit in self._limits:
            if method in limit.methods and limit.is_full():
                self.rate_limited += 1
                return Fault(method, 1, status=429, retry_after=1)
        for fault in self._queued:
            if fault.remaining > 0 and fault.method in (method, "*"):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._queued.remove(fault)
                return fault
        return None

    def accepted(self, method: str) -> None:
        """Count a call Slack carried out against the rate limits on its method."""
        for limit in self._limits:
            if method in limit.methods:
                limit.accepted.append(limit.clock())


def _check_times(times: int) -> None:
    if times < 1:
        raise ValueError("times must be at least 1")
