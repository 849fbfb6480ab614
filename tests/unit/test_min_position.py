"""X-Min-Position: a wait that runs out is not a database failure (the breaker stays closed)."""

from __future__ import annotations

import asyncio
from typing import Any

from api.auth import Principal
from api.breaker import DatabaseBreaker
from api.context import Context, Services
from api.errors import ServiceUnavailable
from domain.shared import InvalidInput, Role


class _App:
    asked = 0

    def last_position(self) -> int:
        self.asked += 1
        return 10


class _Views:
    reached = 0

    def wait_for(self, position: int, timeout: float, written_after: float | None = None) -> None:
        if position > self.reached:
            raise TimeoutError(f"the read models have not reached position {position}")


def _context(position: int, principal: Principal | None) -> Context:
    services: Any = Services(app=_App(), views=_Views(), min_position_timeout=0.01)  # type: ignore[arg-type]
    return Context(
        services=services,
        principal=principal,
        loaders=None,  # type: ignore[arg-type]
        nodes=None,  # type: ignore[arg-type]
        min_position=position,
    )


USER = Principal(id="a-001", name="a", role=Role.ADMIN)


def test_a_wait_that_runs_out_is_unavailable_and_leaves_the_breaker_closed() -> None:
    context = _context(5, USER)
    asyncio.run(context.catch_up())
    assert isinstance(context.refused, ServiceUnavailable)
    assert not context.services.breaker.is_open
    assert isinstance(context.services.breaker, DatabaseBreaker)


def test_a_position_beyond_the_head_is_refused_at_once() -> None:
    context = _context(11, USER)
    asyncio.run(context.catch_up())
    assert isinstance(context.refused, InvalidInput)
    assert context.refused.field == "X-Min-Position"


def test_an_anonymous_request_does_not_wait() -> None:
    context = _context(5, None)
    asyncio.run(context.catch_up())
    assert context.refused is None


def test_a_mutations_own_write_is_waited_for_without_asking_the_head() -> None:
    # Its position came from the store itself: the head query would be a wasted round trip.
    context = _context(3, USER)
    context.services.views.reached = 8
    asyncio.run(context.catch_up())
    assert context.services.app.asked == 1  # X-Min-Position is checked against the head
    context.reads_after(8)
    asyncio.run(context.catch_up())
    assert context.refused is None
    assert context.services.app.asked == 1


def test_a_lower_own_write_leaves_x_min_position_and_its_check_in_place() -> None:
    context = _context(11, USER)
    context.reads_after(4)
    asyncio.run(context.catch_up())
    assert isinstance(context.refused, InvalidInput)
    assert context.services.app.asked == 1
