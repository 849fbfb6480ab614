"""A circuit breaker for the database: while it is down, answer at once instead of waiting.

The first request that meets an outage waits out the connection timeout; the breaker then
opens, and for a short while every request fails fast with SERVICE_UNAVAILABLE. After that
one request is let through to probe; success closes the breaker again (no restart needed).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from api.errors import ServiceUnavailable, is_database_outage

T = TypeVar("T")


class DatabaseBreaker:
    def __init__(self, open_for: float = 2.0, clock: Callable[[], float] = time.monotonic):
        self.open_for = open_for
        self._clock = clock
        self._open_until = 0.0
        self._lock = threading.Lock()

    def call(self, fn: Callable[..., T], *args: object) -> T:
        if self._clock() < self._open_until:
            raise ServiceUnavailable("service.database")
        try:
            return fn(*args)
        except Exception as error:
            if is_database_outage(error):
                self.trip()
                raise ServiceUnavailable("service.database") from None
            raise

    def trip(self) -> None:
        with self._lock:
            self._open_until = self._clock() + self.open_for

    @property
    def is_open(self) -> bool:
        return self._clock() < self._open_until
