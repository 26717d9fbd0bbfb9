"""The screens' live feed: one watcher per screen link in this process, however many screens
show it, reading the meeting through the store every quarter second and waking each screen
when what it shows has changed. Reading the store (not an in-process signal) is what lets a
screen connected to one replica follow changes made through another."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25  # a change reaches the screens within a second, with room to spare
HEARTBEAT_SECONDS = 15.0  # a comment on a quiet stream, so proxies and clients keep it open

Read = Callable[[str], Awaitable[str | None]]  # a token → what its screen shows, or None


@dataclass(frozen=True)
class Heartbeat:
    """Nothing changed for a while: the stream says so, to stay open."""


@dataclass(frozen=True)
class Gone:
    """The link no longer leads anywhere (rotated, or its meeting is gone)."""


@dataclass
class _Watcher:
    view: str | None = None
    version: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    followers: int = 0
    task: asyncio.Task[None] | None = None


class ScreenFeed:
    def __init__(
        self,
        read: Read,
        *,
        poll_seconds: float = POLL_SECONDS,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
    ) -> None:
        self._read = read
        self._poll = poll_seconds
        self._heartbeat = heartbeat_seconds
        self._watchers: dict[str, _Watcher] = {}
        self._closed = asyncio.Event()

    async def follow(self, token: str) -> AsyncIterator[str | Heartbeat | Gone]:
        """What the screen behind ``token`` shows, first now, then each time it changes;
        a ``Heartbeat`` when nothing has for a while; ends after ``Gone`` or at shutdown."""
        watcher = self._watchers.get(token)
        if watcher is None:
            watcher = self._watchers[token] = _Watcher()
            watcher.task = asyncio.create_task(self._watch(token, watcher))
        watcher.followers += 1
        seen = 0
        try:
            while not self._closed.is_set():
                if watcher.version > seen:
                    seen = watcher.version
                    if watcher.view is None:
                        yield Gone()
                        return
                    yield watcher.view
                    continue
                if not await self._changed_or_closed(watcher):
                    yield Heartbeat()
        finally:
            watcher.followers -= 1
            if watcher.followers == 0 and self._watchers.get(token) is watcher:
                del self._watchers[token]
                if watcher.task is not None:
                    watcher.task.cancel()

    async def _changed_or_closed(self, watcher: _Watcher) -> bool:
        """Wait for a change (True) or the heartbeat's time (False); shutdown ends the wait."""
        changed = asyncio.ensure_future(watcher.changed.wait())
        closed = asyncio.ensure_future(self._closed.wait())
        try:
            done, _ = await asyncio.wait(
                {changed, closed}, timeout=self._heartbeat, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            changed.cancel()
            closed.cancel()
        return bool(done)

    async def _watch(self, token: str, watcher: _Watcher) -> None:
        while True:
            try:
                view = await self._read(token)
            except Exception:
                # A failed read (the database busy or restarting) is retried next time;
                # the screens keep what they show.
                log.exception("screen read failed")
            else:
                if watcher.version == 0 or view != watcher.view:
                    watcher.view = view
                    watcher.version += 1
                    changed, watcher.changed = watcher.changed, asyncio.Event()
                    changed.set()
                if view is None:
                    return
            await asyncio.sleep(self._poll)

    async def close(self) -> None:
        """Shutdown: every stream ends, so the server need not wait for them."""
        self._closed.set()
        tasks = [w.task for w in self._watchers.values() if w.task is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
