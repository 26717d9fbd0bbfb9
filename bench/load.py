"""Load generation: pre-signed requests over loopback, a bound in flight, and statistics."""

from __future__ import annotations

import asyncio
import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import aiohttp

from bot.demo.signing import SignedRequest, SlackRequestFactory, post

REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=30)


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (p99 of 200 samples is the 198th smallest)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


@dataclass(frozen=True)
class Burst:
    """One burst: every request's latency and answer, and the wall time of the whole."""

    latencies: tuple[float, ...]  # seconds, send to full answer, in completion order
    statuses: tuple[int, ...]
    failures: tuple[str, ...]  # answers that were not what the caller expected
    wall: float  # first send to last answer, seconds

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.count / self.wall if self.wall > 0 else math.nan

    @property
    def per_request_ms(self) -> float:
        return 1000 * self.wall / self.count if self.count else math.nan

    def latency_ms(self, fraction: float) -> float:
        return 1000 * percentile(self.latencies, fraction)

    @property
    def max_ms(self) -> float:
        return 1000 * max(self.latencies) if self.latencies else math.nan


def slash_commands(
    signer: SlackRequestFactory,
    command: str,
    texts_and_users: Sequence[tuple[str, str]],
    channel: str,
) -> list[SignedRequest]:
    """Sign every request before the clock starts, so signing is not part of the timing."""
    return [
        signer.slash_command(command, text, user_id=user, channel_id=channel)
        for text, user in texts_and_users
    ]


async def burst(
    session: aiohttp.ClientSession,
    url: str | Sequence[str],
    requests: Sequence[SignedRequest],
    *,
    in_flight: int,
    expect: Callable[[int, str], bool],
) -> Burst:
    """Send all ``requests`` with at most ``in_flight`` outstanding; time each one. Given
    several URLs (replicas of one app), request ``i`` goes to ``url[i % len(url)]``, round
    robin, as a load balancer would spread them."""
    urls = [url] if isinstance(url, str) else list(url)
    gate = asyncio.Semaphore(in_flight)
    latencies: list[float] = []
    statuses: list[int] = []
    failures: list[str] = []

    async def one(index: int, request: SignedRequest) -> None:
        target = urls[index % len(urls)] + "/slack/events"
        async with gate:
            sent = time.perf_counter()
            try:
                status, body = await post(session, target, request)
            except (aiohttp.ClientError, TimeoutError) as exc:
                status, body = 0, f"{type(exc).__name__}: {exc}"
            latencies.append(time.perf_counter() - sent)
            statuses.append(status)
            if not expect(status, body):
                failures.append(f"{status} {body[:200]}")

    start = time.perf_counter()
    async with asyncio.timeout(300):
        await asyncio.gather(*(one(i, r) for i, r in enumerate(requests)))
    wall = time.perf_counter() - start
    return Burst(tuple(latencies), tuple(statuses), tuple(failures), wall)


def client_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=200, limit_per_host=200),
        timeout=REQUEST_TIMEOUT,
    )
