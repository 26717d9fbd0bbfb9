"""Events API deliveries are acted on once: Slack retries an event it thinks was missed
(same ``event_id``, ``X-Slack-Retry-Num`` set), and Bolt does not deduplicate retries."""

from __future__ import annotations

from bot.ports.clock import Clock
from bot.ports.store import Store, UnitOfWork


class Deliveries:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def first(self, event_id: str) -> bool:
        """True the first time ``event_id`` is seen; False for every retry of it."""

        async def unit(uow: UnitOfWork) -> bool:
            return await uow.notices.first_delivery(event_id, self._clock.now())

        return await self._store.transact(unit)
