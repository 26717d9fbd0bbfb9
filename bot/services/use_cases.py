"""What every use case is given: the store, the clock, the timers, and a way to wake the
announcer once a commit owes the channel a notice."""

from __future__ import annotations

from collections.abc import Callable

from bot.ports.clock import Clock
from bot.ports.store import Planner, Store


class UseCases:
    """The base of each service: a service loads state through ``_store``, applies a domain
    rule, saves, plans or cancels timers with ``_planner``, then calls ``_notify``."""

    def __init__(
        self, store: Store, clock: Clock, planner: Planner, notify: Callable[[], None]
    ) -> None:
        self._store = store
        self._clock = clock
        self._planner = planner
        self._notify = notify  # wakes the announcer after a commit that owes notices
