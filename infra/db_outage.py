"""How the clients of PostgreSQL behave while it is away: fail fast, come back soon.

Two library defaults made a database restart cost far more than the restart itself
(tests/integration/test_database_outage.py, measured with 1 s connect timeouts):
- eventsourcing retries a recorder call 10 times, 0.2 s apart, whatever failed. Right for a
  broken pooled connection (the next attempt takes another), but with the server down each
  attempt also waits out the pool's timeout: the first write met by an outage answered after
  20 s instead of 1 s. `retry_while_reachable` keeps the retries for broken connections and
  stops at the first "no connection could be had" (psycopg_pool's PoolTimeout).
- A save retried after a broken connection may meet itself: the first attempt committed and
  only its reply was lost (a server stopping terminates sessions mid-reply). The retry's
  IntegrityError then said CONFLICT for a write that was made. `retry_save_while_reachable`
  asks the recorder whether exactly these stored events are there, and answers their
  positions if so.
- psycopg_pool doubles the delay between its attempts to reconnect, without a cap (1, 2, 4,
  8, 16 s …): a server back after 20 s was used up to 16 s later. `cap_reconnect_delay`
  keeps the doubling but never waits more than RECONNECT_DELAY_CAP.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from random import random
from time import sleep
from typing import Any, TypeVar, cast

import psycopg_pool.pool
from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError
from psycopg_pool import PoolTimeout
from psycopg_pool.base import AttemptWithBackoff

F = TypeVar("F", bound=Callable[..., Any])

ATTEMPTS = 10  # as eventsourcing's recorders
WAIT = 0.2
RECONNECT_DELAY_CAP = 2.0  # seconds between a pool's attempts to reconnect, at most


def unreachable(error: BaseException) -> bool:
    """No connection could be had at all (the pool waited its timeout): trying again at once
    only waits again."""
    return isinstance(error.__cause__, PoolTimeout) or isinstance(error, PoolTimeout)


def retry_while_reachable(fn: F) -> F:
    @wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        return _attempts(lambda: fn(*args, **kwargs), None)

    return cast(F, call)


def retry_save_while_reachable(fn: F) -> F:
    """For a recorder's insert_events(stored_events): the recorder's `written_already`
    (stored events → their positions, or None) settles an IntegrityError met on a retry."""

    @wraps(fn)
    def call(recorder: Any, stored_events: Any, **kwargs: Any) -> Any:
        return _attempts(
            lambda: fn(recorder, stored_events, **kwargs),
            lambda: recorder.written_already(stored_events),
        )

    return cast(F, call)


def _attempts(attempt: Callable[[], Any], settle_clash: Callable[[], Any] | None) -> Any:
    retried = False
    for number in range(1, ATTEMPTS + 1):
        try:
            return attempt()
        except IntegrityError:
            if retried and settle_clash is not None:
                settled = settle_clash()
                if settled is not None:
                    return settled
            raise
        except (InterfaceError, OperationalError) as error:
            if number == ATTEMPTS or unreachable(error):
                raise
            retried = True
            sleep(WAIT * (1 + 0.1 * (random() - 0.5)))  # jitter, not secrets
    raise AssertionError("unreachable")  # pragma: no cover


class _CappedBackoff(AttemptWithBackoff):
    def update_delay(self, now: float) -> None:
        super().update_delay(now)
        self.delay = min(self.delay, RECONNECT_DELAY_CAP)


def cap_reconnect_delay() -> None:
    """Every pool made after this waits at most RECONNECT_DELAY_CAP between reconnects (the
    pool module looks the class up when it schedules an attempt)."""
    psycopg_pool.pool.AttemptWithBackoff = _CappedBackoff  # type: ignore[misc]
