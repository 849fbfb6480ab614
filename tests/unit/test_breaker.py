"""The database breaker: fail fast while the database is down, let a probe through after."""

from __future__ import annotations

import pytest

from api.breaker import DatabaseBreaker
from api.errors import ServiceUnavailable


class OperationalError(Exception):
    """Named like psycopg's: the breaker recognises outages by class name."""


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _down() -> None:
    raise OperationalError("connection refused")


def test_an_outage_opens_the_breaker_and_later_calls_fail_without_trying() -> None:
    clock = Clock()
    breaker = DatabaseBreaker(open_for=2.0, clock=clock)
    with pytest.raises(ServiceUnavailable):
        breaker.call(_down)
    tried: list[int] = []
    with pytest.raises(ServiceUnavailable):
        breaker.call(lambda: tried.append(1))
    assert tried == [] and breaker.is_open


def test_after_the_open_period_a_call_goes_through_and_closes_it() -> None:
    clock = Clock()
    breaker = DatabaseBreaker(open_for=2.0, clock=clock)
    with pytest.raises(ServiceUnavailable):
        breaker.call(_down)
    clock.now += 2.5
    assert breaker.call(lambda: "ok") == "ok"
    assert not breaker.is_open


def test_other_errors_pass_through_and_do_not_open_it() -> None:
    breaker = DatabaseBreaker(clock=Clock())
    with pytest.raises(ValueError):
        breaker.call(lambda: int("x"))
    assert not breaker.is_open
